/**
 * x87 extended-precision arithmetic on packed F80 values: FADD/FSUB/FMUL/FDIV/FSQRT with
 * precision and rounding control, compares, FRNDINT, FSCALE, FXTRACT and the FPREM/FPREM1
 * partial remainder (Intel SDM vol. 1, 4.8.3 special values, 4.9 exceptions and table 4-7
 * "Rules for generating QNaNs"; vol. 2 instruction pages). Results are exact values
 * rounded once by f80.ts; masked exception responses only.
 */
import {
  type F80, type Fmt, F80Class, FSW, INDEFINITE, RC, classify, isNaNClass, lsbExp, quiet,
  roundExt, sigOf, signOf, status, zero, infinity, bitLength, packExt,
} from './f80'
import { acc, bitLength64, lim, load64, roundLimbs } from './f80-round'
import { FMT_INT } from './f80-status'

/** Second limb buffer for add/sub alignment. */
const other = new Uint32Array(6)

/** Put the 64-bit (hi:lo) shifted left by `pos` (0 ≤ pos ≤ 67) into a zeroed 6-limb buffer. */
function place(buf: Uint32Array, hi: number, lo: number, pos: number): void {
  buf.fill(0, 0, 6)
  const w = pos >>> 5, s = pos & 31
  if (s === 0) { buf[w] = lo; buf[w + 1] = hi; return }
  buf[w] = (lo << s) >>> 0
  buf[w + 1] = ((hi << s) | (lo >>> (32 - s))) >>> 0
  buf[w + 2] = hi >>> (32 - s)
}

/** Round the finite non-zero value (-1)^sign · (hi:lo) · 2^e. */
function roundSig(sign: number, hi: number, lo: number, e: number, f: Fmt, rc: number): F80 {
  load64(hi, lo)
  roundLimbs(sign, e, f, rc)
  return packExt()
}

/** x87 NaN operand rule (SDM vol. 1, table 4-7): QNaN beats SNaN, else the larger significand. */
export function pickNaN(a: F80, ka: number, b: F80, kb: number): F80 {
  if (ka === F80Class.SNaN || kb === F80Class.SNaN) status.flags |= FSW.IE
  if (!isNaNClass(kb)) return quiet(a)
  if (!isNaNClass(ka)) return quiet(b)
  if (ka !== kb) return quiet(ka === F80Class.QNaN ? a : b)
  const ha = a.hi & 0x3fffffff, hb = b.hi & 0x3fffffff
  if (ha !== hb) return quiet(ha > hb ? a : b)
  if (a.lo !== b.lo) return quiet(a.lo > b.lo ? a : b)
  return quiet(signOf(a) === 0 ? a : b)
}

/**
 * Operand screening shared by two-operand operations: unsupported encodings and NaNs
 * produce the result directly; denormal operands raise DE. Returns undefined to go on.
 */
function screen2(a: F80, ka: number, b: F80, kb: number): F80 | undefined {
  if (ka === F80Class.Unsupported || kb === F80Class.Unsupported) { status.flags |= FSW.IE; return INDEFINITE }
  if (isNaNClass(ka) || isNaNClass(kb)) return pickNaN(a, ka, b, kb)
  if (ka === F80Class.Denormal || kb === F80Class.Denormal) status.flags |= FSW.DE
  return undefined
}

function invalid(): F80 {
  status.flags |= FSW.IE
  return INDEFINITE
}

