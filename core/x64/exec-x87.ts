/**
 * x87 FPU escape opcodes D8-DF (Intel SDM vol. 1 ch. 8; vol. 2 "FADD", "FLD", ...): loads
 * and stores of 16/32/64-bit integers and 32/64/80-bit reals, the arithmetic set, compares
 * (FCOM/FUCOM/FCOMI/FUCOMI), FCMOVcc, constants, transcendental basics, control/status
 * word access, FNINIT/FNCLEX, FNSTENV/FLDENV. Values are held as doubles (64-bit
 * precision, a documented deviation); exceptions are masked and never raised, stack
 * overflow/underflow are not detected.
 */
import type { CpuState } from './cpu-state'
import { CR0 } from './constants'
import { nm, ud } from './faults'
import { decodeModrm, ea } from './decode'
import { rd, wr, probeWrite } from './mmu'
import { setFlagsMasked, testCond } from './lazy-flags'
import { writeReg } from './operands'
import { f64ToF80, f80ToF64 } from './fpu-state'

const cvt = new DataView(new ArrayBuffer(16))
const b80 = new Uint8Array(16)
const b80v = new DataView(b80.buffer)

function st(c: CpuState, i: number): number {
  return c.fpr[(c.fpTop + i) & 7]
}
function setSt(c: CpuState, i: number, v: number): void {
  const p = (c.fpTop + i) & 7
  c.fpr[p] = v
  c.fpTag |= 1 << p
}
function fpush(c: CpuState, v: number): void {
  c.fpTop = (c.fpTop - 1) & 7
  c.fpr[c.fpTop] = v
  c.fpTag |= 1 << c.fpTop
}
function fpop(c: CpuState): void {
  c.fpTag &= ~(1 << c.fpTop)
  c.fpTop = (c.fpTop + 1) & 7
}

/** Round per FPU control word RC. */
function roundRc(c: CpuState, v: number): number {
  switch ((c.fpCw >> 10) & 3) {
    case 0: { const f = Math.floor(v); const d = v - f; return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1 }
    case 1: return Math.floor(v)
    case 2: return Math.ceil(v)
    default: return Math.trunc(v)
  }
}

function arith(op: number, a: number, b: number): number {
  switch (op) {
    case 0: return a + b
    case 1: return a * b
    case 4: return a - b
    case 5: return b - a
    case 6: return a / b
    default: return b / a
  }
}

/** FCOM condition codes into FSW (C3 C2 C0). */
function compare(c: CpuState, a: number, b: number): void {
  let cc = 0
  if (a !== a || b !== b) cc = 0x4500
  else if (a < b) cc = 0x0100
  else if (a === b) cc = 0x4000
  c.fpSw = (c.fpSw & ~0x4700) | cc
}

function compareFlags(c: CpuState, a: number, b: number): void {
  const f = a !== a || b !== b ? 0x45 : a < b ? 1 : a === b ? 0x40 : 0
  setFlagsMasked(c, f, 0x8d5)
}

function readReal(c: CpuState, a: number, size: number): number {
  if (size === 4) { cvt.setInt32(0, rd(c, a, 4), true); return cvt.getFloat32(0, true) }
  if (size === 8) { const lo = rd(c, a, 8); cvt.setInt32(0, lo, true); cvt.setInt32(4, c.h, true); return cvt.getFloat64(0, true) }
  const lo = rd(c, a, 8), hi = c.h
  const se = rd(c, a + 8, 2)
  return f80ToF64(lo, hi, se)
}

function writeReal(c: CpuState, a: number, size: number, v: number): void {
  if (size === 4) { cvt.setFloat32(0, v, true); wr(c, a, 4, cvt.getInt32(0, true), 0); return }
  if (size === 8) { cvt.setFloat64(0, v, true); wr(c, a, 8, cvt.getInt32(0, true), cvt.getInt32(4, true)); return }
  f64ToF80(v, b80, 0)
  probeWrite(c, a, 8); probeWrite(c, a + 8, 2)
  wr(c, a, 8, b80v.getInt32(0, true), b80v.getInt32(4, true))
  wr(c, a + 8, 2, b80v.getUint16(8, true), 0)
}

