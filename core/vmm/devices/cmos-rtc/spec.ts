/**
 * Motorola MC146818A real-time clock and CMOS RAM as on the PC/AT (index port 0x70 whose
 * bit 7 masks NMI, data port 0x71), register A-D bits, and the memory-size bytes QEMU's
 * PC firmware interface fills in (0x15-0x18, 0x30-0x31, 0x34-0x35, 0x5B-0x5D).
 */

export const CMOS_INDEX_PORT = 0x70
export const CMOS_DATA_PORT = 0x71
export const RTC_IRQ = 8
export const CMOS_SIZE = 128
export const NMI_DISABLE = 0x80

export const RtcReg = {
  SECONDS: 0x00, SECONDS_ALARM: 0x01, MINUTES: 0x02, MINUTES_ALARM: 0x03, HOURS: 0x04, HOURS_ALARM: 0x05,
  DAY_OF_WEEK: 0x06, DAY_OF_MONTH: 0x07, MONTH: 0x08, YEAR: 0x09, A: 0x0a, B: 0x0b, C: 0x0c, D: 0x0d,
  CENTURY: 0x32,
} as const

export const RegA = { UIP: 0x80, DV_MASK: 0x70, RS_MASK: 0x0f } as const
export const RegB = { SET: 0x80, PIE: 0x40, AIE: 0x20, UIE: 0x10, SQWE: 0x08, DM_BINARY: 0x04, HOUR_24: 0x02, DSE: 0x01 } as const
export const RegC = { IRQF: 0x80, PF: 0x40, AF: 0x20, UF: 0x10 } as const
export const RegD = { VRT: 0x80 } as const

/** Divider setting 010 (32.768 kHz time base, running); other values hold the clock in reset. */
export const DV_NORMAL = 0x20
/** The update-in-progress window before each second's update (datasheet: 244 µs). */
export const UIP_WINDOW_NS = 244_000
/** An alarm byte with bits 7:6 set matches any value ("don't care"). */
export const ALARM_DONT_CARE = 0xc0

/** Periodic interrupt rate for RS 1..15 (RS 1 and 2 behave as 8 and 9 with a 32.768 kHz base). */
export function periodicHz(rs: number): number {
  if (rs === 0) return 0
  if (rs < 3) rs += 7
  return 32768 >> (rs - 1)
}

export const CmosMem = {
  BASE_MEM_LO: 0x15, BASE_MEM_HI: 0x16, EXT_MEM_LO: 0x17, EXT_MEM_HI: 0x18, EXT_MEM2_LO: 0x30, EXT_MEM2_HI: 0x31,
  MEM_ABOVE_16M_LO: 0x34, MEM_ABOVE_16M_HI: 0x35, MEM_ABOVE_4G_0: 0x5b, MEM_ABOVE_4G_1: 0x5c, MEM_ABOVE_4G_2: 0x5d,
} as const