/** a + b, or a - b when `negB`. */
export function add(a: F80, b: F80, negB: boolean, f: Fmt, rc: number): F80 {
  const ka = classify(a), kb = classify(b)
  const early = screen2(a, ka, b, kb)
  if (early) return early
  const sa = signOf(a)
  const sb = signOf(b) ^ (negB ? 1 : 0)
  if (ka === F80Class.Inf || kb === F80Class.Inf) {
    if (ka === F80Class.Inf && kb === F80Class.Inf && sa !== sb) return invalid()
    return infinity(ka === F80Class.Inf ? sa : sb)
  }
  if (ka === F80Class.Zero && kb === F80Class.Zero) return zero(sa === sb ? sa : rc === RC.Down ? 1 : 0)
  if (kb === F80Class.Zero) return roundSig(sa, a.hi, a.lo, lsbExp(a), f, rc)
  if (ka === F80Class.Zero) return roundSig(sb, b.hi, b.lo, lsbExp(b), f, rc)
  // x: the operand with the larger lsb exponent (never the smaller magnitude by more than its tail)
  let xs = sa, xh = a.hi, xl = a.lo, xe = lsbExp(a)
  let ys = sb, yh = b.hi, yl = b.lo, ye = lsbExp(b)
  if (xe < ye) { xs = sb; xh = b.hi; xl = b.lo; xe = ye; ys = sa; yh = a.hi; yl = a.lo; ye = lsbExp(a) }
  let d = xe - ye
  // y < 2^(ye+64) ≤ 2^(xe-3) when d > 66: for rounding at ≥ 2^(xe-1) it only acts as a sticky bit
  if (d > 66) { yh = 0; yl = 1; d = 67; ye = xe - 67 }
  place(acc, xh, xl, d)
  place(other, yh, yl, 0)
  lim.n = 6
  if (xs === ys) {
    let carry = 0
    for (let i = 0; i < 6; i++) { const t = acc[i] + other[i] + carry; acc[i] = t >>> 0; carry = t > 0xffffffff ? 1 : 0 }
    roundLimbs(xs, ye, f, rc)
    return packExt()
  }
  let cmp = 0
  for (let i = 5; i >= 0 && cmp === 0; i--) cmp = acc[i] === other[i] ? 0 : acc[i] > other[i] ? 1 : -1
  if (cmp === 0) return zero(rc === RC.Down ? 1 : 0)
  if (cmp < 0) for (let i = 0; i < 6; i++) { const t = acc[i]; acc[i] = other[i]; other[i] = t }
  let borrow = 0
  for (let i = 0; i < 6; i++) { const t = acc[i] - other[i] - borrow; borrow = t < 0 ? 1 : 0; acc[i] = t >>> 0 }
  roundLimbs(cmp > 0 ? xs : ys, ye, f, rc)
  return packExt()
}

/** 64×64 → 128-bit significand product into the limb buffer (16-bit pieces keep every partial product exact in a double). */
function mul128(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16
  const b0 = bl & 0xffff, b1 = bl >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16
  let t = a0 * b0
  const d0 = t % 65536; let carry = Math.floor(t / 65536)
  t = a0 * b1 + a1 * b0 + carry; const d1 = t % 65536; carry = Math.floor(t / 65536)
  t = a0 * b2 + a1 * b1 + a2 * b0 + carry; const d2 = t % 65536; carry = Math.floor(t / 65536)
  t = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + carry; const d3 = t % 65536; carry = Math.floor(t / 65536)
  t = a1 * b3 + a2 * b2 + a3 * b1 + carry; const d4 = t % 65536; carry = Math.floor(t / 65536)
  t = a2 * b3 + a3 * b2 + carry; const d5 = t % 65536; carry = Math.floor(t / 65536)
  t = a3 * b3 + carry; const d6 = t % 65536; const d7 = Math.floor(t / 65536)
  acc[0] = (d0 | (d1 << 16)) >>> 0
  acc[1] = (d2 | (d3 << 16)) >>> 0
  acc[2] = (d4 | (d5 << 16)) >>> 0
  acc[3] = (d6 | (d7 << 16)) >>> 0
  lim.n = 4
}

export function mul(a: F80, b: F80, f: Fmt, rc: number): F80 {
  const ka = classify(a), kb = classify(b)
  const early = screen2(a, ka, b, kb)
  if (early) return early
  const s = signOf(a) ^ signOf(b)
  if (ka === F80Class.Inf || kb === F80Class.Inf) {
    if (ka === F80Class.Zero || kb === F80Class.Zero) return invalid()
    return infinity(s)
  }
  if (ka === F80Class.Zero || kb === F80Class.Zero) return zero(s)
  mul128(a.hi, a.lo, b.hi, b.lo)
  roundLimbs(s, lsbExp(a) + lsbExp(b), f, rc)
  return packExt()
}

