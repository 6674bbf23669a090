/*
 * serial-irq.h: the UART receive interrupt through the 8259 pair, and the HLT-based wait
 * serial_getc uses once it is on. The handler only acknowledges the PIC; the byte itself is
 * read by serial_getc, which checks LSR.DR with interrupts off and then executes STI; HLT, so
 * an interrupt that arrives between the check and the HLT still ends the HLT (the STI shadow
 * covers the HLT: Intel SDM vol. 2 STI, "interrupts are recognised after the next instruction").
 */
#include "serial-irq.h"
#include "cpu.h"
#include "serial.h"
#include "trap.h"

#define PIC_MASTER_CMD  0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD   0xA0
#define PIC_SLAVE_DATA  0xA1
#define PIC_ICW1_INIT_ICW4 0x11 /* ICW1: edge triggered, cascade, ICW4 follows */
#define PIC_ICW4_8086      0x01
#define PIC_OCW2_EOI       0x20 /* non-specific EOI */
#define PIC_CASCADE_IRQ    2

#define UART_IER 1
#define UART_MCR 4
#define UART_LSR 5
#define IER_ERBFI 0x01 /* received data available (and, with FIFOs, the character timeout) */
#define MCR_DTR   0x01
#define MCR_RTS   0x02
#define MCR_OUT2  0x08 /* on a PC, OUT2 connects the UART's INTR output to the IRQ line */
#define LSR_DR    0x01

#define COM1_IRQ 4
#define COM2_IRQ 3

static uint16_t irq_base;
static volatile uint32_t irq_count;

static void on_serial_irq(struct hvt_frame *f)
{
    (void)f;
    irq_count++;
    /*
     * Edge-triggered line: the UART holds it high while bytes wait, so no new edge (and no new
     * interrupt) comes until serial_getc has drained the FIFO; EOI only reopens the PIC level.
     */
    outb(PIC_MASTER_CMD, PIC_OCW2_EOI);
}

/* Waits for LSR.DR without a busy loop: the check and the HLT happen with IF = 0 until STI. */
static void serial_irq_wait(void)
{
    cli();
    if (!(inb(irq_base + UART_LSR) & LSR_DR))
        __asm__ volatile("sti\n\thlt\n\tcli" : : : "memory");
}

static void pic_init(uint8_t unmasked_irq)
{
    outb(PIC_MASTER_CMD, PIC_ICW1_INIT_ICW4);
    outb(PIC_SLAVE_CMD, PIC_ICW1_INIT_ICW4);
    outb(PIC_MASTER_DATA, PIC_VECTOR_BASE);     /* ICW2 */
    outb(PIC_SLAVE_DATA, PIC_VECTOR_BASE + 8);
    outb(PIC_MASTER_DATA, 1 << PIC_CASCADE_IRQ); /* ICW3: slave on IR2 */
    outb(PIC_SLAVE_DATA, PIC_CASCADE_IRQ);
    outb(PIC_MASTER_DATA, PIC_ICW4_8086);
    outb(PIC_SLAVE_DATA, PIC_ICW4_8086);
    outb(PIC_MASTER_DATA, (uint8_t)~(1u << unmasked_irq)); /* OCW1 */
    outb(PIC_SLAVE_DATA, 0xFF);
}

void serial_irq_enable(uint16_t base)
{
    uint8_t irq = base == COM2_BASE ? COM2_IRQ : COM1_IRQ;
    cli();
    irq_base = base;
    hvt_install();
    hvt_set_handler(PIC_VECTOR_BASE + irq, on_serial_irq);
    pic_init(irq);
    outb(base + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    outb(base + UART_IER, IER_ERBFI);
    serial_set_wait(serial_irq_wait);
}

uint32_t serial_irq_count(void) { return irq_count; }
