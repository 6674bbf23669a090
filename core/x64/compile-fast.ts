/**
 * Specialised closures for the most frequent 32/64-bit register forms (ADD/OR/AND/SUB/
 * XOR/CMP/TEST on registers and immediates, register MOVs and 32/64-bit loads/stores
 * through the TLB fast path). They inline what ops-alu.ts / lazy-flags.ts / mmu.ts do so a
 * hot instruction costs one closure call; the generic closures in compile.ts cover the
 * rest. Flag state is recorded exactly as alu() records it.
 */
import type { CpuState, CompiledInsn } from './cpu-state'
import { TLB_SIZE } from './cpu-state'
import { LF, getCF, getZF, getSF, getOF, testCond } from './lazy-flags'
import { rd32, rd64, wr8, wr32, wr64 } from './mmu'
import { memLin } from './compile'
import type { MemOp } from './compile-decode'

const MASK = TLB_SIZE - 1
const LF_OF_OP = [LF.ADD, LF.LOGIC, -1, -1, LF.LOGIC, LF.SUB, LF.LOGIC, LF.SUB]

/** ALU op (0 ADD 1 OR 4 AND 5 SUB 6 XOR 7 CMP, 8 TEST) of a register destination with a register (sReg >= 0) or an immediate. */
export function fastAlu(op: number, size: number, dReg: number, sReg: number, imm: number, next: number): CompiledInsn | null {
  const isTest = op === 8
  const kind = isTest ? LF.LOGIC : LF_OF_OP[op]
  if (kind < 0 || (size !== 4 && size !== 8)) return null
  const di = dReg << 1, si = sReg << 1
  const write = op !== 7 && !isTest
  const o = isTest ? 4 : op
  const immHi = imm >> 31
  if (size === 4) {
    return (c) => {
      const r = c.r
      const d = r[di], s = sReg >= 0 ? r[si] : imm
      let v: number
      switch (o) {
        case 0: v = (d + s) | 0; break
        case 1: v = d | s; break
        case 4: v = d & s; break
        case 6: v = d ^ s; break
        default: v = (d - s) | 0
      }
      if (write) { r[di] = v; r[di + 1] = 0 }
      c.lfOp = kind; c.lfSize = 4; c.lfDst = d; c.lfSrc = s; c.lfRes = v
      c.rip = next
    }
  }
  return (c) => {
    const r = c.r
    const dl = r[di], dh = r[di + 1]
    const sl = sReg >= 0 ? r[si] : imm, sh = sReg >= 0 ? r[si + 1] : immHi
    let lo: number, hi: number
    switch (o) {
      case 0: { const t = (dl >>> 0) + (sl >>> 0); lo = t | 0; hi = (dh + sh + (t > 0xffffffff ? 1 : 0)) | 0; break }
      case 1: lo = dl | sl; hi = dh | sh; break
      case 4: lo = dl & sl; hi = dh & sh; break
      case 6: lo = dl ^ sl; hi = dh ^ sh; break
      default: { const t = (dl >>> 0) - (sl >>> 0); lo = t | 0; hi = (dh - sh - (t < 0 ? 1 : 0)) | 0 }
    }
    if (write) { r[di] = lo; r[di + 1] = hi }
    c.lfOp = kind; c.lfSize = 8
    c.lfDst = dl; c.lfDstHi = dh; c.lfSrc = sl; c.lfSrcHi = sh; c.lfRes = lo; c.lfResHi = hi
    c.rip = next
  }
}

/** MOV reg, reg (32/64-bit). */
export function fastMovRR(size: number, dReg: number, sReg: number, next: number): CompiledInsn | null {
  const di = dReg << 1, si = sReg << 1
  if (size === 8) return (c) => { const r = c.r; r[di] = r[si]; r[di + 1] = r[si + 1]; c.rip = next }
  if (size === 4) return (c) => { const r = c.r; r[di] = r[si]; r[di + 1] = 0; c.rip = next }
  return null
}

