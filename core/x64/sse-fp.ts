/**
 * IEEE-754 arithmetic as the SSE unit does it (Intel SDM vol. 1, ch. 11.5 "SIMD floating-
 * point exceptions", 4.8.3 NaN handling, 10.2.3 MXCSR): results rounded per MXCSR.RC,
 * FTZ/DAZ, QNaN propagation (first operand first, SNaNs quieted, the "real indefinite"
 * default NaN for invalid operations) and the sticky IE/DE/ZE/OE/UE/PE flags. Doubles
 * are computed correctly rounded by JS; the direction of the rounding error comes from
 * error-free transformations (TwoSum, Dekker's TwoProduct, remainders) so directed
 * rounding and the precision flag are exact. Exceptions are always treated as masked.
 */
import type { CpuState } from './cpu-state'

export const MX = { IE: 1, DE: 2, ZE: 4, OE: 8, UE: 0x10, PE: 0x20, DAZ: 0x40, FTZ: 0x8000 } as const

const f64 = new Float64Array(1)
const u64 = new Int32Array(f64.buffer)
const f32 = new Float32Array(1)
const u32 = new Int32Array(f32.buffer)

const MAX32 = 3.4028234663852886e38
const MIN32 = 1.1754943508222875e-38
const MAX64 = Number.MAX_VALUE
const MIN64 = 2.2250738585072014e-308
export const QNAN32 = 0xffc00000 | 0
export const QNAN64_HI = 0xfff80000 | 0

/** Result of the 64-bit lane functions. */
export const out = { lo: 0, hi: 0 }

export function fromBits32(b: number): number { u32[0] = b; return f32[0] }
export function toBits32(v: number): number { f32[0] = v; return u32[0] }
export function fromBits64(lo: number, hi: number): number { u64[0] = lo; u64[1] = hi; return f64[0] }
/** Bits of double `v` into out.lo/out.hi. */
export function setOut64(v: number): void { f64[0] = v; out.lo = u64[0]; out.hi = u64[1] }

