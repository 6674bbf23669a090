/**
 * The 64-bit hypercall input value and result value (TLFS 4.2, 4.4), kept as two 32-bit
 * halves so the native path needs no bigint. Input: call code 15:0, Fast 16, RsvdZ 31:17,
 * rep count 43:32, RsvdZ 47:44, rep start index 59:48, RsvdZ 63:60. Result: status 15:0,
 * reps completed 43:32, everything else written as 0 (DECISION 4.4).
 */

export interface HypercallControl {
  code: number
  fast: boolean
  repCount: number
  repStart: number
  /** True when a RsvdZ bit of the input value is set. */
  reservedBitsSet: boolean
}

export function parseHypercallInput(lo: number, hi: number, out: HypercallControl): HypercallControl {
  out.code = lo & 0xffff
  out.fast = (lo & 0x10000) !== 0
  out.repCount = hi & 0xfff
  out.repStart = (hi >>> 16) & 0xfff
  out.reservedBitsSet = (lo & 0xfffe0000) !== 0 || (hi & 0xf000f000) !== 0
  return out
}

/** Build the input value (for the wrapper interface and for tests). */
export function makeHypercallInput(code: number, opts: { fast?: boolean; repCount?: number; repStart?: number } = {}): bigint {
  let v = BigInt(code & 0xffff)
  if (opts.fast) v |= 1n << 16n
  v |= BigInt((opts.repCount ?? 0) & 0xfff) << 32n
  v |= BigInt((opts.repStart ?? 0) & 0xfff) << 48n
  return v
}

/** Result value low half: status only (bits 31:16 are written as 0). */
export function resultLo(status: number): number {
  return status & 0xffff
}
/** Result value high half: reps completed in bits 43:32 (bits 63:44 written as 0). */
export function resultHi(repsCompleted: number): number {
  return repsCompleted & 0xfff
}

export function makeHypercallResult(status: number, repsCompleted: number): bigint {
  return BigInt(resultLo(status)) | (BigInt(resultHi(repsCompleted)) << 32n)
}

/** Round up to the next multiple of 8 (parameter blocks are 8-byte padded, 4.5). */
export function roundUp8(n: number): number {
  return (n + 7) & ~7
}
