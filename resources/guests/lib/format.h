/*
 * printf-like formatting for the guests: %d %i %u %x %X %p %s %c %%, flags '-' and '0',
 * a field width (number or '*'), and the length modifiers l, ll, z. No floating point
 * (the guests are built without SSE).
 */
#ifndef GUEST_FORMAT_H
#define GUEST_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(char c, void *ctx);

/* Formats into `sink`; returns the number of characters produced. */
int vformat(format_sink sink, void *ctx, const char *fmt, va_list ap);
/* Prints to the serial port opened by serial_init. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like snprintf: always NUL-terminates when size > 0; returns the untruncated length. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
