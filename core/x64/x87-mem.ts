/**
 * x87 memory-operand forms of D8-DF (Intel SDM vol. 2 "FLD", "FST/FSTP", "FILD", "FIST/
 * FISTP", "FISTTP", "FBLD", "FBSTP", "FADD"... m32/m64/m16int/m32int, "FCOM"/"FICOM" m,
 * "FLDCW", "FNSTCW", "FNSTSW m16"); environment and save images live in x87-env.ts.
 * Every memory read happens before any register changes, and stores probe the whole
 * destination first, so a fault leaves the FPU state untouched.
 */
import type { CpuState } from './cpu-state'
import { ea } from './decode'
import { ud } from './faults'
import { rd, wr, probeWrite } from './mmu'
import { type F80, F80Class, FSW, INDEFINITE, classify, signOf, status } from './f80'
import { fromBigInt, toIntegerBig } from './f80-arith'
import { fromF32, fromF64, fromInt, toF32, toF64, toInt } from './f80-convert'
import { arith, fcom, rcOf } from './x87-ops'
import { fldenv, fnstenv, fnsave, frstor } from './x87-env'
import { C1, commit, isEmpty, pop, push, setSt, st, underflow, updateSummary, fsw } from './x87-stack'

function readM80(c: CpuState, a: number): F80 {
  const lo = rd(c, a, 8) >>> 0
  const hi = c.h >>> 0
  return { se: rd(c, a + 8, 2) & 0xffff, hi, lo }
}

function writeM80(c: CpuState, a: number, v: F80): void {
  probeWrite(c, a, 8)
  probeWrite(c, a + 8, 2)
  wr(c, a, 8, v.lo | 0, v.hi | 0)
  wr(c, a + 8, 2, v.se, 0)
}

/** The source operand of D8/DC/DA/DE memory forms, converted exactly to extended. */
function readOperand(c: CpuState, b: number): F80 {
  switch (b) {
    case 0xd8: return fromF32(rd(c, ea(c, 4, false), 4), true)
    case 0xdc: { const lo = rd(c, ea(c, 8, false), 8); return fromF64(lo >>> 0, c.h >>> 0, true) }
    case 0xda: { const v = rd(c, ea(c, 4, false), 4); return fromInt(v, v >> 31) }
    default: { const v = (rd(c, ea(c, 2, false), 2) << 16) >> 16; return fromInt(v, v >> 31) }
  }
}

/** ST(0) for a store, or the indefinite after a stack underflow. */
function top(c: CpuState): F80 {
  if (isEmpty(c, 0)) { underflow(); return INDEFINITE }
  return st(c, 0)
}

/** FIST/FISTP/FISTTP of `bytes`; `chop` for FISTTP. */
function fist(c: CpuState, bytes: number, chop: boolean, popAfter: boolean): void {
  const a = ea(c, bytes, true)
  const v = top(c)
  const [lo, hi] = toInt(v, bytes, chop ? 3 : rcOf(c))
  wr(c, a, bytes, lo, hi)
  if (popAfter) pop(c)
  commit(c, C1.RoundUp)
}

function fild(c: CpuState, bytes: number): void {
  const a = ea(c, bytes, false)
  let v: F80
  if (bytes === 8) { const lo = rd(c, a, 8); v = fromInt(lo, c.h) } else {
    const x = bytes === 2 ? (rd(c, a, 2) << 16) >> 16 : rd(c, a, 4)
    v = fromInt(x, x >> 31)
  }
  push(c, v)
  commit(c, C1.Zero)
}

function fstReal(c: CpuState, bytes: number, popAfter: boolean): void {
  const a = ea(c, bytes, true)
  const v = top(c)
  if (bytes === 4) wr(c, a, 4, toF32(v, rcOf(c)), 0)
  else if (bytes === 8) { const [lo, hi] = toF64(v, rcOf(c)); wr(c, a, 8, lo, hi) } else writeM80(c, a, v)
  if (popAfter) pop(c)
  commit(c, bytes === 10 ? C1.Zero : C1.RoundUp)
}

function fldReal(c: CpuState, bytes: number): void {
  const a = ea(c, bytes, false)
  let v: F80
  if (bytes === 4) v = fromF32(rd(c, a, 4))
  else if (bytes === 8) { const lo = rd(c, a, 8); v = fromF64(lo >>> 0, c.h >>> 0) } else v = readM80(c, a)
  if (!isEmpty(c, -1)) status.flags = 0 // stack overflow: the operand is not examined
  push(c, v)
  commit(c, C1.Zero)
}

