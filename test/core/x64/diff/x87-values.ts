/**
 * Edge-biased operands and machine state for the x87 differential forms: 80-bit register
 * values (zeros, infinities, QNaN/SNaN/indefinite, denormals, pseudo-denormals and
 * unnormals, range limits, integers at conversion boundaries, significands that sit on
 * or near a rounding boundary for 24/53/64-bit precision), float32/float64/integer memory
 * operands, and a random FCW (precision and rounding control; exceptions masked), FSW
 * (sticky flags, condition codes, TOP) and tag state with a chosen stack depth.
 */
import type { CaseBuilder } from './case-builder'
import type { Prng } from './prng'

export interface F80Bits { se: number; sig: bigint }

const M64 = (1n << 64n) - 1n
const J = 1n << 63n

function randSig(r: Prng): bigint {
  return r.u64() | J
}

/** A significand that is exactly (or one ulp off) halfway between two p-bit values. */
function halfwaySig(r: Prng): bigint {
  const p = r.pick([24, 53, 64 - 1])
  const drop = 64 - p
  let s = (randSig(r) >> BigInt(drop)) << BigInt(drop)
  s |= 1n << BigInt(drop - 1)
  const nudge = r.pick([0n, 0n, 1n, -1n])
  return (s + nudge) & M64 | J
}

export function f80Value(r: Prng): F80Bits {
  const sign = r.below(2) << 15
  const k = r.below(100)
  if (k < 6) return { se: sign, sig: 0n }
  if (k < 10) return { se: sign | 0x7fff, sig: J }
  if (k < 14) return { se: sign | 0x7fff, sig: J | (1n << 62n) | (r.chance(0.5) ? 0n : r.u64() & ((1n << 62n) - 1n)) }
  if (k < 17) return { se: sign | 0x7fff, sig: J | ((r.u64() & ((1n << 62n) - 1n)) || 1n) }
  if (k < 19) return { se: 0xffff, sig: 0xc000000000000000n }
  if (k < 24) return { se: sign, sig: r.chance(0.3) ? 1n : r.u64() >> BigInt(r.below(63) + 1) || 1n }
  if (k < 25) return { se: sign, sig: J | (r.u64() >> 1n) }
  if (k < 26) return { se: sign | (1 + r.below(0x7ffe)), sig: r.u64() >> 1n }
  if (k < 29) return r.chance(0.5) ? { se: sign | 0x7ffe, sig: r.chance(0.5) ? M64 : randSig(r) } : { se: sign | 1, sig: r.chance(0.5) ? J : randSig(r) }
  if (k < 37) {
    const n = BigInt(r.range(1, 40))
    const bits = 64 - n.toString(2).length
    return { se: sign | (16383 + 63 - bits), sig: n << BigInt(bits) }
  }
  if (k < 45) {
    // near 2^15, 2^31, 2^63 (integer conversion limits), ± fractions
    const e = r.pick([14, 15, 16, 30, 31, 32, 62, 63, 64])
    const sig = r.pick([J, M64, J | 1n, J | (1n << BigInt(Math.max(0, 63 - e - 1))), randSig(r)])
    return { se: sign | (16383 + e), sig }
  }
  if (k < 55) {
    // float32/float64 range limits
    const e = r.pick([127, 128, -126, -127, -149, -150, 1023, 1024, -1022, -1023, -1074, -1075]) + r.range(-2, 2)
    return { se: sign | (16383 + e), sig: r.chance(0.5) ? halfwaySig(r) : randSig(r) }
  }
  if (k < 60) return { se: sign | r.pick([r.range(1, 70), r.range(0x7ffe - 70, 0x7ffe)]), sig: randSig(r) }
  if (k < 72) return { se: sign | (16383 + r.range(-8, 8)), sig: halfwaySig(r) }
  if (k < 80) return { se: sign | (16383 + r.range(-8, 8)), sig: (randSig(r) >> 48n) << 48n }
  return { se: sign | (16383 + r.range(-40, 40)), sig: randSig(r) }
}

/**
 * A value just below a format's smallest normal (2^emin, emin = -16382, -1022 or -126) with
 * the top p significand bits set and a small tail: rounding may carry it into the normal
 * range, which separates tininess-before-rounding from after-rounding.
 */