const TWO32 = 4294967296

/** [base + disp] without index/segment/RIP: the address is computed inline. */
function isBaseDisp(m: MemOp): boolean {
  return m.base >= 0 && m.index < 0 && m.seg < 0 && !m.rip && !m.a32
}

/** Inline [base + disp] address, falling back to memLin outside the exact range. */
function baseDispLin(c: CpuState, m: MemOp, bi: number, disp: number): number {
  const h = c.r[bi + 1]
  if (h > 0x7fff || h < -0x8000) return memLin(c, m)
  const a = h * TWO32 + (c.r[bi] >>> 0) + disp
  return a >= -0x800000000000 && a < 0x800000000000 ? a : memLin(c, m)
}

/** MOV reg, [mem] (32/64-bit) with the read-TLB hit inlined. */
export function fastLoad(size: number, dReg: number, m: MemOp, next: number): CompiledInsn | null {
  const di = dReg << 1
  if (isBaseDisp(m)) {
    const bi = m.base << 1, disp = m.disp
    if (size === 8) {
      return (c) => {
        const a = baseDispLin(c, m, bi, disp)
        const page = Math.floor(a / 4096), i = page & MASK, off = a & 0xfff
        let lo: number, hi: number
        if (c.tlbRead[i] === page && off < 4089) { const p = c.tlbReadPhys[i + c.tlbUserBank] + off; lo = c.view.getInt32(p, true); hi = c.view.getInt32(p + 4, true) } else { lo = rd64(c, a); hi = c.h }
        c.r[di] = lo; c.r[di + 1] = hi
        c.rip = next
      }
    }
    if (size === 4) {
      return (c) => {
        const a = baseDispLin(c, m, bi, disp)
        const page = Math.floor(a / 4096), i = page & MASK, off = a & 0xfff
        const v = c.tlbRead[i] === page && off < 4093 ? c.view.getInt32(c.tlbReadPhys[i + c.tlbUserBank] + off, true) : rd32(c, a)
        c.r[di] = v; c.r[di + 1] = 0
        c.rip = next
      }
    }
  }
  if (size === 8) {
    return (c) => {
      const a = memLin(c, m)
      const page = Math.floor(a / 4096), i = page & MASK, off = a & 0xfff
      let lo: number, hi: number
      if (c.tlbRead[i] === page && off < 4089) { const p = c.tlbReadPhys[i + c.tlbUserBank] + off; lo = c.view.getInt32(p, true); hi = c.view.getInt32(p + 4, true) } else { lo = rd64(c, a); hi = c.h }
      c.r[di] = lo; c.r[di + 1] = hi
      c.rip = next
    }
  }
  if (size === 4) {
    return (c) => {
      const a = memLin(c, m)
      const page = Math.floor(a / 4096), i = page & MASK, off = a & 0xfff
      const v = c.tlbRead[i] === page && off < 4093 ? c.view.getInt32(c.tlbReadPhys[i + c.tlbUserBank] + off, true) : rd32(c, a)
      c.r[di] = v; c.r[di + 1] = 0
      c.rip = next
    }
  }
  return null
}

