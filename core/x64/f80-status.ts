/**
 * Shared pieces of the x87 soft float (Intel SDM vol. 1, 8.1.3 status word, 8.1.5 control
 * word, 4.2.2 formats): FSW bit names, RC values, the per-instruction exception
 * accumulator, and the binary formats results are rounded to.
 */

/** FPU status word bits (SDM vol. 1, 8.1.3). */
export const FSW = {
  IE: 0x1, DE: 0x2, ZE: 0x4, OE: 0x8, UE: 0x10, PE: 0x20, SF: 0x40, ES: 0x80,
  C0: 0x100, C1: 0x200, C2: 0x400, C3: 0x4000, B: 0x8000,
} as const

/** FPU control word RC field values (SDM vol. 1, table 4-8). */
export const RC = { Nearest: 0, Down: 1, Up: 2, Chop: 3 } as const

/** Exception flags raised by the current instruction and whether its last rounding went up in magnitude (C1). */
export const status = { flags: 0, up: false }

export function resetStatus(): void {
  status.flags = 0
  status.up = false
}

/** A binary format for rounding: precision in bits and the normal exponent range. */
export interface Fmt { p: number; emin: number; emax: number }
export const FMT_EXT: Fmt = { p: 64, emin: -16382, emax: 16383 }
export const FMT_F64: Fmt = { p: 53, emin: -1022, emax: 1023 }
export const FMT_F32: Fmt = { p: 24, emin: -126, emax: 127 }
/**
 * Rounding to an integer expressed as a format: the rounding point never goes below 2^0
 * (emin - (p - 1) = 0) and nothing overflows. Callers discard the UE this "format" reports.
 */
export const FMT_INT: Fmt = { p: 64, emin: 63, emax: 1 << 20 }
const FMT_PC: readonly Fmt[] = [
  { p: 24, emin: -16382, emax: 16383 },
  FMT_EXT, // PC = 01 is reserved; it behaves as 64-bit precision here
  { p: 53, emin: -16382, emax: 16383 },
  FMT_EXT,
]

/** The extended format restricted to the precision-control field of `fcw`. */
export function fmtForPc(fcw: number): Fmt {
  return FMT_PC[(fcw >> 8) & 3]
}