function readInt(c: CpuState, a: number, size: number): number {
  if (size === 2) return (rd(c, a, 2) << 16) >> 16
  if (size === 4) return rd(c, a, 4)
  const lo = rd(c, a, 8)
  return c.h * 4294967296 + (lo >>> 0)
}

function writeInt(c: CpuState, a: number, size: number, v: number, truncate: boolean): void {
  let r = truncate ? Math.trunc(v) : roundRc(c, v)
  const lim = size === 2 ? 0x8000 : size === 4 ? 0x80000000 : 2 ** 63
  if (!(r >= -lim && r < lim)) r = -lim // integer indefinite
  if (size === 8) wr(c, a, 8, r | 0, Math.floor(r / 4294967296) | 0)
  else wr(c, a, size, r | 0, 0)
}

function fsw(c: CpuState): number {
  return (c.fpSw & ~0x3800) | ((c.fpTop & 7) << 11)
}

/** Full 16-bit tag word from the abridged tags (valid/zero/special are all reported valid or zero). */
function fullTag(c: CpuState): number {
  let t = 0
  for (let p = 0; p < 8; p++) {
    const tag = (c.fpTag & (1 << p)) === 0 ? 3 : c.fpr[p] === 0 ? 1 : Number.isFinite(c.fpr[p]) ? 0 : 2
    t |= tag << (2 * p)
  }
  return t
}

export function execX87(c: CpuState, b: number): number {
  if ((c.cr0 & (CR0.EM | CR0.TS)) !== 0) nm()
  decodeModrm(c)
  const op = (c.modrm >> 3) & 7
  const i = c.modrm & 7
  if (c.mod !== 3) return memForm(c, b, op)
  switch (b) {
    case 0xd8:
      if (op === 2 || op === 3) { compare(c, st(c, 0), st(c, i)); if (op === 3) fpop(c); return 0 }
      setSt(c, 0, arith(op, st(c, 0), st(c, i))); return 0
    case 0xdc:
      if (op === 2 || op === 3) { compare(c, st(c, 0), st(c, i)); if (op === 3) fpop(c); return 0 }
      setSt(c, i, arith(op ^ (op >= 4 ? 1 : 0), st(c, i), st(c, 0))); return 0
    case 0xde:
      if (op === 3) { if (i !== 1) return ud(); compare(c, st(c, 0), st(c, 1)); fpop(c); fpop(c); return 0 }
      if (op === 2) return ud()
      setSt(c, i, arith(op ^ (op >= 4 ? 1 : 0), st(c, i), st(c, 0))); fpop(c); return 0
    case 0xd9: return d9Reg(c, op, i)
    case 0xda:
      if (op < 4) { if (testCond(c, [2, 4, 6, 10][op])) setSt(c, 0, st(c, i)); return 0 }
      if (c.modrm === 0xe9) { compare(c, st(c, 0), st(c, 1)); fpop(c); fpop(c); return 0 }
      return ud()
    case 0xdb:
      if (op < 4) { if (testCond(c, [3, 5, 7, 11][op])) setSt(c, 0, st(c, i)); return 0 }
      if (c.modrm === 0xe2) { c.fpSw &= 0x7f00; return 0 } // FNCLEX
      if (c.modrm === 0xe3) { c.fpCw = 0x37f; c.fpSw = 0; c.fpTop = 0; c.fpTag = 0; c.fpOp = 0; c.fpIp = 0; c.fpDp = 0; return 0 } // FNINIT
      if (op === 5 || op === 6) { compareFlags(c, st(c, 0), st(c, i)); return 0 }
      if (c.modrm === 0xe0 || c.modrm === 0xe1 || c.modrm === 0xe4) return 0 // FNENI/FNDISI/FNSETPM: no-ops
      return ud()
    case 0xdd:
      switch (op) {
        case 0: c.fpTag &= ~(1 << ((c.fpTop + i) & 7)); return 0 // FFREE
        case 2: setSt(c, i, st(c, 0)); return 0
        case 3: setSt(c, i, st(c, 0)); fpop(c); return 0
        case 4: compare(c, st(c, 0), st(c, i)); return 0
        case 5: compare(c, st(c, 0), st(c, i)); fpop(c); return 0
        default: return ud()
      }
    default: // DF
      if (c.modrm === 0xe0) { writeReg(c, 2, 0, fsw(c), 0); return 0 } // FNSTSW AX
      if (op === 5 || op === 6) { compareFlags(c, st(c, 0), st(c, i)); fpop(c); return 0 }
      if (op === 0) { c.fpTag &= ~(1 << ((c.fpTop + i) & 7)); fpop(c); return 0 } // FFREEP
      return ud()
  }
}