export function belowMinNormal(r: Prng): F80Bits {
  const sign = r.below(2) << 15
  const [emin, p] = r.pick([[-16382, 64], [-16382, 53], [-16382, 24], [-1022, 53], [-126, 24]] as const)
  const ones = ((1n << BigInt(p)) - 1n) << BigInt(64 - p)
  const tail = r.pick([0n, 1n, (1n << BigInt(Math.max(0, 63 - p))), r.u64() >> BigInt(p)])
  const sig = (ones | tail) & M64
  // value = sig * 2^(emin - 1 - 63); emin - 1 = -16383 is stored as a denormal (J = 0, shifted)
  return emin === -16382 ? { se: sign, sig: sig >> 1n } : { se: sign | (16383 + emin - 1), sig }
}

/** Write an 80-bit value (little endian) at byte offset `o` of `buf`. */
export function putF80(buf: Uint8Array, o: number, v: F80Bits): void {
  for (let i = 0; i < 8; i++) buf[o + i] = Number((v.sig >> BigInt(8 * i)) & 0xffn)
  buf[o + 8] = v.se & 0xff
  buf[o + 9] = (v.se >> 8) & 0xff
}

const F32_EDGES = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0xff812345,
  0x00000001, 0x807fffff, 0x00400000, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x4f000000, 0xcf000000, 0x46fffe00, 0x47000000,
]
const F64_EDGES = [
  0n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n,
  0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff4000000000000n, 0xfff0000000000001n, 0x0000000000000001n, 0x800fffffffffffffn,
  0x0010000000000000n, 0x7fefffffffffffffn, 0x41e0000000000000n, 0xc3e0000000000000n, 0x43dfffffffffffffn, 0x40dfffc000000000n,
]

export function f32Bits(r: Prng): bigint {
  if (r.chance(0.45)) return BigInt(r.pick(F32_EDGES))
  const exp = r.chance(0.2) ? r.below(256) : 127 + r.range(-20, 30)
  return BigInt((((r.below(2) << 31) | (exp << 23) | (r.u32() & 0x7fffff)) >>> 0))
}

export function f64Bits(r: Prng): bigint {
  if (r.chance(0.45)) return r.pick(F64_EDGES)
  const exp = BigInt(r.chance(0.2) ? r.below(2048) : 1023 + r.range(-40, 70))
  return (BigInt(r.below(2)) << 63n) | (exp << 52n) | (r.u64() & 0xfffffffffffffn)
}

export interface X87Setup {
  /** Registers ST(0)..ST(depth-1) that should be in use. */
  depth: number
  /** Probability of one fewer valid register (stack underflow). */
  underflow?: number
  /** Probability that the register a push writes is in use (stack overflow). */
  overflow?: number
}

/**
 * Random FPU state into the case's FXSAVE bytes: FCW with every exception masked, random
 * PC/RC; FSW with random sticky flags, condition codes and TOP (ES clear since all is
 * masked); ST(0)..ST(depth-1) in use (sometimes one fewer), the rest empty but filled.
 */
export function setupX87(c: CaseBuilder, s: X87Setup): number {
  const r = c.rng
  const x = c.input.x87
  const pc = r.pick([3, 3, 3, 2, 2, 0, 0, 1])
  const rc = r.below(4)
  const cw = 0x3f | 0x40 | (pc << 8) | (rc << 10)
  const top = r.below(8)
  const sticky = r.chance(0.6) ? 0 : r.u32() & 0x3f
  const sw = sticky | (r.u32() & 0x4700) | (top << 11)
  x[0] = cw & 0xff; x[1] = cw >> 8
  x[2] = sw & 0xff; x[3] = sw >> 8
  let depth = s.depth
  if (depth > 0 && r.chance(s.underflow ?? 0.06)) depth = r.below(depth)
  let tag = 0
  for (let i = 0; i < depth; i++) tag |= 1 << ((top + i) & 7)
  if (r.chance(s.overflow ?? 0)) tag |= 1 << ((top + 7) & 7)
  x[4] = tag
  for (let i = 0; i < 8; i++) putF80(x, 32 + 16 * i, f80Value(r))
  c.x87 = { undefinedFsw: 0 }
  return cw
}
