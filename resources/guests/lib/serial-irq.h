/*
 * Interrupt-driven waiting for serial input, the way an OS idles: the 16550's received-data
 * interrupt (IER bit 0, gated onto the bus by MCR OUT2) goes through the 8259 PIC (COM1 = IRQ 4,
 * COM2 = IRQ 3) to an IDT handler, and `serial_getc` sleeps in HLT instead of polling LSR.
 * PC16550D datasheet (IER, MCR, IIR); Intel 8259A datasheet (ICW1-4, OCW1/OCW2).
 */
#ifndef GUEST_SERIAL_IRQ_H
#define GUEST_SERIAL_IRQ_H

#include <stdint.h>

/* The master PIC's vectors after serial_irq_enable: IRQ n arrives on vector 0x20 + n. */
#define PIC_VECTOR_BASE 0x20

/*
 * Programs both PICs (vectors 0x20-0x2F, every line masked but the UART's), installs the IDT
 * handler, enables the UART's RX interrupt and makes serial_getc wait with STI; HLT.
 * `base` is the UART initialised by serial_init (COM1_BASE or COM2_BASE).
 */
void serial_irq_enable(uint16_t base);
/* Serial interrupts taken since serial_irq_enable (each woke a HLT or arrived while busy). */
uint32_t serial_irq_count(void);

#endif
