/**
 * The x87 load-constant instructions' values (Intel SDM vol. 2 "FLD1/FLDL2T/FLDL2E/FLDPI/
 * FLDLG2/FLDLN2/FLDZ"): computed once to 192 fraction bits with BigInt series (atanh for
 * the logarithms, Machin's formula for pi), then rounded to 64 bits per RC at load time.
 */
import { type F80, FMT_EXT, roundExt, status } from './f80'

const BITS = 192n
const ONE = 1n << BITS

/** atanh(1/k) (or atan(1/k) when `alternate`) in fixed point. */
function series(k: bigint, alternate: boolean): bigint {
  let sum = 0n
  let pow = ONE / k
  const k2 = k * k
  for (let n = 1n; pow !== 0n; n += 2n) {
    const term = pow / n
    sum += alternate && ((n >> 1n) & 1n) === 1n ? -term : term
    pow /= k2
  }
  return sum
}

const LN2 = 2n * series(3n, false)
const LN10 = 3n * LN2 + 2n * series(9n, false)
const PI = 16n * series(5n, true) - 4n * series(239n, true)

/** Fixed-point values (scaled by 2^192) indexed by the D9 E9..ED modrm low bits. */
const TABLE: readonly bigint[] = [
  (LN10 << BITS) / LN2, // E9 FLDL2T
  (ONE << BITS) / LN2, // EA FLDL2E
  PI, // EB FLDPI
  (LN2 << BITS) / LN10, // EC FLDLG2
  LN2, // ED FLDLN2
]

/** The constant for modrm E9..ED rounded per RC (these loads raise no precision exception). */
export function x87Constant(modrm: number, rc: number): F80 {
  const flags = status.flags
  const v = roundExt(0, TABLE[modrm - 0xe9], -Number(BITS), FMT_EXT, rc)
  status.flags = flags
  status.up = false
  return v
}