function d9Reg(c: CpuState, op: number, i: number): number {
  switch (op) {
    case 0: { const v = st(c, i); fpush(c, v); return 0 }
    case 1: { const a = st(c, 0); setSt(c, 0, st(c, i)); setSt(c, i, a); return 0 }
    case 2: if (i === 0) return 0; return ud() // FNOP
    case 3: return ud()
  }
  const m = c.modrm
  const s0 = st(c, 0)
  switch (m) {
    case 0xe0: setSt(c, 0, -s0); return 0
    case 0xe1: setSt(c, 0, Math.abs(s0)); return 0
    case 0xe4: compare(c, s0, 0); return 0
    case 0xe5: { // FXAM
      const empty = (c.fpTag & (1 << c.fpTop)) === 0
      let cc = empty ? 0x4100 : s0 !== s0 ? 0x0100 : !Number.isFinite(s0) ? 0x0500 : s0 === 0 ? 0x4000 : 0x0400
      if (s0 < 0 || Object.is(s0, -0)) cc |= 0x200
      c.fpSw = (c.fpSw & ~0x4700) | cc
      return 0
    }
    case 0xe8: fpush(c, 1); return 0
    case 0xe9: fpush(c, Math.LN10 / Math.LN2); return 0
    case 0xea: fpush(c, Math.LOG2E); return 0
    case 0xeb: fpush(c, Math.PI); return 0
    case 0xec: fpush(c, Math.LOG10E * Math.LN2); return 0
    case 0xed: fpush(c, Math.LN2); return 0
    case 0xee: fpush(c, 0); return 0
    case 0xf0: setSt(c, 0, 2 ** s0 - 1); return 0
    case 0xf1: setSt(c, 1, st(c, 1) * Math.log2(s0)); fpop(c); return 0
    case 0xf2: setSt(c, 0, Math.tan(s0)); fpush(c, 1); c.fpSw &= ~0x400; return 0
    case 0xf3: setSt(c, 1, Math.atan2(st(c, 1), s0)); fpop(c); return 0
    case 0xf4: { // FXTRACT
      const e = s0 === 0 ? -Infinity : Math.floor(Math.log2(Math.abs(s0)))
      setSt(c, 0, e); fpush(c, s0 === 0 ? s0 : s0 / 2 ** e); return 0
    }
    case 0xf5: case 0xf8: { // FPREM1 / FPREM
      const s1 = st(c, 1)
      const q = m === 0xf8 ? Math.trunc(s0 / s1) : Math.round(s0 / s1)
      setSt(c, 0, s0 - q * s1)
      const qi = Math.abs(q)
      c.fpSw = (c.fpSw & ~0x4700) | ((qi & 1) ? 0x200 : 0) | ((qi & 2) ? 0x4000 : 0) | ((qi & 4) ? 0x100 : 0)
      return 0
    }
    case 0xf6: c.fpTop = (c.fpTop - 1) & 7; return 0
    case 0xf7: c.fpTop = (c.fpTop + 1) & 7; return 0
    case 0xf9: setSt(c, 1, st(c, 1) * Math.log2(s0 + 1)); fpop(c); return 0
    case 0xfa: setSt(c, 0, Math.sqrt(s0)); return 0
    case 0xfb: setSt(c, 0, Math.sin(s0)); fpush(c, Math.cos(s0)); c.fpSw &= ~0x400; return 0
    case 0xfc: setSt(c, 0, roundRc(c, s0)); return 0
    case 0xfd: setSt(c, 0, s0 * 2 ** Math.trunc(st(c, 1))); return 0
    case 0xfe: setSt(c, 0, Math.sin(s0)); c.fpSw &= ~0x400; return 0
    case 0xff: setSt(c, 0, Math.cos(s0)); c.fpSw &= ~0x400; return 0
    default: return ud()
  }
}