/** a / b. */
export function div(a: F80, b: F80, f: Fmt, rc: number): F80 {
  const ka = classify(a), kb = classify(b)
  const early = screen2(a, ka, b, kb)
  if (early) return early
  const s = signOf(a) ^ signOf(b)
  if (ka === F80Class.Inf) return kb === F80Class.Inf ? invalid() : infinity(s)
  if (kb === F80Class.Inf) return zero(s)
  if (kb === F80Class.Zero) {
    if (ka === F80Class.Zero) return invalid()
    status.flags = (status.flags & ~FSW.DE) | FSW.ZE // divide-by-zero takes precedence over DE
    return infinity(s)
  }
  if (ka === F80Class.Zero) return zero(s)
  const sa = sigOf(a), sb = sigOf(b)
  const num = sa << 130n
  const qt = num / sb
  const sticky = num - qt * sb === 0n ? 0n : 1n
  return roundExt(s, (qt << 1n) | sticky, lsbExp(a) - lsbExp(b) - 131, f, rc)
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n
  // start from the double-precision root of the leading bits; one Newton step lands at or above isqrt(n)
  const bl = bitLength(n)
  const sh = Math.max(0, (bl - 100) & ~1)
  let x = BigInt(Math.floor(Math.sqrt(Number(n >> BigInt(sh))))) << BigInt(sh / 2)
  if (x === 0n) x = 1n
  x = (x + n / x) >> 1n
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

export function sqrt(a: F80, f: Fmt, rc: number): F80 {
  const k = classify(a)
  if (k === F80Class.Unsupported) return invalid()
  if (isNaNClass(k)) { if (k === F80Class.SNaN) status.flags |= FSW.IE; return quiet(a) }
  if (k === F80Class.Zero) return a
  if (signOf(a)) return invalid() // before DE: invalid takes precedence
  if (k === F80Class.Inf) return a
  if (k === F80Class.Denormal) status.flags |= FSW.DE
  let m = sigOf(a)
  let e = lsbExp(a)
  if (e & 1) { m <<= 1n; e -= 1 }
  m <<= 140n
  e -= 140
  const r = isqrt(m)
  const sticky = r * r === m ? 0n : 1n
  return roundExt(0, (r << 1n) | sticky, e / 2 - 1, f, rc)
}

/** Compare result codes. */
export const Cmp = { Less: 0, Equal: 1, Greater: 2, Unordered: 3 } as const

/**
 * Ordered (FCOM: any NaN is invalid) or unordered (FUCOM: only SNaN) compare
 * (SDM vol. 2 "FCOM", "FUCOM"); unsupported encodings are always invalid.
 */
export function compare(a: F80, b: F80, quietNaNsOk: boolean): number {
  const ka = classify(a), kb = classify(b)
  if (ka === F80Class.Unsupported || kb === F80Class.Unsupported) { status.flags |= FSW.IE; return Cmp.Unordered }
  if (isNaNClass(ka) || isNaNClass(kb)) {
    if (!quietNaNsOk || ka === F80Class.SNaN || kb === F80Class.SNaN) status.flags |= FSW.IE
    return Cmp.Unordered
  }
  if (ka === F80Class.Denormal || kb === F80Class.Denormal) status.flags |= FSW.DE
  const c = cmpValues(a, ka, b, kb)
  return c < 0 ? Cmp.Less : c > 0 ? Cmp.Greater : Cmp.Equal
}

/** Order of two non-NaN values (-1, 0, 1). */
function cmpValues(a: F80, ka: number, b: F80, kb: number): number {
  const za = ka === F80Class.Zero, zb = kb === F80Class.Zero
  if (za && zb) return 0
  const sa = signOf(a), sb = signOf(b)
  if (za) return sb ? 1 : -1
  if (zb) return sa ? -1 : 1
  if (sa !== sb) return sa ? -1 : 1
  const mag = cmpMagnitude(a, ka, b, kb)
  return sa ? -mag : mag
}

function cmpMagnitude(a: F80, ka: number, b: F80, kb: number): number {
  if (ka === F80Class.Inf || kb === F80Class.Inf) return ka === kb ? 0 : ka === F80Class.Inf ? 1 : -1
  const la = bitLength64(a.hi, a.lo), lb = bitLength64(b.hi, b.lo)
  const Ea = lsbExp(a) + la, Eb = lsbExp(b) + lb
  if (Ea !== Eb) return Ea > Eb ? 1 : -1
  // same leading-bit weight: compare the significands left-aligned
  const ah = la === 64 ? a.hi : normHi(a.hi, a.lo, 64 - la), al = la === 64 ? a.lo : normLo(a.lo, 64 - la)
  const bh = lb === 64 ? b.hi : normHi(b.hi, b.lo, 64 - lb), bl2 = lb === 64 ? b.lo : normLo(b.lo, 64 - lb)
  if (ah !== bh) return ah > bh ? 1 : -1
  return al === bl2 ? 0 : al > bl2 ? 1 : -1
}

function normHi(hi: number, lo: number, s: number): number {
  return s >= 32 ? (lo << (s - 32)) >>> 0 : ((hi << s) | (lo >>> (32 - s))) >>> 0
}

function normLo(lo: number, s: number): number {
  return s >= 32 ? 0 : (lo << s) >>> 0
}

/** Round a finite value to an integer (as exact BigInt) per `rc`; sets PE and round-up. */
export function toIntegerBig(a: F80, rc: number): bigint {
  const m = sigOf(a)
  const e = lsbExp(a)
  const neg = signOf(a) === 1
  if (e >= 0) return neg ? -(m << BigInt(e)) : m << BigInt(e)
  const sh = BigInt(-e)
  let q = sh > 80n ? 0n : m >> sh
  const rem = sh > 80n ? m : m & ((1n << sh) - 1n)
  if (rem !== 0n) {
    status.flags |= FSW.PE
    const half = sh > 80n ? -1n : 1n << (sh - 1n)
    let inc: boolean
    if (rc === RC.Nearest) inc = half >= 0n && (rem > half || (rem === half && (q & 1n) === 1n))
    else if (rc === RC.Up) inc = !neg
    else if (rc === RC.Down) inc = neg
    else inc = false
    if (inc) { q += 1n; status.up = true }
  }
  return neg ? -q : q
}

/** Exact conversion of an integer (|v| < 2^64) to extended. */
export function fromBigInt(v: bigint): F80 {
  if (v === 0n) return zero(0)
  const sign = v < 0n ? 1 : 0
  const m = sign ? -v : v
  const n = bitLength(m)
  const sig = m << BigInt(64 - n)
  return { se: (sign << 15) | (n - 1 + 16383), hi: Number(sig >> 32n), lo: Number(sig & 0xffffffffn) }
}

/** Round a finite non-zero value to an integer magnitude in `rounded` (q·2^L, L ≥ 0); sets PE and round-up. */
export function roundToInteger(a: F80, rc: number): void {
  const before = status.flags
  load64(a.hi, a.lo)
  roundLimbs(signOf(a), lsbExp(a), FMT_INT, rc)
  status.flags = before | (status.flags & FSW.PE)
}

/** FRNDINT: round ST(0) to an integral value per RC (precision control does not apply). */
export function roundInt(a: F80, rc: number): F80 {
  const k = classify(a)
  if (k === F80Class.Unsupported) return invalid()
  if (isNaNClass(k)) { if (k === F80Class.SNaN) status.flags |= FSW.IE; return quiet(a) }
  if (k === F80Class.Zero || k === F80Class.Inf) return a
  if (k === F80Class.Denormal) status.flags |= FSW.DE
  if (lsbExp(a) >= 0) return a
  roundToInteger(a, rc)
  return packExt()
}