/** MOV [mem], reg (32/64-bit) with the write-TLB hit inlined. */
export function fastStore(size: number, sReg: number, m: MemOp, next: number): CompiledInsn | null {
  const si = sReg << 1
  if (isBaseDisp(m)) {
    const bi = m.base << 1, disp = m.disp
    if (size === 8) {
      return (c) => {
        const a = baseDispLin(c, m, bi, disp)
        const page = Math.floor(a / 4096), i = page & MASK, off = a & 0xfff
        if (c.tlbWrite[i] === page && off < 4089) { const p = c.tlbWritePhys[i + c.tlbUserBank] + off; c.view.setInt32(p, c.r[si], true); c.view.setInt32(p + 4, c.r[si + 1], true) } else wr64(c, a, c.r[si], c.r[si + 1])
        c.rip = next
      }
    }
    if (size === 4) {
      return (c) => {
        const a = baseDispLin(c, m, bi, disp)
        const page = Math.floor(a / 4096), i = page & MASK, off = a & 0xfff
        if (c.tlbWrite[i] === page && off < 4093) c.view.setInt32(c.tlbWritePhys[i + c.tlbUserBank] + off, c.r[si], true); else wr32(c, a, c.r[si])
        c.rip = next
      }
    }
  }
  if (size === 8) {
    return (c) => {
      const a = memLin(c, m)
      const page = Math.floor(a / 4096), i = page & MASK, off = a & 0xfff
      if (c.tlbWrite[i] === page && off < 4089) { const p = c.tlbWritePhys[i + c.tlbUserBank] + off; c.view.setInt32(p, c.r[si], true); c.view.setInt32(p + 4, c.r[si + 1], true) } else wr64(c, a, c.r[si], c.r[si + 1])
      c.rip = next
    }
  }
  if (size === 4) {
    return (c) => {
      const a = memLin(c, m)
      const page = Math.floor(a / 4096), i = page & MASK, off = a & 0xfff
      if (c.tlbWrite[i] === page && off < 4093) c.view.setInt32(c.tlbWritePhys[i + c.tlbUserBank] + off, c.r[si], true); else wr32(c, a, c.r[si])
      c.rip = next
    }
  }
  return null
}

/** Jcc with the condition's flag getters called directly (no testCond dispatch). */
export function fastJcc(cc: number, target: number, next: number): CompiledInsn {
  const neg = (cc & 1) !== 0
  const t = neg ? next : target, f = neg ? target : next
  switch (cc >> 1) {
    case 0: return (c) => { c.rip = getOF(c) ? t : f }
    case 1: return (c) => { c.rip = getCF(c) ? t : f }
    case 2: return (c) => { c.rip = getZF(c) ? t : f }
    case 3: return (c) => { c.rip = getCF(c) || getZF(c) ? t : f }
    case 4: return (c) => { c.rip = getSF(c) ? t : f }
    case 5: return (c) => { c.rip = testCond(c, 10) ? t : f }
    case 6: return (c) => { c.rip = signedLess(c) ? t : f }
    default: return (c) => { c.rip = getZF(c) || signedLess(c) ? t : f }
  }
}

/** SF != OF, with a fast path for a recorded SUB/CMP of 32/64-bit operands. */
function signedLess(c: CpuState): boolean {
  if (c.lfOp === LF.SUB) {
    if (c.lfSize === 4) return c.lfDst < c.lfSrc
    if (c.lfSize === 8) return c.lfDstHi < c.lfSrcHi || (c.lfDstHi === c.lfSrcHi && (c.lfDst >>> 0) < (c.lfSrc >>> 0))
  }
  return getSF(c) !== getOF(c)
}

/** MOV [mem], imm (8/32/64-bit) with the write-TLB hit inlined. */
export function fastStoreImm(size: number, imm: number, m: MemOp, next: number): CompiledInsn | null {
  const hi = imm >> 31
  if (size === 1) {
    const v = imm & 0xff
    return (c) => {
      const a = memLin(c, m)
      const page = Math.floor(a / 4096), i = page & MASK
      if (c.tlbWrite[i] === page) c.ram[c.tlbWritePhys[i + c.tlbUserBank] + (a & 0xfff)] = v; else wr8(c, a, v)
      c.rip = next
    }
  }
  if (size === 4) {
    return (c) => {
      const a = memLin(c, m)
      const page = Math.floor(a / 4096), i = page & MASK, off = a & 0xfff
      if (c.tlbWrite[i] === page && off < 4093) c.view.setInt32(c.tlbWritePhys[i + c.tlbUserBank] + off, imm, true); else wr32(c, a, imm)
      c.rip = next
    }
  }
  if (size === 8) return (c) => { wr64(c, memLin(c, m), imm, hi); c.rip = next }
  return null
}
