/*
 * Line editing over a polled 16550 for hvshell. Terminals send CR (Enter), DEL or BS
 * (Backspace) and ESC [ ... final-byte sequences (ECMA-48 §5.4) for cursor keys; the
 * editor keeps the cursor at the end of the line, so those sequences are ignored.
 */
#include "line-editor.h"
#include "../lib/guest.h"

#define CTRL_C 0x03
#define CTRL_U 0x15
#define BS     0x08
#define ESC    0x1B
#define DEL    0x7F

static int last_was_cr;

static void erase_chars(size_t n)
{
    while (n--)
        serial_write("\b \b");
}

int read_line(char *buf, size_t size)
{
    size_t len = 0;
    int esc_state = 0; /* 0 normal, 1 after ESC, 2 inside ESC [ */
    for (;;) {
        uint8_t c = serial_getc();
        int was_cr = last_was_cr;
        last_was_cr = c == '\r';
        if (esc_state == 1) {
            esc_state = c == '[' ? 2 : 0;
            continue;
        }
        if (esc_state == 2) {
            if (c >= 0x40 && c <= 0x7E)
                esc_state = 0;
            continue;
        }
        if (c == '\n' && was_cr)
            continue; /* the LF of a CR LF pair */
        if (c == '\r' || c == '\n') {
            serial_putc('\n'); /* sent as CR LF */
            buf[len] = '\0';
            return (int)len;
        }
        switch (c) {
        case ESC: esc_state = 1; break;
        case CTRL_C:
            serial_write("^C\n");
            buf[0] = '\0';
            return -1;
        case CTRL_U:
            erase_chars(len);
            len = 0;
            break;
        case BS:
        case DEL:
            if (len > 0) {
                len--;
                erase_chars(1);
            }
            break;
        default:
            if (c >= 0x20 && c < 0x7F && len + 1 < size) {
                buf[len++] = (char)c;
                serial_put_raw(c);
            }
            break;
        }
    }
}
