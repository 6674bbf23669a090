/**
 * The x87 80-bit extended-precision format as a soft float (Intel SDM vol. 1, 4.2.2 "Floating-
 * point data types", 4.8 "Real numbers and floating-point formats", 8.1.5 "x87 FPU control
 * word" precision/rounding control, 4.9 "Floating-point exception conditions").
 *
 * This file owns the packed value {se, hi, lo} (sign|15-bit exponent, 64-bit significand
 * incl. the explicit integer bit J as two unsigned 32-bit halves), classification, and
 * packing the result of a rounding (f80-round.ts) as extended, float64 or float32.
 *
 * BigInt: only FDIV, FSQRT, FPREM, FSCALE, FXTRACT, FBLD/FBSTP and the constants compute
 * with it (roundTo below hands their exact results to the limb rounding); add/sub/mul,
 * compares, FRNDINT, integer and float32/float64 conversions, loads, stores and moves
 * use numbers only.
 */

import { FSW, FMT_EXT, type Fmt } from './f80-status'
import { acc, bitLength64, lim, roundLimbs, rounded, sh64, shl64 } from './f80-round'

export { FSW, RC, status, resetStatus, FMT_EXT, FMT_F64, FMT_F32, fmtForPc, type Fmt } from './f80-status'
export { rounded } from './f80-round'

export interface F80 {
  /** Sign (bit 15) and biased exponent (bits 14:0). */
  se: number
  /** Significand bits 63:32 (bit 31 = J), unsigned. */
  hi: number
  /** Significand bits 31:0, unsigned. */
  lo: number
}



export const F80Class = { Zero: 0, Denormal: 1, Normal: 2, Inf: 3, QNaN: 4, SNaN: 5, Unsupported: 6 } as const


/** Real indefinite: the QNaN a masked invalid operation delivers (SDM vol. 1, 4.8.3.7). */
export const INDEFINITE: Readonly<F80> = { se: 0xffff, hi: 0xc0000000, lo: 0 }

export function f80(se: number, hi: number, lo: number): F80 {
  return { se: se & 0xffff, hi: hi >>> 0, lo: lo >>> 0 }
}

export function classify(v: F80): number {
  const e = v.se & 0x7fff
  if (e === 0) return (v.hi | v.lo) === 0 ? F80Class.Zero : F80Class.Denormal // incl. pseudo-denormals
  if ((v.hi & 0x80000000) === 0) return F80Class.Unsupported // unnormal, pseudo-NaN, pseudo-infinity
  if (e === 0x7fff) {
    if ((v.hi & 0x7fffffff) === 0 && v.lo === 0) return F80Class.Inf
    return (v.hi & 0x40000000) !== 0 ? F80Class.QNaN : F80Class.SNaN
  }
  return F80Class.Normal
}

export function isNaNClass(k: number): boolean {
  return k === F80Class.QNaN || k === F80Class.SNaN
}

export function signOf(v: F80): number {
  return (v.se >>> 15) & 1
}

export function zero(sign: number): F80 {
  return { se: sign << 15, hi: 0, lo: 0 }
}

export function infinity(sign: number): F80 {
  return { se: (sign << 15) | 0x7fff, hi: 0x80000000, lo: 0 }
}

export function quiet(v: F80): F80 {
  return { se: v.se, hi: (v.hi | 0x40000000) >>> 0, lo: v.lo }
}

/** Significand of a finite value as a BigInt. */
export function sigOf(v: F80): bigint {
  return (BigInt(v.hi >>> 0) << 32n) | BigInt(v.lo >>> 0)
}

/** Weight exponent of the significand's bit 0 (denormals use the minimum exponent). */
export function lsbExp(v: F80): number {
  const e = v.se & 0x7fff
  return (e === 0 ? 1 : e) - 16383 - 63
}

export function bitLength(x: bigint): number {
  if (x === 0n) return 0
  const h = x.toString(16)
  const d = parseInt(h[0], 16)
  return (h.length - 1) * 4 + (32 - Math.clz32(d))
}


/**
 * Round (-1)^sign · sig · 2^e2 (sig > 0, exact or with a sticky lsb below the rounding
 * point) to format `f` (f80-round.ts does the work on 32-bit limbs). Used by the
 * operations that compute with BigInt (division, square root, remainders, integers).
 */
export function roundTo(sign: number, sig: bigint, e2: number, f: Fmt, rc: number): void {
  const n = bitLength(sig)
  if (n > 2200) {
    // far below any rounding point: fold the low bits into a sticky bit
    const k = n - 2200
    const low = sig & ((1n << BigInt(k)) - 1n)
    sig = (sig >> BigInt(k)) | (low !== 0n ? 1n : 0n)
    e2 += k
  }
  let i = 0
  while (sig !== 0n) { acc[i++] = Number(sig & 0xffffffffn); sig >>= 32n }
  lim.n = i
  roundLimbs(sign, e2, f, rc)
}

/** Pack the last rounding result into the extended format. */
export function packExt(): F80 {
  const s = rounded.sign
  if (rounded.inf) return infinity(s)
  const bl = bitLength64(rounded.qhi, rounded.qlo)
  if (bl === 0) return zero(s)
  const E = rounded.L + bl - 1
  if (E >= FMT_EXT.emin) {
    shl64(rounded.qhi, rounded.qlo, 64 - bl)
    return { se: (s << 15) | (E + 16383), hi: sh64.hi, lo: sh64.lo }
  }
  shl64(rounded.qhi, rounded.qlo, rounded.L + 16445)
  return { se: s << 15, hi: sh64.hi, lo: sh64.lo }
}

/** Pack the last rounding result (format `f`: float32 or float64) as IEEE bits: [lo, hi] words. */
export function packIeee(f: Fmt): [number, number] {
  const s = rounded.sign
  const f64 = f.p === 53
  const fracHi = f64 ? 20 : 23 // fraction bits in the high (f64) or only (f32) word
  const bias = f.emax
  let hi: number, lo: number
  const bl = bitLength64(rounded.qhi, rounded.qlo)
  if (rounded.inf) { hi = (f64 ? 0x7ff : 0xff) << fracHi; lo = 0 } else if (bl === 0) { hi = 0; lo = 0 } else {
    const E = rounded.L + bl - 1
    if (E >= f.emin) {
      const biased = E + bias
      if (f64) { hi = (biased << 20) | (rounded.qhi & 0xfffff); lo = rounded.qlo } else { hi = (biased << 23) | (rounded.qlo & 0x7fffff); lo = 0 }
    } else {
      shl64(rounded.qhi, rounded.qlo, rounded.L - (f.emin - (f.p - 1)))
      hi = f64 ? sh64.hi : sh64.lo; lo = f64 ? sh64.lo : 0
    }
  }
  hi = (hi | (s << 31)) >>> 0
  return f64 ? [lo >>> 0, hi] : [hi, 0]
}

/** Round an exact value to the extended format with precision control `f`. */
export function roundExt(sign: number, sig: bigint, e2: number, f: Fmt, rc: number): F80 {
  if (sig === 0n) return zero(sign)
  roundTo(sign, sig, e2, f, rc)
  return packExt()
}
