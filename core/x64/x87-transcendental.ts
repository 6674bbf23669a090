/**
 * x87 transcendental instructions (Intel SDM vol. 2 "F2XM1", "FYL2X", "FYL2XP1", "FPTAN",
 * "FPATAN", "FSIN", "FCOS", "FSINCOS") computed through JS doubles: the result has about
 * 53 correct bits, not the hardware's 64 (a documented deviation; the differential suite
 * leaves these out). Operands outside ±2^63 for the trigonometric functions report C2 = 1
 * (out of range) and leave ST(0) unchanged, as the hardware does.
 */
import type { CpuState } from './cpu-state'
import { type F80, F80Class, FSW, INDEFINITE, RC, classify, isNaNClass, quiet, status } from './f80'
import { fromF64, toF64 } from './f80-convert'
import { C1, commit, isEmpty, pop, push, setSt, st, underflow } from './x87-stack'

const dv = new DataView(new ArrayBuffer(8))

function toNumber(v: F80): number {
  const [lo, hi] = toF64(v, RC.Nearest)
  dv.setInt32(0, lo, true)
  dv.setInt32(4, hi, true)
  return dv.getFloat64(0, true)
}

function fromNumber(x: number): F80 {
  dv.setFloat64(0, x, true)
  return fromF64(dv.getUint32(0, true), dv.getUint32(4, true))
}

/** NaN/unsupported operands: the propagated NaN or the indefinite; undefined when the operand is usable. */
function special(v: F80): F80 | undefined {
  const k = classify(v)
  if (k === F80Class.Unsupported) { status.flags |= FSW.IE; return INDEFINITE }
  if (isNaNClass(k)) { if (k === F80Class.SNaN) status.flags |= FSW.IE; return quiet(v) }
  return undefined
}

function result(x: number): F80 {
  if (Number.isNaN(x)) { status.flags |= FSW.IE; return INDEFINITE }
  const flags = status.flags
  const r = fromNumber(x)
  status.flags = flags | (x !== 0 && Number.isFinite(x) ? FSW.PE : 0)
  return r
}

export function transcendental(c: CpuState, m: number): void {
  const twoOps = m === 0xf1 || m === 0xf3 || m === 0xf9
  if (isEmpty(c, 0) || (twoOps && isEmpty(c, 1))) {
    underflow()
    setSt(c, twoOps ? 1 : 0, INDEFINITE)
    if (twoOps) pop(c)
    else if (m === 0xf2 || m === 0xfb) push(c, INDEFINITE)
    commit(c, C1.Zero)
    return
  }
  const a = st(c, 0)
  const sp = special(a) ?? (twoOps ? special(st(c, 1)) : undefined)
  c.fpSw &= ~FSW.C2
  if (sp) {
    if (twoOps) { setSt(c, 1, sp); pop(c) } else { setSt(c, 0, sp); if (m === 0xf2 || m === 0xfb) push(c, sp) }
    commit(c, C1.Zero)
    return
  }
  const x = toNumber(a)
  const trig = m === 0xf2 || m === 0xfb || m === 0xfe || m === 0xff
  if (trig && Math.abs(x) >= 2 ** 63) { c.fpSw |= FSW.C2; commit(c, C1.Zero); return }
  switch (m) {
    case 0xf0: setSt(c, 0, result(2 ** x - 1)); break
    case 0xf1: setSt(c, 1, result(toNumber(st(c, 1)) * Math.log2(x))); pop(c); break
    case 0xf3: setSt(c, 1, result(Math.atan2(toNumber(st(c, 1)), x))); pop(c); break
    case 0xf9: setSt(c, 1, result(toNumber(st(c, 1)) * Math.log2(1 + x))); pop(c); break
    case 0xf2: setSt(c, 0, result(Math.tan(x))); push(c, { se: 0x3fff, hi: 0x80000000, lo: 0 }); break
    case 0xfb: { const cs = result(Math.cos(x)); setSt(c, 0, result(Math.sin(x))); push(c, cs); break }
    case 0xfe: setSt(c, 0, result(Math.sin(x))); break
    default: setSt(c, 0, result(Math.cos(x))); break
  }
  commit(c, C1.Zero)
}
