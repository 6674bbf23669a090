/*
 * Driver for a 16550 UART (COM1 at 0x3F8 unless told otherwise): 8N1, a divisor latch for
 * 115200 baud, FIFOs enabled, interrupts off unless serial-irq.h turns the RX one on.
 * National PC16550D datasheet.
 */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include <stdint.h>

#define COM1_BASE 0x3F8
#define COM2_BASE 0x2F8

void serial_init(uint16_t base);
/* Sends one byte; '\n' goes out as CR LF so terminals need no translation. */
void serial_putc(char c);
/* Sends one byte unchanged. */
void serial_put_raw(uint8_t c);
void serial_write(const char *s);
/* Blocks until a byte arrives (polls LSR.DR, calling the wait function between polls). */
uint8_t serial_getc(void);
/* Installs what serial_getc does while nothing is waiting (serial-irq.c: STI; HLT). */
void serial_set_wait(void (*wait)(void));
/* Returns -1 when no byte is waiting. */
int serial_try_getc(void);

#endif
