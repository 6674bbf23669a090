/**
 * Intel 8259A Programmable Interrupt Controller (datasheet 231468): command words and the
 * PC/AT wiring of two chips (slave on master IR2) plus the PIIX Edge/Level Control
 * Registers at 0x4D0/0x4D1.
 */

export const PIC_MASTER_BASE = 0x20
export const PIC_SLAVE_BASE = 0xa0
export const PIC_ELCR_BASE = 0x4d0
export const PIC_CASCADE_IRQ = 2

/** ICW1 (written to the command port with bit 4 set). */
export const ICW1 = { IC4: 0x01, SNGL: 0x02, ADI: 0x04, LTIM: 0x08, INIT: 0x10 } as const
/** ICW4. */
export const ICW4 = { UPM: 0x01, AEOI: 0x02, SFNM: 0x10 } as const
/** OCW3 (command port, bit 3 set, bit 4 clear). */
export const OCW3 = { RIS: 0x01, RR: 0x02, P: 0x04, IS_OCW3: 0x08, SMM: 0x20, ESMM: 0x40 } as const
/** OCW2 commands (bits 7:5). */
export const OCW2 = {
  ROTATE_AEOI_CLEAR: 0, NON_SPECIFIC_EOI: 1, NOP: 2, SPECIFIC_EOI: 3,
  ROTATE_AEOI_SET: 4, ROTATE_NON_SPECIFIC_EOI: 5, SET_PRIORITY: 6, ROTATE_SPECIFIC_EOI: 7,
} as const

/** ELCR bits that may be level-triggered: IRQ0-2 (master) and IRQ8/IRQ13 (slave) are always edge. */
export const ELCR_MASK = [0xf8, 0xde] as const
