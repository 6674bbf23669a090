/**
 * Conversions between the x87 extended format and float32/float64/int16/int32/int64
 * (Intel SDM vol. 2 "FLD", "FST/FSTP", "FILD", "FIST/FISTP", "FISTTP"; vol. 1, 4.8.3.7
 * QNaN floating-point indefinite, 4.8.4 integer indefinite). Loads of float32/float64 are
 * exact bit manipulation (no BigInt); stores round through f80.ts.
 */
import {
  type F80, F80Class, FMT_F32, FMT_F64, FSW, classify, isNaNClass, packIeee, lsbExp, signOf, status,
} from './f80'
import { roundToInteger } from './f80-arith'
import { bitLength64, load64, roundLimbs, rounded, sh64, shl64 } from './f80-round'

/** Normalise significand (hi, lo, J possibly clear, non-zero) with unbiased exponent of bit 63 `e`. */
function normalized(sign: number, hi: number, lo: number, e: number): F80 {
  const s = 64 - bitLength64(hi, lo)
  shl64(hi, lo, s)
  return { se: (sign << 15) | (e - s + 16383), hi: sh64.hi, lo: sh64.lo }
}

/**
 * float32 bits → extended (exact); denormal → DE. An SNaN raises IE and is quieted (FLD),
 * or with `keepSNaN` stays signaling for the arithmetic to judge (operands of FADD m32 …).
 */
export function fromF32(bits: number, keepSNaN = false): F80 {
  const sign = bits >>> 31
  const exp = (bits >>> 23) & 0xff
  const frac = bits & 0x7fffff
  if (exp === 0xff) {
    if (frac === 0) return { se: (sign << 15) | 0x7fff, hi: 0x80000000, lo: 0 }
    if (keepSNaN) return { se: (sign << 15) | 0x7fff, hi: (0x80000000 | (frac << 8)) >>> 0, lo: 0 }
    if ((frac & 0x400000) === 0) status.flags |= FSW.IE
    return { se: (sign << 15) | 0x7fff, hi: (0xc0000000 | (frac << 8)) >>> 0, lo: 0 }
  }
  if (exp === 0) {
    if (frac === 0) return { se: sign << 15, hi: 0, lo: 0 }
    status.flags |= FSW.DE
    return normalized(sign, (frac << 8) >>> 0, 0, -126)
  }
  return { se: (sign << 15) | (exp - 127 + 16383), hi: (0x80000000 | (frac << 8)) >>> 0, lo: 0 }
}

/** float64 (lo, hi words) → extended (exact); as fromF32. */
export function fromF64(lo: number, hi: number, keepSNaN = false): F80 {
  const sign = hi >>> 31
  const exp = (hi >>> 20) & 0x7ff
  const fh = hi & 0xfffff
  const mh = ((fh << 11) | (lo >>> 21)) >>> 0
  const ml = (lo << 11) >>> 0
  if (exp === 0x7ff) {
    if (fh === 0 && lo === 0) return { se: (sign << 15) | 0x7fff, hi: 0x80000000, lo: 0 }
    if (keepSNaN) return { se: (sign << 15) | 0x7fff, hi: (0x80000000 | mh) >>> 0, lo: ml }
    if ((fh & 0x80000) === 0) status.flags |= FSW.IE
    return { se: (sign << 15) | 0x7fff, hi: (0xc0000000 | mh) >>> 0, lo: ml }
  }
  if (exp === 0) {
    if (fh === 0 && lo === 0) return { se: sign << 15, hi: 0, lo: 0 }
    status.flags |= FSW.DE
    return normalized(sign, mh, ml, -1022)
  }
  return { se: (sign << 15) | (exp - 1023 + 16383), hi: (0x80000000 | mh) >>> 0, lo: ml }
}