export function isNaN32(b: number): boolean { return (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 }
export function isSNaN32(b: number): boolean { return isNaN32(b) && (b & 0x400000) === 0 }
export function isNaN64(lo: number, hi: number): boolean { return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0 }
export function isSNaN64(lo: number, hi: number): boolean { return isNaN64(lo, hi) && (hi & 0x80000) === 0 }
function isDen32(b: number): boolean { return (b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0 }
function isDen64(lo: number, hi: number): boolean { return (hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0 }

/** Read a single operand honouring DAZ (and flagging DE). */
export function in32(c: CpuState, b: number): number {
  if (isDen32(b)) {
    if ((c.mxcsr & MX.DAZ) !== 0) return b < 0 ? -0 : 0
    c.mxcsr |= MX.DE
  }
  return fromBits32(b)
}
/** Operand of a float->int conversion: DAZ applies, but these never signal DE. */
export function cvtIn32(c: CpuState, b: number): number {
  if (isNaN32(b)) return NaN
  if (isDen32(b) && (c.mxcsr & MX.DAZ) !== 0) return b < 0 ? -0 : 0
  return fromBits32(b)
}
export function cvtIn64(c: CpuState, lo: number, hi: number): number {
  if (isNaN64(lo, hi)) return NaN
  if (isDen64(lo, hi) && (c.mxcsr & MX.DAZ) !== 0) return hi < 0 ? -0 : 0
  return fromBits64(lo, hi)
}
export function in64(c: CpuState, lo: number, hi: number): number {
  if (isDen64(lo, hi)) {
    if ((c.mxcsr & MX.DAZ) !== 0) return hi < 0 ? -0 : 0
    c.mxcsr |= MX.DE
  }
  return fromBits64(lo, hi)
}

function next32(v: number, up: boolean): number {
  if (v === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45
  let b = toBits32(v)
  b = (v > 0) === up ? b + 1 : b - 1
  return fromBits32(b)
}
function next64(v: number, up: boolean): number {
  if (v === 0) return up ? 5e-324 : -5e-324
  f64[0] = v
  let lo = u64[0] >>> 0, hi = u64[1]
  if ((v > 0) === up) { lo += 1; if (lo > 0xffffffff) { lo = 0; hi += 1 } } else { lo -= 1; if (lo < 0) { lo = 0xffffffff; hi -= 1 } }
  u64[0] = lo | 0; u64[1] = hi
  return f64[0]
}

/**
 * Round `r` (the correctly rounded double of the true result; `dir` = sign(true - r))
 * to the destination format per MXCSR, setting OE/UE/PE. Returns the value.
 */
export function roundTo(c: CpuState, r: number, dir: number, single: boolean): number {
  if (r !== r) return r
  const rc = (c.mxcsr >> 13) & 3
  const max = single ? MAX32 : MAX64, min = single ? MIN32 : MIN64
  if (!Number.isFinite(r) && dir === 0) return r
  let f = single ? Math.fround(r) : r
  let d = f !== r ? (r > f ? 1 : -1) : dir
  if (Math.abs(r) > max || (!Number.isFinite(f) && Number.isFinite(r)) || (!Number.isFinite(r) && dir !== 0)) {
    c.mxcsr |= MX.OE | MX.PE
    const pos = r > 0
    if (rc === 0) return pos ? Infinity : -Infinity
    if (rc === 3) return pos ? max : -max
    if (rc === 2) return pos ? Infinity : -max
    return pos ? max : -Infinity
  }
  if (d !== 0) {
    c.mxcsr |= MX.PE
    if (rc === 1 && d < 0) { f = single ? next32(f, false) : next64(f, false); d = 1 }
    else if (rc === 2 && d > 0) { f = single ? next32(f, true) : next64(f, true); d = -1 }
    else if (rc === 3 && ((d < 0 && f > 0) || (d > 0 && f < 0))) { f = single ? next32(f, f < 0) : next64(f, f < 0) }
    if (!Number.isFinite(f)) c.mxcsr |= MX.OE
  }
  const tiny = (r !== 0 && Math.abs(r) < min) || (r === 0 && dir !== 0)
  if (tiny) {
    if ((c.mxcsr & MX.FTZ) !== 0) { c.mxcsr |= MX.UE | MX.PE; return r < 0 || (r === 0 && dir < 0) ? -0 : 0 }
    if (d !== 0 || dir !== 0) c.mxcsr |= MX.UE
  }
  return f
}

/** x * 2^e without intermediate overflow of the power. */
function scale(x: number, e: number): number {
  if (!Number.isFinite(e)) return x
  while (e > 1000) { x *= 2 ** 1000; e -= 1000 }
  while (e < -1000) { x *= 2 ** -1000; e += 1000 }
  return x * 2 ** e
}

function split(a: number): [number, number] {
  const t = 134217729 * a
  const hi = t - (t - a)
  return [hi, a - hi]
}
/** Sign of the error of p = fl(a*b) (true - p). */
function mulErrSign(a: number, b: number, p: number): number {
  if (a === 0 || b === 0) return 0
  if (Math.abs(a) > 1e300 || Math.abs(b) > 1e300 || Math.abs(p) < 1e-290 || !Number.isFinite(p)) {
    if (!Number.isFinite(p)) return p > 0 ? 1 : -1
    // scale into a safe range; powers of two keep everything exact
    const ea = Math.floor(Math.log2(Math.abs(a))), eb = Math.floor(Math.log2(Math.abs(b)))
    const sa = scale(a, -ea), sb = scale(b, -eb)
    const sp = sa * sb, err = twoProdErr(sa, sb, sp)
    const q = scale(p, -(ea + eb)) // exact: p scaled into the normal range
    const diff = (sp - q) + err
    return diff > 0 ? 1 : diff < 0 ? -1 : 0
  }
  const e = twoProdErr(a, b, p)
  return e > 0 ? 1 : e < 0 ? -1 : 0
}
function twoProdErr(a: number, b: number, p: number): number {
  const [ah, al] = split(a), [bh, bl] = split(b)
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl
}

/** Binary op code: 0x58 add, 0x59 mul, 0x5c sub, 0x5e div, 0x51 sqrt (b only). */
export function arith(c: CpuState, op: number, a: number, b: number, single: boolean): number {
  let r: number, dir = 0
  switch (op) {
    case 0x58: case 0x5c: {
      const bb = op === 0x5c ? -b : b
      r = a + bb
      // NaN operands were handled by the caller: a NaN sum is inf - inf, invalid (SDM vol. 1, 4.9.1.2)
      if (r !== r) { c.mxcsr |= MX.IE; return NaN }
      if (Number.isFinite(r)) { const z = r - a; const e = (a - (r - z)) + (bb - z); dir = e > 0 ? 1 : e < 0 ? -1 : 0 }
      else if (Number.isFinite(a) && Number.isFinite(b)) dir = r > 0 ? 1 : -1
      if (r === 0 && a === -bb && a !== 0) r = ((c.mxcsr >> 13) & 3) === 1 ? -0 : 0
      break
    }
    case 0x59:
      r = a * b
      if (r !== r) { c.mxcsr |= MX.IE; return NaN }
      if (Number.isFinite(a) && Number.isFinite(b)) dir = single ? 0 : mulErrSign(a, b, r)
      if (!single && !Number.isFinite(r) && Number.isFinite(a) && Number.isFinite(b)) dir = r > 0 ? 1 : -1
      break
    case 0x5e:
      if (b === 0 && a === a && a !== 0 && Number.isFinite(a)) { c.mxcsr |= MX.ZE; return (a < 0) !== Object.is(b, -0) ? -Infinity : Infinity }
      r = a / b
      if (r !== r) { c.mxcsr |= MX.IE; return NaN }
      if (Number.isFinite(r) && Number.isFinite(a) && r === 0 && a !== 0 && Number.isFinite(b)) dir = divDirScaled(a, b, r)
      else if (Number.isFinite(r) && Number.isFinite(a) && r !== 0) {
        const p = r * b, e = twoProdErr(r, b, p)
        const rem = (a - p) - e
        dir = rem === 0 ? 0 : (rem > 0) === (b > 0) ? 1 : -1
        if (Math.abs(r) < 1e-290 || Math.abs(p) < 1e-290 || Math.abs(a) > 1e300 || Math.abs(b) > 1e300 || Math.abs(b) < 1e-290) dir = divDirScaled(a, b, r)
      } else if (Number.isFinite(a) && Number.isFinite(b) && b !== 0) dir = r === 0 ? (a === 0 ? 0 : (a > 0) === (b > 0) ? 1 : -1) : r > 0 ? 1 : -1
      break
    default: // sqrt
      if (b < 0) { c.mxcsr |= MX.IE; return NaN }
      r = Math.sqrt(b)
      if (Number.isFinite(r) && r !== 0) {
        const p = r * r, e = Math.abs(r) > 1e150 || Math.abs(r) < 1e-150 ? 0 : twoProdErr(r, r, p)
        const rem = (b - p) - e
        dir = rem > 0 ? 1 : rem < 0 ? -1 : 0
        if (Math.abs(r) > 1e150 || Math.abs(r) < 1e-150) { const s = b * 2 ** -((Math.floor(Math.log2(b)) >> 1) * 2); const rs = Math.sqrt(s); const pr = rs * rs; const er = twoProdErr(rs, rs, pr); const rm = (s - pr) - er; dir = rm > 0 ? 1 : rm < 0 ? -1 : 0 }
      }
  }
  return roundTo(c, r, dir, single)
}

function divDirScaled(a: number, b: number, r: number): number {
  if (a === 0 || b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return 0
  const ea = Math.floor(Math.log2(Math.abs(a))), eb = Math.floor(Math.log2(Math.abs(b)))
  const sa = scale(a, -ea), sb = scale(b, -eb)
  const q = sa / sb
  const p = q * sb, e = twoProdErr(q, sb, p)
  const rem = ((sa - p) - e) / sb
  const rs = scale(r, -(ea - eb))
  const diff = (q - rs) + rem
  return diff > 0 ? 1 : diff < 0 ? -1 : 0
}

/** Packed/scalar single lane: returns result bits. `op` per arith, plus 0x5d MIN / 0x5f MAX. */
export function lane32(c: CpuState, op: number, ab: number, bb: number): number {
  const unary = op === 0x51
  const aN = !unary && isNaN32(ab), bN = isNaN32(bb)
  if (op === 0x5d || op === 0x5f) {
    if (aN || bN) { c.mxcsr |= MX.IE; return bb }
    const a = in32(c, ab), b = in32(c, bb)
    const pick = (op === 0x5d ? a < b : a > b) ? ab : bb
    return (c.mxcsr & MX.DAZ) !== 0 && isDen32(pick) ? pick & 0x80000000 : pick
  }
  if (aN || bN) {
    if ((aN && isSNaN32(ab)) || (bN && isSNaN32(bb))) c.mxcsr |= MX.IE
    return (aN ? ab : bb) | 0x400000
  }
  const a = unary ? 0 : in32(c, ab), b = in32(c, bb)
  const r = arith(c, op, a, b, true)
  return r !== r ? QNAN32 : toBits32(r)
}

/** Packed/scalar double lane: result in out.lo/out.hi. */
export function lane64(c: CpuState, op: number, al: number, ah: number, bl: number, bh: number): void {
  const unary = op === 0x51
  const aN = !unary && isNaN64(al, ah), bN = isNaN64(bl, bh)
  if (op === 0x5d || op === 0x5f) {
    if (aN || bN) { c.mxcsr |= MX.IE; out.lo = bl; out.hi = bh; return }
    const a = in64(c, al, ah), b = in64(c, bl, bh)
    if (op === 0x5d ? a < b : a > b) { out.lo = al; out.hi = ah } else { out.lo = bl; out.hi = bh }
    if ((c.mxcsr & MX.DAZ) !== 0 && isDen64(out.lo, out.hi)) { out.lo = 0; out.hi &= 0x80000000 }
    return
  }
  if (aN || bN) {
    if ((aN && isSNaN64(al, ah)) || (bN && isSNaN64(bl, bh))) c.mxcsr |= MX.IE
    if (aN) { out.lo = al; out.hi = ah | 0x80000 } else { out.lo = bl; out.hi = bh | 0x80000 }
    return
  }
  const a = unary ? 0 : in64(c, al, ah), b = in64(c, bl, bh)
  const r = arith(c, op, a, b, false)
  if (r !== r) { out.lo = 0; out.hi = QNAN64_HI; return }
  setOut64(r)
}

/** Float -> int32/int64 conversion (CVT[T]SS2SI etc.): NaN/out of range -> indefinite + IE. */
export function cvtToInt(c: CpuState, v: number, truncate: boolean, size: number): number {
  if (v !== v) { c.mxcsr |= MX.IE; return NaN }
  const rc = truncate ? 3 : (c.mxcsr >> 13) & 3
  let r: number
  switch (rc) {
    case 0: { const fl = Math.floor(v), d = v - fl; r = d > 0.5 ? fl + 1 : d < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1; break }
    case 1: r = Math.floor(v); break
    case 2: r = Math.ceil(v); break
    default: r = Math.trunc(v)
  }
  const lim = size === 8 ? 2 ** 63 : 2 ** 31
  if (!(r >= -lim && r < lim)) { c.mxcsr |= MX.IE; return NaN }
  if (r !== v) c.mxcsr |= MX.PE
  return r
}

/** Integer (exact double, or lo/hi when beyond 2^53) -> single/double with rounding. */
export function intToFloat(c: CpuState, lo: number, hi: number, is64: boolean, single: boolean): number {
  if (!is64) return roundTo(c, lo, 0, single)
  const v = hi * 4294967296 + (lo >>> 0)
  if (Math.abs(v) <= 2 ** 53) return roundTo(c, v, 0, single)
  const big = (BigInt(hi) << 32n) | BigInt(lo >>> 0)
  const back = BigInt(v)
  const dir = big > back ? 1 : big < back ? -1 : 0
  return roundTo(c, v, dir, single)
}
