/**
 * MUL/IMUL/DIV/IDIV on int32 halves (Intel SDM vol. 2 "MUL", "IMUL", "DIV", "IDIV").
 * Products up to 128 bits are built from 16-bit limbs so the common path stays in
 * doubles; only 64-bit divides whose dividend does not fit in 53 bits use BigInt.
 * Results are left in `prod` (four 32-bit words, little-endian) / `divq`, `divr`.
 */
import type { CpuState } from './cpu-state'
import { setResultCO } from './ops-alu'
import { de } from './faults'

/** 128-bit product words, least significant first. */
export const prod = new Int32Array(4)

/** Unsigned 32x32 -> 64: returns low word, high word in mulHi. */
let mulHi = 0
function mulu32(a: number, b: number): number {
  a >>>= 0; b >>>= 0
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16
  const t = al * bl, m1 = ah * bl, m2 = al * bh
  const mid = (t >>> 16) + (m1 & 0xffff) + (m2 & 0xffff)
  mulHi = (ah * bh + Math.floor(m1 / 65536) + Math.floor(m2 / 65536) + Math.floor(mid / 65536)) | 0
  return Math.imul(a, b)
}

/** Unsigned 64x64 -> 128 into prod. */
export function mulu64(aL: number, aH: number, bL: number, bH: number): void {
  const p0 = mulu32(aL, bL), p0h = mulHi
  const p1 = mulu32(aL, bH), p1h = mulHi
  const p2 = mulu32(aH, bL), p2h = mulHi
  const p3 = mulu32(aH, bH), p3h = mulHi
  prod[0] = p0
  let s = (p0h >>> 0) + (p1 >>> 0) + (p2 >>> 0)
  prod[1] = s | 0
  s = Math.floor(s / 4294967296) + (p1h >>> 0) + (p2h >>> 0) + (p3 >>> 0)
  prod[2] = s | 0
  prod[3] = (Math.floor(s / 4294967296) + p3h) | 0
}

/** Signed 64x64 -> 128 into prod. */
export function muls64(aL: number, aH: number, bL: number, bH: number): void {
  mulu64(aL, aH, bL, bH)
  // high half correction for two's complement operands
  if (aH < 0) sub64hi(bL, bH)
  if (bH < 0) sub64hi(aL, aH)
}

function sub64hi(l: number, h: number): void {
  const t = (prod[2] >>> 0) - (l >>> 0)
  prod[2] = t | 0
  prod[3] = (prod[3] - h - (t < 0 ? 1 : 0)) | 0
}

/** MUL (signed=false) / one-operand IMUL of rAX by `s`: writes rDX:rAX through setters. */
export function mulAcc(c: CpuState, size: number, a: number, ah: number, s: number, sh: number, signed: boolean): void {
  const r = c.r
  if (size === 1) {
    const p = signed ? ((a << 24) >> 24) * ((s << 24) >> 24) : (a & 0xff) * (s & 0xff)
    r[0] = (r[0] & ~0xffff) | (p & 0xffff)
    const over = signed ? p !== ((p << 24) >> 24) : (p & 0xff00) !== 0
    setResultCO(c, 1, p & 0xff, 0, over ? 1 : 0, over)
  } else if (size === 2) {
    const p = signed ? ((a << 16) >> 16) * ((s << 16) >> 16) : (a & 0xffff) * (s & 0xffff)
    r[0] = (r[0] & ~0xffff) | (p & 0xffff)
    r[4] = (r[4] & ~0xffff) | ((p >>> 16) & 0xffff)
    const over = signed ? p !== ((p << 16) >> 16) : (p >>> 16) !== 0
    setResultCO(c, 2, p & 0xffff, 0, over ? 1 : 0, over)
  } else if (size === 4) {
    const lo = mulu32(a, s)
    let hi = mulHi
    if (signed) hi = (hi - (a < 0 ? s : 0) - (s < 0 ? a : 0)) | 0
    r[0] = lo; r[1] = 0; r[4] = hi; r[5] = 0
    const over = signed ? hi !== (lo >> 31) : hi !== 0
    setResultCO(c, 4, lo, 0, over ? 1 : 0, over)
  } else {
    if (signed) muls64(a, ah, s, sh); else mulu64(a, ah, s, sh)
    r[0] = prod[0]; r[1] = prod[1]; r[4] = prod[2]; r[5] = prod[3]
    const over = signed ? prod[2] !== (prod[1] >> 31) || prod[3] !== (prod[1] >> 31) : (prod[2] | prod[3]) !== 0
    setResultCO(c, 8, prod[0], prod[1], over ? 1 : 0, over)
  }
}