/** Extended → float32 bits, rounded per `rc`. */
export function toF32(v: F80, rc: number): number {
  const k = classify(v)
  const sign = signOf(v)
  if (k === F80Class.Unsupported) { status.flags |= FSW.IE; return 0xffc00000 | 0 }
  if (isNaNClass(k)) {
    if (k === F80Class.SNaN) status.flags |= FSW.IE
    return ((sign << 31) | 0x7fc00000 | ((v.hi >>> 8) & 0x3fffff)) | 0
  }
  if (k === F80Class.Inf) return ((sign << 31) | 0x7f800000) | 0
  if (k === F80Class.Zero) return (sign << 31) | 0
  load64(v.hi, v.lo)
  roundLimbs(sign, lsbExp(v), FMT_F32, rc)
  return packIeee(FMT_F32)[0] | 0
}

/** Extended → float64 as [lo, hi] words, rounded per `rc`. */
export function toF64(v: F80, rc: number): [number, number] {
  const k = classify(v)
  const sign = signOf(v)
  if (k === F80Class.Unsupported) { status.flags |= FSW.IE; return [0, 0xfff80000 | 0] }
  if (isNaNClass(k)) {
    if (k === F80Class.SNaN) status.flags |= FSW.IE
    return [((v.hi << 21) | (v.lo >>> 11)) | 0, ((sign << 31) | 0x7ff80000 | ((v.hi >>> 11) & 0x7ffff)) | 0]
  }
  if (k === F80Class.Inf) return [0, ((sign << 31) | 0x7ff00000) | 0]
  if (k === F80Class.Zero) return [0, (sign << 31) | 0]
  load64(v.hi, v.lo)
  roundLimbs(sign, lsbExp(v), FMT_F64, rc)
  const r = packIeee(FMT_F64)
  return [r[0] | 0, r[1] | 0]
}

/**
 * Extended → signed integer of `bytes` (2/4/8) as [lo, hi] words, rounded per `rc`
 * (FISTTP passes chop). NaN, infinity, unsupported or out of range: IE and the integer
 * indefinite (the most negative value).
 */
export function toInt(v: F80, bytes: number, rc: number): [number, number] {
  const k = classify(v)
  const indef: [number, number] = bytes === 8 ? [0, 0x80000000 | 0] : [bytes === 4 ? 0x80000000 | 0 : 0x8000, 0]
  if (k === F80Class.Unsupported || k === F80Class.Inf || isNaNClass(k)) { status.flags |= FSW.IE; return indef }
  if (k === F80Class.Zero) return [0, 0]
  const before = status.flags
  roundToInteger(v, rc)
  const neg = signOf(v) === 1
  const h = rounded.qhi, l = rounded.qlo
  // magnitude limit 2^(bits-1), reached only by the most negative value
  let fits: boolean
  if (rounded.L > 0 && (h | l) !== 0) fits = false
  else if (bytes === 8) fits = h < 0x80000000 || (neg && h === 0x80000000 && l === 0)
  else if (bytes === 4) fits = h === 0 && (l < 0x80000000 || (neg && l === 0x80000000))
  else fits = h === 0 && (l < 0x8000 || (neg && l === 0x8000))
  if (!fits) { status.flags = before | FSW.IE; status.up = false; return indef }
  if (!neg) return [l | 0, h | 0]
  const nl = (~l + 1) >>> 0
  return [nl | 0, (~h + (nl === 0 ? 1 : 0)) | 0]
}

/** Signed integer (lo, hi words; 16/32-bit values pass hi = sign extension) → extended, exact. */
export function fromInt(lo: number, hi: number): F80 {
  let h = hi >>> 0, l = lo >>> 0
  const sign = h >>> 31
  if (sign) { l = (~l + 1) >>> 0; h = (~h + (l === 0 ? 1 : 0)) >>> 0 } // magnitude (2^63 stays 2^63)
  if ((h | l) === 0) return { se: 0, hi: 0, lo: 0 }
  return normalized(sign, h, l, 63)
}
