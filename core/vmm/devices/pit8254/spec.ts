/**
 * Intel 8254 Programmable Interval Timer (datasheet 231164): ports, control word fields,
 * read-back command and status byte; and PC system control port B (0x61) which gates
 * channel 2 and shows its OUT.
 */

export const PIT_BASE = 0x40
export const PIT_CONTROL_PORT = 0x43
export const PIT_IRQ = 0
/** Input clock: 14.31818 MHz / 12. */
export const PIT_FREQUENCY_HZ = 1193182
export const PORT_B = 0x61

/** Control word fields. */
export const PitControl = { SC_SHIFT: 6, RW_SHIFT: 4, MODE_SHIFT: 1, BCD: 0x01, READ_BACK: 3 } as const
/** RW field: 0 = counter latch command. */
export const PitAccess = { LATCH: 0, LSB: 1, MSB: 2, LSB_MSB: 3 } as const
/** Read-back command: bit 5 clear latches counts, bit 4 clear latches status; bits 3:1 select channels 2..0. */
export const ReadBack = { NO_COUNT: 0x20, NO_STATUS: 0x10 } as const
/** Status byte. */
export const PitStatus = { OUT: 0x80, NULL_COUNT: 0x40 } as const

/** Port B bits. */
export const PortB = { GATE2: 0x01, SPEAKER: 0x02, REFRESH: 0x10, OUT2: 0x20, WRITABLE: 0x0f } as const
/** The DRAM refresh request toggles every 15.085 µs; BIOS-era delay loops count it. */
export const REFRESH_PERIOD_NS = 15085