/** Two/three-operand IMUL: returns the truncated product (hi in c.h), sets CF/OF. */
export function imulTrunc(c: CpuState, size: number, a: number, ah: number, b: number, bh: number): number {
  if (size === 2) {
    const p = ((a << 16) >> 16) * ((b << 16) >> 16)
    const over = p !== ((p << 16) >> 16)
    setResultCO(c, 2, p & 0xffff, 0, over ? 1 : 0, over)
    return p & 0xffff
  }
  if (size === 4) {
    const lo = mulu32(a, b)
    const hi = (mulHi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0
    const over = hi !== (lo >> 31)
    setResultCO(c, 4, lo, 0, over ? 1 : 0, over)
    return lo
  }
  if ((ah === 0 && bh === 0) || (ah === a >> 31 && bh === b >> 31)) {
    // both operands fit in 32 bits (unsigned, or signed): one 32x32 product, |p| < 2^64
    const unsigned = ah === 0 && bh === 0
    const lo = mulu32(a, b)
    const hi = unsigned ? mulHi : (mulHi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0
    // signed operands cannot overflow 64 bits; unsigned ones do when bit 63 is set
    const over = unsigned && hi < 0
    setResultCO(c, 8, lo, hi, over ? 1 : 0, over)
    c.h = hi
    return lo
  }
  muls64(a, ah, b, bh)
  const over = prod[2] !== (prod[1] >> 31) || prod[3] !== (prod[1] >> 31)
  setResultCO(c, 8, prod[0], prod[1], over ? 1 : 0, over)
  c.h = prod[1]
  return prod[0]
}

const TWO32 = 4294967296

/** DIV / IDIV of rDX:rAX by s; raises #DE on zero divisor or overflow. */
export function divAcc(c: CpuState, size: number, s: number, sh: number, signed: boolean): void {
  const r = c.r
  if (size === 1) {
    const ax = r[0] & 0xffff
    if ((s & 0xff) === 0) de()
    let q: number, m: number
    if (signed) { const n = (ax << 16) >> 16, dv = (s << 24) >> 24; q = Math.trunc(n / dv); m = n - q * dv; if (q > 127 || q < -128) de() } else { const dv = s & 0xff; q = Math.floor(ax / dv); m = ax - q * dv; if (q > 255) de() }
    r[0] = (r[0] & ~0xffff) | (q & 0xff) | ((m & 0xff) << 8)
    return
  }
  if (size === 2) {
    const n0 = ((r[4] & 0xffff) << 16) | (r[0] & 0xffff)
    if ((s & 0xffff) === 0) de()
    let q: number, m: number
    if (signed) { const dv = (s << 16) >> 16; q = Math.trunc(n0 / dv); m = n0 - q * dv; if (q > 32767 || q < -32768) de() } else { const n = n0 >>> 0, dv = s & 0xffff; q = Math.floor(n / dv); m = n - q * dv; if (q > 0xffff) de() }
    r[0] = (r[0] & ~0xffff) | (q & 0xffff)
    r[4] = (r[4] & ~0xffff) | (m & 0xffff)
    return
  }
  if (size === 4) {
    if (s === 0) de()
    let q: number, m: number
    if (signed) {
      const n = r[4] * TWO32 + (r[0] >>> 0)
      if (Math.abs(n) <= Number.MAX_SAFE_INTEGER) { q = Math.trunc(n / s); m = n - q * s } else {
        const nb = (BigInt(r[4]) << 32n) | BigInt(r[0] >>> 0), qb = nb / BigInt(s)
        q = Number(qb); m = Number(nb - qb * BigInt(s))
      }
      if (q > 0x7fffffff || q < -0x80000000) de()
    } else {
      const n = (r[4] >>> 0) * TWO32 + (r[0] >>> 0), dv = s >>> 0
      if (n <= Number.MAX_SAFE_INTEGER) { q = Math.floor(n / dv); m = n - q * dv } else {
        const nb = (BigInt(r[4] >>> 0) << 32n) | BigInt(r[0] >>> 0), qb = nb / BigInt(dv)
        q = Number(qb); m = Number(nb - qb * BigInt(dv))
      }
      if (q > 0xffffffff) de()
    }
    r[0] = q | 0; r[1] = 0; r[4] = m | 0; r[5] = 0
    return
  }
  if (s === 0 && sh === 0) de()
  // fast path: dividend (RDX = 0) and divisor are non-negative and below 2^53
  if (!signed || (r[1] >= 0 && sh >= 0)) {
    if ((r[4] | r[5]) === 0 && (r[1] >>> 0) < 0x200000 && (sh >>> 0) < 0x200000) {
      const n = (r[1] >>> 0) * TWO32 + (r[0] >>> 0), dv = (sh >>> 0) * TWO32 + (s >>> 0)
      const q = Math.floor(n / dv), m = n - q * dv
      r[0] = q | 0; r[1] = Math.floor(q / TWO32) | 0; r[4] = m | 0; r[5] = Math.floor(m / TWO32) | 0
      return
    }
  }
  const mask64 = (1n << 64n) - 1n
  const u = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)
  let n = (u(r[4], r[5]) << 64n) | u(r[0], r[1])
  let dv = u(s, sh)
  let q: bigint, m: bigint
  if (signed) {
    if (n >> 127n) n -= 1n << 128n
    if (dv >> 63n) dv -= 1n << 64n
    q = n / dv; m = n % dv
    if (q > 0x7fffffffffffffffn || q < -0x8000000000000000n) de()
  } else {
    q = n / dv; m = n % dv
    if (q > mask64) de()
  }
  q &= mask64; m &= mask64
  r[0] = Number(q & 0xffffffffn) | 0; r[1] = Number(q >> 32n) | 0
  r[4] = Number(m & 0xffffffffn) | 0; r[5] = Number(m >> 32n) | 0
}
