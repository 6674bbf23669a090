/**
 * Lazy arithmetic flags (CF PF AF ZF SF OF). Flag-setting operations record their kind,
 * operand size, operands and result in the CpuState; the flags are computed only when
 * something reads them (Jcc, SETcc, PUSHF, ADC...). Rules follow Intel SDM vol. 1,
 * 3.4.3.1 "Status flags" and the per-instruction "Flags affected" sections.
 */
import type { CpuState } from './cpu-state'
import { ARITH_FLAGS } from './constants'

/** Lazy operation kinds. */
export const LF = {
  EAGER: 0, ADD: 1, ADC: 2, SUB: 3, SBB: 4, LOGIC: 5, INC: 6, DEC: 7,
  /** Shifts, multiplies: CF in lfAux bit 0, OF in lfAux bit 11; SF/ZF/PF from result. */
  SETCO: 8,
} as const

const PARITY = new Uint8Array(256)
for (let i = 0; i < 256; i++) {
  let b = i, p = 1
  while (b) { p ^= b & 1; b >>= 1 }
  PARITY[i] = p
}

export function signBit(size: number): number {
  return size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000 | 0
}

export function setLazy(c: CpuState, op: number, size: number, dst: number, src: number, res: number): void {
  c.lfOp = op
  c.lfSize = size
  c.lfDst = dst
  c.lfSrc = src
  c.lfRes = res
}

export function setLazy64(c: CpuState, op: number, dst: number, dstHi: number, src: number, srcHi: number, res: number, resHi: number): void {
  c.lfOp = op
  c.lfSize = 8
  c.lfDst = dst; c.lfDstHi = dstHi
  c.lfSrc = src; c.lfSrcHi = srcHi
  c.lfRes = res; c.lfResHi = resHi
}

function ltu(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  const ah = aHi >>> 0, bh = bHi >>> 0
  return ah < bh || (ah === bh && (aLo >>> 0) < (bLo >>> 0))
}

export function getCF(c: CpuState): boolean {
  switch (c.lfOp) {
    case LF.EAGER: return (c.eflags & 1) !== 0
    case LF.ADD:
      if (c.lfSize === 8) return ltu(c.lfRes, c.lfResHi, c.lfDst, c.lfDstHi)
      return (c.lfRes >>> 0) < (c.lfDst >>> 0)
    case LF.ADC:
      if (c.lfSize === 8) return ltu(c.lfRes, c.lfResHi, c.lfDst, c.lfDstHi) || (c.lfAux !== 0 && c.lfRes === c.lfDst && c.lfResHi === c.lfDstHi)
      return (c.lfRes >>> 0) < (c.lfDst >>> 0) || (c.lfAux !== 0 && c.lfRes === c.lfDst)
    case LF.SUB:
      if (c.lfSize === 8) return ltu(c.lfDst, c.lfDstHi, c.lfSrc, c.lfSrcHi)
      return (c.lfDst >>> 0) < (c.lfSrc >>> 0)
    case LF.SBB:
      if (c.lfSize === 8) return ltu(c.lfDst, c.lfDstHi, c.lfSrc, c.lfSrcHi) || (c.lfAux !== 0 && c.lfSrc === c.lfDst && c.lfSrcHi === c.lfDstHi)
      return (c.lfDst >>> 0) < (c.lfSrc >>> 0) || (c.lfAux !== 0 && c.lfSrc === c.lfDst)
    case LF.LOGIC: return false
    case LF.INC: case LF.DEC: return c.lfAux !== 0
    default: return (c.lfAux & 1) !== 0
  }
}

export function getZF(c: CpuState): boolean {
  if (c.lfOp === LF.EAGER) return (c.eflags & 0x40) !== 0
  return c.lfSize === 8 ? (c.lfRes | c.lfResHi) === 0 : c.lfRes === 0
}

export function getSF(c: CpuState): boolean {
  if (c.lfOp === LF.EAGER) return (c.eflags & 0x80) !== 0
  return c.lfSize === 8 ? c.lfResHi < 0 : (c.lfRes & signBit(c.lfSize)) !== 0
}

export function getPF(c: CpuState): boolean {
  if (c.lfOp === LF.EAGER) return (c.eflags & 4) !== 0
  return PARITY[c.lfRes & 0xff] === 1
}

export function getAF(c: CpuState): boolean {
  switch (c.lfOp) {
    case LF.EAGER: return (c.eflags & 0x10) !== 0
    case LF.LOGIC: case LF.SETCO: return false
    default: return ((c.lfDst ^ c.lfSrc ^ c.lfRes) & 0x10) !== 0
  }
}

export function getOF(c: CpuState): boolean {
  const op = c.lfOp
  switch (op) {
    case LF.EAGER: return (c.eflags & 0x800) !== 0
    case LF.ADD: case LF.ADC: case LF.INC: {
      if (c.lfSize === 8) return ((c.lfDstHi ^ c.lfResHi) & (c.lfSrcHi ^ c.lfResHi)) < 0
      return ((c.lfDst ^ c.lfRes) & (c.lfSrc ^ c.lfRes) & signBit(c.lfSize)) !== 0
    }
    case LF.SUB: case LF.SBB: case LF.DEC: {
      if (c.lfSize === 8) return ((c.lfDstHi ^ c.lfSrcHi) & (c.lfDstHi ^ c.lfResHi)) < 0
      return ((c.lfDst ^ c.lfSrc) & (c.lfDst ^ c.lfRes) & signBit(c.lfSize)) !== 0
    }
    case LF.LOGIC: return false
    default: return (c.lfAux & 0x800) !== 0
  }
}

/** The full RFLAGS value (low 32 bits). */
export function getFlags(c: CpuState): number {
  if (c.lfOp === LF.EAGER) return c.eflags | 2
  let f = c.eflags & ~ARITH_FLAGS
  if (getCF(c)) f |= 1
  if (getPF(c)) f |= 4
  if (getAF(c)) f |= 0x10
  if (getZF(c)) f |= 0x40
  if (getSF(c)) f |= 0x80
  if (getOF(c)) f |= 0x800
  return f | 2
}

/** Materialize the arithmetic flags into eflags (before a partial flag update). */
export function materialize(c: CpuState): void {
  if (c.lfOp !== LF.EAGER) {
    c.eflags = getFlags(c)
    c.lfOp = LF.EAGER
  }
}

/** Replace RFLAGS bits selected by `mask` with those of `value`. */
export function setFlagsMasked(c: CpuState, value: number, mask: number): void {
  materialize(c)
  c.eflags = ((c.eflags & ~mask) | (value & mask) | 2) >>> 0
}

export function setCF(c: CpuState, on: boolean): void {
  materialize(c)
  c.eflags = on ? c.eflags | 1 : c.eflags & ~1
}

/** Jcc/SETcc/CMOVcc condition `cc` (0..15). */
export function testCond(c: CpuState, cc: number): boolean {
  let r: boolean
  switch (cc >> 1) {
    case 0: r = getOF(c); break
    case 1: r = getCF(c); break
    case 2: r = getZF(c); break
    case 3: r = getCF(c) || getZF(c); break
    case 4: r = getSF(c); break
    case 5: r = getPF(c); break
    case 6: r = getSF(c) !== getOF(c); break
    default: r = getZF(c) || getSF(c) !== getOF(c); break
  }
  return (cc & 1) !== 0 ? !r : r
}
