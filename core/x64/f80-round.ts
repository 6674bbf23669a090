/**
 * Rounding of an exact binary value held in 32-bit limbs to a floating-point format
 * (Intel SDM vol. 1, 4.8.4 "Rounding", 4.9.1.4-4.9.1.6 overflow/underflow/inexact as the
 * x87 reports them masked). Numbers only, no BigInt, no allocation: the value lives in
 * the module's limb buffer `acc` (little-endian, `accLen` limbs), the result in `rounded`.
 */
import { FSW, RC, type Fmt, status } from './f80-status'

/** The value to round: Σ acc[i]·2^(32i) · 2^e2. Callers fill it and set accLen. */
export const acc = new Uint32Array(72)
export const lim = { n: 0 }

/** The rounded result: `inf`, or q·2^L with q = qhi·2^32 + qlo < 2^p (q = 0: a zero). */
export const rounded = { sign: 0, qhi: 0, qlo: 0, L: 0, inf: false }

function bitLen(): number {
  for (let i = lim.n - 1; i >= 0; i--) if (acc[i] !== 0) return i * 32 + 32 - Math.clz32(acc[i])
  return 0
}

/** 32 bits of the value starting at bit `pos` (≥ 0). */
function bits32(pos: number): number {
  const i = Math.floor(pos / 32), s = pos % 32
  const n = lim.n
  const lo = i < n ? acc[i] : 0
  if (s === 0) return lo
  const hi = i + 1 < n ? acc[i + 1] : 0
  return ((lo >>> s) | (hi << (32 - s))) >>> 0
}

function bitAt(pos: number): number {
  if (pos < 0) return 0
  const i = Math.floor(pos / 32)
  return i < lim.n ? (acc[i] >>> (pos % 32)) & 1 : 0
}

/** Any bit set below position `pos`. */
function anyBelow(pos: number): boolean {
  if (pos <= 0) return false
  const full = Math.min(Math.floor(pos / 32), lim.n)
  for (let i = 0; i < full; i++) if (acc[i] !== 0) return true
  const s = pos % 32
  return s !== 0 && full < lim.n && (acc[full] & (0xffffffff >>> (32 - s))) !== 0
}

export function bitLength64(hi: number, lo: number): number {
  return hi !== 0 ? 64 - Math.clz32(hi) : lo !== 0 ? 32 - Math.clz32(lo) : 0
}

/** Shift result of shl64. */
export const sh64 = { hi: 0, lo: 0 }

/** (hi:lo) << s for 0 ≤ s < 64. */
export function shl64(hi: number, lo: number, s: number): void {
  if (s === 0) { sh64.hi = hi >>> 0; sh64.lo = lo >>> 0 } else if (s >= 32) { sh64.hi = (lo << (s - 32)) >>> 0; sh64.lo = 0 } else {
    sh64.hi = ((hi << s) | (lo >>> (32 - s))) >>> 0
    sh64.lo = (lo << s) >>> 0
  }
}

function increments(rc: number, sign: number, roundBit: number, sticky: boolean, odd: boolean): boolean {
  if (rc === RC.Nearest) return roundBit === 1 && (sticky || odd)
  if (rc === RC.Up) return sign === 0
  if (rc === RC.Down) return sign === 1
  return false
}

/**
 * Round (-1)^sign · acc · 2^e2 (non-zero) to format `f` with rounding control `rc`;
 * raises OE/UE/PE and records whether the magnitude went up (C1). Tininess is detected
 * after rounding and underflow is only flagged when the result is inexact (masked UE).
 */
export function roundLimbs(sign: number, e2: number, f: Fmt, rc: number): void {
  const bl = bitLen()
  const E = e2 + bl - 1
  const denormL = f.emin - (f.p - 1)
  const L = Math.max(E - (f.p - 1), denormL)
  rounded.sign = sign
  rounded.inf = false
  let qhi: number, qlo: number
  let inexact = false
  let up = false
  let rL = L
  if (L <= e2) {
    shl64(lim.n > 1 ? acc[1] : 0, acc[0], e2 - L)
    qhi = sh64.hi; qlo = sh64.lo
  } else {
    const sh = L - e2
    qlo = bits32(sh)
    qhi = f.p > 32 ? bits32(sh + 32) : 0
    const rb = bitAt(sh - 1), st = anyBelow(sh - 1)
    if (rb === 1 || st) {
      inexact = true
      up = increments(rc, sign, rb, st, (qlo & 1) === 1)
      if (up) {
        qlo = (qlo + 1) >>> 0
        if (qlo === 0) qhi = (qhi + 1) >>> 0
        // a carry out of the p-bit significand: 2^p → 2^(p-1) one exponent higher
        if (f.p === 64 ? (qhi | qlo) === 0 : bitLength64(qhi, qlo) > f.p) {
          shl64(0, 1, f.p - 1); qhi = sh64.hi; qlo = sh64.lo; rL += 1
        }
      }
    }
  }
  const qbl = bitLength64(qhi, qlo)
  if (qbl !== 0 && rL + qbl - 1 > f.emax) {
    status.flags |= FSW.OE | FSW.PE
    const toInf = rc === RC.Nearest || (rc === RC.Up && sign === 0) || (rc === RC.Down && sign === 1)
    if (toInf) { rounded.inf = true; status.up = true } else {
      rounded.qhi = f.p > 32 ? 0xffffffff >>> (64 - f.p) : 0
      rounded.qlo = f.p >= 32 ? 0xffffffff : 0xffffffff >>> (32 - f.p)
      rounded.L = f.emax - (f.p - 1)
      status.up = false
    }
    return
  }
  if (inexact) {
    status.flags |= FSW.PE
    if (E < f.emin && tinyAfterRounding(sign, bl, E, f, rc)) status.flags |= FSW.UE
  }
  status.up = up
  rounded.qhi = qhi
  rounded.qlo = qlo
  rounded.L = rL
}

/** Whether the value rounded to p bits with an unbounded exponent range stays below 2^emin. */
function tinyAfterRounding(sign: number, bl: number, E: number, f: Fmt, rc: number): boolean {
  if (E < f.emin - 1) return true
  // E = emin - 1: only a carry out of the p-bit rounding reaches 2^emin
  const sh = bl - f.p
  if (sh <= 0) return true
  const lo = bits32(sh), hi = f.p > 32 ? bits32(sh + 32) : 0
  const onesLo = f.p >= 32 ? 0xffffffff : 0xffffffff >>> (32 - f.p)
  const onesHi = f.p > 32 ? 0xffffffff >>> (64 - f.p) : 0
  if (lo !== onesLo || hi !== onesHi) return true
  const rb = bitAt(sh - 1), st = anyBelow(sh - 1)
  return !((rb === 1 || st) && increments(rc, sign, rb, st, true))
}

/** Load a 64-bit significand into the limb buffer. */
export function load64(hi: number, lo: number): void {
  acc[0] = lo
  acc[1] = hi
  lim.n = 2
}