function memForm(c: CpuState, b: number, op: number): number {
  switch (b) {
    case 0xd8: case 0xdc: case 0xda: case 0xde: {
      const isInt = b === 0xda || b === 0xde
      const size = b === 0xd8 ? 4 : b === 0xdc ? 8 : b === 0xda ? 4 : 2
      const a = ea(c, size, false)
      const v = isInt ? readInt(c, a, size) : readReal(c, a, size)
      if (op === 2 || op === 3) { compare(c, st(c, 0), v); if (op === 3) fpop(c); return 0 }
      setSt(c, 0, arith(op, st(c, 0), v))
      return 0
    }
    case 0xd9:
      switch (op) {
        case 0: fpush(c, readReal(c, ea(c, 4, false), 4)); return 0
        case 2: writeReal(c, ea(c, 4, true), 4, st(c, 0)); return 0
        case 3: writeReal(c, ea(c, 4, true), 4, st(c, 0)); fpop(c); return 0
        case 4: return fldenv(c)
        case 5: c.fpCw = rd(c, ea(c, 2, false), 2) | 0x40; return 0
        case 6: return fnstenv(c)
        case 7: wr(c, ea(c, 2, true), 2, c.fpCw, 0); return 0
        default: return ud()
      }
    case 0xdb:
      switch (op) {
        case 0: fpush(c, readInt(c, ea(c, 4, false), 4)); return 0
        case 1: writeInt(c, ea(c, 4, true), 4, st(c, 0), true); fpop(c); return 0
        case 2: writeInt(c, ea(c, 4, true), 4, st(c, 0), false); return 0
        case 3: writeInt(c, ea(c, 4, true), 4, st(c, 0), false); fpop(c); return 0
        case 5: fpush(c, readReal(c, ea(c, 10, false), 10)); return 0
        case 7: writeReal(c, ea(c, 10, true), 10, st(c, 0)); fpop(c); return 0
        default: return ud()
      }
    case 0xdd:
      switch (op) {
        case 0: fpush(c, readReal(c, ea(c, 8, false), 8)); return 0
        case 1: writeInt(c, ea(c, 8, true), 8, st(c, 0), true); fpop(c); return 0
        case 2: writeReal(c, ea(c, 8, true), 8, st(c, 0)); return 0
        case 3: writeReal(c, ea(c, 8, true), 8, st(c, 0)); fpop(c); return 0
        case 7: wr(c, ea(c, 2, true), 2, fsw(c), 0); return 0
        default: return ud() // FRSTOR / FNSAVE are not implemented
      }
    default: // DF
      switch (op) {
        case 0: fpush(c, readInt(c, ea(c, 2, false), 2)); return 0
        case 1: writeInt(c, ea(c, 2, true), 2, st(c, 0), true); fpop(c); return 0
        case 2: writeInt(c, ea(c, 2, true), 2, st(c, 0), false); return 0
        case 3: writeInt(c, ea(c, 2, true), 2, st(c, 0), false); fpop(c); return 0
        case 5: fpush(c, readInt(c, ea(c, 8, false), 8)); return 0
        case 7: writeInt(c, ea(c, 8, true), 8, st(c, 0), false); fpop(c); return 0
        default: return ud()
      }
  }
}

/** FNSTENV: 28-byte (32/64-bit operand size) or 14-byte environment. */
function fnstenv(c: CpuState): number {
  const w = c.opSize === 2 ? 2 : 4
  const a = ea(c, 7 * w, true)
  probeWrite(c, a, 1); probeWrite(c, a + 7 * w - 1, 1)
  const vals = [c.fpCw, fsw(c), fullTag(c), c.fpIp, 0, c.fpDp, 0]
  for (let k = 0; k < 7; k++) wr(c, a + k * w, w, vals[k], 0)
  c.fpCw |= 0x3f // masks all exceptions, as the instruction does
  return 0
}

function fldenv(c: CpuState): number {
  const w = c.opSize === 2 ? 2 : 4
  const a = ea(c, 7 * w, false)
  const cw = rd(c, a, 2), sw = rd(c, a + w, 2), tw = rd(c, a + 2 * w, 2)
  c.fpCw = cw
  c.fpTop = (sw >> 11) & 7
  c.fpSw = sw & ~0x3800
  let t = 0
  for (let p = 0; p < 8; p++) if (((tw >> (2 * p)) & 3) !== 3) t |= 1 << p
  c.fpTag = t
  return 0
}

