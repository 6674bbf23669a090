/**
 * x87 exponent-manipulating operations on extended values: FSCALE, FXTRACT and the
 * FPREM/FPREM1 partial remainder (Intel SDM vol. 2 "FSCALE", "FXTRACT", "FPREM", "FPREM1").
 * Results are exact before the single rounding in f80.ts (precision control does not
 * apply to these instructions).
 */
import {
  type F80, F80Class, FMT_EXT, FSW, INDEFINITE, classify, infinity, isNaNClass, lsbExp, quiet, roundExt, sigOf,
  signOf, status, zero, bitLength,
} from './f80'
import { fromBigInt, pickNaN } from './f80-arith'

function invalid(): F80 {
  status.flags |= FSW.IE
  return INDEFINITE
}

function screen(a: F80, ka: number, b: F80, kb: number): F80 | undefined {
  if (ka === F80Class.Unsupported || kb === F80Class.Unsupported) return invalid()
  if (isNaNClass(ka) || isNaNClass(kb)) return pickNaN(a, ka, b, kb)
  if (ka === F80Class.Denormal || kb === F80Class.Denormal) status.flags |= FSW.DE
  return undefined
}

/** A pseudo-denormal (exponent 0, J = 1) passed through as a result is re-encoded with exponent 1 (same value). */
function canonical(a: F80): F80 {
  return (a.se & 0x7fff) === 0 && (a.hi & 0x80000000) !== 0 ? { se: a.se | 1, hi: a.hi, lo: a.lo } : a
}

/** FSCALE: ST(0) * 2^trunc(ST(1)). */
export function fscale(a: F80, b: F80, rc: number): F80 {
  const ka = classify(a), kb = classify(b)
  const early = screen(a, ka, b, kb)
  if (early) return early
  const sa = signOf(a)
  if (kb === F80Class.Inf) {
    if (signOf(b) === 0) return ka === F80Class.Zero ? invalid() : infinity(sa)
    return ka === F80Class.Inf ? invalid() : zero(sa)
  }
  if (ka === F80Class.Zero || ka === F80Class.Inf) return a
  let n = 0
  if (kb !== F80Class.Zero) {
    const eb = lsbExp(b)
    const mb = sigOf(b)
    let t: bigint
    if (eb >= 0) t = eb > 20 ? 1n << 40n : mb << BigInt(eb)
    else t = -eb >= 64 ? 0n : mb >> BigInt(-eb)
    const clamped = t > 100000n ? 100000 : Number(t)
    n = signOf(b) ? -clamped : clamped
  }
  return roundExt(sa, sigOf(a), lsbExp(a) + n, FMT_EXT, rc)
}

/** FXTRACT: [exponent, significand] of ST(0). */
export function fxtract(a: F80): [F80, F80] {
  const k = classify(a)
  if (k === F80Class.Unsupported) return [invalid(), INDEFINITE]
  if (isNaNClass(k)) { if (k === F80Class.SNaN) status.flags |= FSW.IE; const q = quiet(a); return [q, q] }
  if (k === F80Class.Zero) { status.flags |= FSW.ZE; return [infinity(1), a] }
  if (k === F80Class.Inf) return [infinity(0), a]
  if (k === F80Class.Denormal) status.flags |= FSW.DE
  const m = sigOf(a)
  const n = bitLength(m)
  const e = lsbExp(a) + n - 1
  const sig = m << BigInt(64 - n)
  const s = { se: (signOf(a) << 15) | 16383, hi: Number(sig >> 32n), lo: Number(sig & 0xffffffffn) }
  return [fromBigInt(BigInt(e)), s]
}

/**
 * Outcome of the last FPREM/FPREM1: `special` (NaN, invalid: C0/C3 keep their values, C1
 * and C2 are cleared), `partial` (C2 = 1) or complete with quotient bits `q`.
 */
export const prem = { q: 0, partial: false, special: false }

/**
 * FPREM (truncating quotient) / FPREM1 (IEEE round-to-nearest quotient). When the
 * exponent difference is 64 or more only a partial reduction is done (C2 = 1): the
 * operand is reduced by a multiple of ST(1)*2^(d-N) with N in 32..63 as Intel does.
 */
export function fprem(a: F80, b: F80, ieee: boolean): F80 {
  prem.q = 0
  prem.partial = false
  prem.special = true
  const ka = classify(a), kb = classify(b)
  if (ka === F80Class.Unsupported || kb === F80Class.Unsupported) return invalid()
  if (isNaNClass(ka) || isNaNClass(kb)) return pickNaN(a, ka, b, kb)
  // an invalid operation takes precedence over the denormal-operand exception
  if (ka === F80Class.Inf || kb === F80Class.Zero) return invalid()
  prem.special = false
  if (ka === F80Class.Denormal || kb === F80Class.Denormal) status.flags |= FSW.DE
  if (kb === F80Class.Inf || ka === F80Class.Zero) return canonical(a)
  const ma = sigOf(a), mb = sigOf(b)
  const ea = lsbExp(a), eb = lsbExp(b)
  const Ea = ea + bitLength(ma) - 1, Eb = eb + bitLength(mb) - 1
  const d = Ea - Eb
  const sa = signOf(a)
  if (d < 0 && !(ieee && d === -1)) return canonical(a)
  if (d >= 64) {
    prem.partial = true
    const N = 32 + ((d - 32) & 31)
    // divide by ST(1) * 2^(d - N), chopping the quotient
    const shift = d - N
    const e = Math.min(ea, eb + shift)
    const x = ma << BigInt(ea - e)
    const y = mb << BigInt(eb + shift - e)
    const q = x / y
    const r = x - q * y
    return r === 0n ? zero(sa) : roundExt(sa, r, e, FMT_EXT, 0)
  }
  const e = Math.min(ea, eb)
  const x = ma << BigInt(ea - e)
  const y = mb << BigInt(eb - e)
  let q = x / y
  let r = x - q * y
  if (ieee) {
    const twice = r * 2n
    if (twice > y || (twice === y && (q & 1n) === 1n)) { q += 1n; r -= y }
  }
  prem.q = Number(q & 7n)
  if (r === 0n) return zero(sa)
  return r < 0n ? roundExt(sa ^ 1, -r, e, FMT_EXT, 0) : roundExt(sa, r, e, FMT_EXT, 0)
}
