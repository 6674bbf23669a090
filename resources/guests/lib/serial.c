/*
 * 16550 UART driver (PC16550D datasheet: register map, LCR.DLAB, LSR bits).
 * Output waits for LSR.THRE; input polls LSR.DR, or sleeps in the wait function that
 * serial-irq.c installs (serial_set_wait). Everything the guests print goes here.
 */
#include "serial.h"
#include "cpu.h"

#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_IER 1
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LSR_DR   0x01
#define LSR_THRE 0x20

static uint16_t serial_base = COM1_BASE;
/* Called while no byte is waiting; NULL = spin (guests without interrupts). */
static void (*serial_wait)(void);

void serial_set_wait(void (*wait)(void)) { serial_wait = wait; }

void serial_init(uint16_t base)
{
    serial_base = base;
    outb(base + UART_IER, 0x00);  /* no interrupts until serial_irq_enable */
    outb(base + UART_LCR, 0x80);  /* DLAB=1 to reach the divisor latch */
    outb(base + UART_DLL, 0x01);  /* divisor 1 = 115200 baud */
    outb(base + UART_DLM, 0x00);
    outb(base + UART_LCR, 0x03);  /* DLAB=0, 8 data bits, no parity, 1 stop bit */
    outb(base + UART_FCR, 0x07);  /* enable and clear both FIFOs */
    outb(base + UART_MCR, 0x03);  /* DTR, RTS; OUT2 off since interrupts are unused */
}

void serial_put_raw(uint8_t c)
{
    while (!(inb(serial_base + UART_LSR) & LSR_THRE))
        cpu_relax();
    outb(serial_base + UART_THR, c);
}

void serial_putc(char c)
{
    if (c == '\n')
        serial_put_raw('\r');
    serial_put_raw((uint8_t)c);
}

void serial_write(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

uint8_t serial_getc(void)
{
    while (!(inb(serial_base + UART_LSR) & LSR_DR)) {
        if (serial_wait)
            serial_wait();
        else
            cpu_relax();
    }
    return inb(serial_base + UART_RBR);
}

int serial_try_getc(void)
{
    if (!(inb(serial_base + UART_LSR) & LSR_DR))
        return -1;
    return inb(serial_base + UART_RBR);
}
