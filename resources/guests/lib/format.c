/*
 * The guests' printf: one formatter (vformat) feeding a character sink, with two sinks,
 * the serial port and a bounded buffer. Kept small on purpose: the guests print integers
 * and strings only.
 */
#include "format.h"
#include "serial.h"
#include <stdint.h>

struct spec {
    int left;
    int zero;
    int width;
    int length; /* 0 = int, 1 = long, 2 = long long, 3 = size_t */
};

static int emit_padded(format_sink sink, void *ctx, const char *body, int len, const struct spec *sp, char pad)
{
    int n = 0;
    int fill = sp->width > len ? sp->width - len : 0;
    if (!sp->left)
        for (; fill > 0; fill--, n++)
            sink(pad, ctx);
    for (int i = 0; i < len; i++, n++)
        sink(body[i], ctx);
    for (; fill > 0; fill--, n++)
        sink(' ', ctx);
    return n;
}

static int emit_number(format_sink sink, void *ctx, uint64_t v, int negative, unsigned base, int upper,
                       const struct spec *sp)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int len = 0;
    do {
        tmp[len++] = digits[v % base];
        v /= base;
    } while (v);
    char body[25];
    int bl = 0;
    int n = 0;
    if (negative) {
        /* With zero padding the sign goes before the zeros: "-0042". */
        if (sp->zero && !sp->left) {
            sink('-', ctx);
            n++;
            struct spec rest = *sp;
            rest.width = sp->width > 0 ? sp->width - 1 : 0;
            for (int i = len - 1; i >= 0; i--)
                body[bl++] = tmp[i];
            return n + emit_padded(sink, ctx, body, bl, &rest, '0');
        }
        body[bl++] = '-';
    }
    for (int i = len - 1; i >= 0; i--)
        body[bl++] = tmp[i];
    return n + emit_padded(sink, ctx, body, bl, sp, sp->zero && !sp->left ? '0' : ' ');
}

static uint64_t take_unsigned(va_list *ap, int length)
{
    switch (length) {
    case 1: return va_arg(*ap, unsigned long);
    case 2: return va_arg(*ap, unsigned long long);
    case 3: return va_arg(*ap, size_t);
    default: return va_arg(*ap, unsigned int);
    }
}

static int64_t take_signed(va_list *ap, int length)
{
    switch (length) {
    case 1: return va_arg(*ap, long);
    case 2: return va_arg(*ap, long long);
    case 3: return (int64_t)va_arg(*ap, size_t);
    default: return va_arg(*ap, int);
    }
}

int vformat(format_sink sink, void *ctx, const char *fmt, va_list ap_in)
{
    va_list ap;
    va_copy(ap, ap_in);
    int n = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            sink(*p, ctx);
            n++;
            continue;
        }
        struct spec sp = {0, 0, 0, 0};
        p++;
        for (;; p++) {
            if (*p == '-')
                sp.left = 1;
            else if (*p == '0')
                sp.zero = 1;
            else
                break;
        }
        if (*p == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = 1;
                sp.width = -sp.width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                sp.width = sp.width * 10 + (*p++ - '0');
        }
        if (*p == 'l') {
            sp.length = 1;
            if (p[1] == 'l') {
                sp.length = 2;
                p++;
            }
            p++;
        } else if (*p == 'z') {
            sp.length = 3;
            p++;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = take_signed(&ap, sp.length);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            n += emit_number(sink, ctx, mag, v < 0, 10, 0, &sp);
            break;
        }
        case 'u': n += emit_number(sink, ctx, take_unsigned(&ap, sp.length), 0, 10, 0, &sp); break;
        case 'x': n += emit_number(sink, ctx, take_unsigned(&ap, sp.length), 0, 16, 0, &sp); break;
        case 'X': n += emit_number(sink, ctx, take_unsigned(&ap, sp.length), 0, 16, 1, &sp); break;
        case 'p': {
            sink('0', ctx);
            sink('x', ctx);
            n += 2;
            struct spec ps = {0, 1, 16, 1};
            n += emit_number(sink, ctx, (uint64_t)(uintptr_t)va_arg(ap, void *), 0, 16, 0, &ps);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            n += emit_padded(sink, ctx, &c, 1, &sp, ' ');
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int len = 0;
            while (s[len])
                len++;
            n += emit_padded(sink, ctx, s, len, &sp, ' ');
            break;
        }
        case '%':
            sink('%', ctx);
            n++;
            break;
        case '\0':
            p--; /* a lone '%' at the end: stop without reading past the NUL */
            break;
        default:
            sink('%', ctx);
            sink(*p, ctx);
            n += 2;
            break;
        }
    }
    va_end(ap);
    return n;
}

static void serial_sink(char c, void *ctx)
{
    (void)ctx;
    serial_putc(c);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(serial_sink, 0, fmt, ap);
    va_end(ap);
    return n;
}

struct buffer_sink {
    char *buf;
    size_t size;
    size_t pos;
};

static void buffer_sink_put(char c, void *ctx)
{
    struct buffer_sink *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    struct buffer_sink b = {buf, size, 0};
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(buffer_sink_put, &b, fmt, ap);
    va_end(ap);
    if (size > 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}