/** FBLD: 18 packed BCD digits and a sign byte (invalid digits give an undefined value). */
function fbld(c: CpuState): void {
  const a = ea(c, 10, false)
  let n = 0n
  for (let k = 8; k >= 0; k--) {
    const byte = rd(c, a + k, 1) & 0xff
    n = n * 100n + BigInt((byte >> 4) * 10 + (byte & 15))
  }
  const neg = (rd(c, a + 9, 1) & 0x80) !== 0
  const v = fromBigInt(n)
  push(c, neg ? { se: v.se | 0x8000, hi: v.hi, lo: v.lo } : v)
  commit(c, C1.Zero)
}

/** FBSTP: round per RC; NaN, infinity or |value| ≥ 10^18 store the packed BCD indefinite. */
function fbstp(c: CpuState): void {
  const a = ea(c, 10, true)
  probeWrite(c, a, 8); probeWrite(c, a + 8, 2)
  const v = top(c)
  const k = classify(v)
  const out = new Uint8Array(10)
  let ok = k === F80Class.Zero || k === F80Class.Normal || k === F80Class.Denormal
  if (ok) {
    const before = status.flags
    let q = k === F80Class.Zero ? 0n : toIntegerBig(v, rcOf(c))
    if (q < 0n) q = -q
    if (q >= 10n ** 18n) { ok = false; status.flags = before; status.up = false } else {
      for (let i = 0; i < 9; i++) { const d = Number(q % 100n); q /= 100n; out[i] = ((Math.floor(d / 10)) << 4) | (d % 10) }
      out[9] = signOf(v) ? 0x80 : 0
    }
  }
  if (!ok) { status.flags |= FSW.IE; out.set([0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]) }
  for (let i = 0; i < 10; i++) wr(c, a + i, 1, out[i], 0)
  pop(c)
  commit(c, C1.RoundUp)
}

export function memForm(c: CpuState, b: number, op: number): number {
  switch (b) {
    case 0xd8: case 0xdc: case 0xda: case 0xde: {
      const v = readOperand(c, b)
      // with ST(0) empty the operand is not examined; a NaN in ST(0) hides a denormal operand
      const conv = status.flags
      status.flags = 0
      if (!isEmpty(c, 0)) {
        const k = classify(st(c, 0))
        status.flags = k === F80Class.QNaN || k === F80Class.SNaN || k === F80Class.Unsupported ? conv & ~FSW.DE : conv
      }
      if (op === 2 || op === 3) { fcom(c, isEmpty(c, 0) ? undefined : v, false, op - 2); return 0 }
      if (isEmpty(c, 0)) { underflow(); setSt(c, 0, INDEFINITE) } else setSt(c, 0, arith(c, op, st(c, 0), v))
      commit(c, C1.RoundUp)
      return 0
    }
    case 0xd9:
      switch (op) {
        case 0: fldReal(c, 4); return 0
        case 2: fstReal(c, 4, false); return 0
        case 3: fstReal(c, 4, true); return 0
        case 4: fldenv(c); return 0
        case 5: c.fpCw = (rd(c, ea(c, 2, false), 2) & 0x1f3f) | 0x40; updateSummary(c); return 0
        case 6: fnstenv(c); return 0
        case 7: wr(c, ea(c, 2, true), 2, c.fpCw, 0); return 0
        default: return ud()
      }
    case 0xdb:
      switch (op) {
        case 0: fild(c, 4); return 0
        case 1: fist(c, 4, true, true); return 0
        case 2: fist(c, 4, false, false); return 0
        case 3: fist(c, 4, false, true); return 0
        case 5: fldReal(c, 10); return 0
        case 7: fstReal(c, 10, true); return 0
        default: return ud()
      }
    case 0xdd:
      switch (op) {
        case 0: fldReal(c, 8); return 0
        case 1: fist(c, 8, true, true); return 0
        case 2: fstReal(c, 8, false); return 0
        case 3: fstReal(c, 8, true); return 0
        case 4: frstor(c); return 0
        case 6: fnsave(c); return 0
        case 7: wr(c, ea(c, 2, true), 2, fsw(c), 0); return 0
        default: return ud()
      }
    default: // DF
      switch (op) {
        case 0: fild(c, 2); return 0
        case 1: fist(c, 2, true, true); return 0
        case 2: fist(c, 2, false, false); return 0
        case 3: fist(c, 2, false, true); return 0
        case 4: fbld(c); return 0
        case 5: fild(c, 8); return 0
        case 6: fbstp(c); return 0
        default: fist(c, 8, false, true); return 0
      }
  }
}

