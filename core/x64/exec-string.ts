/**
 * String instructions MOVS/CMPS/STOS/LODS/SCAS/INS/OUTS with REP/REPE/REPNE (Intel SDM
 * vol. 2, "REP/REPE/REPZ/REPNE/REPNZ"). A REP instruction runs a bounded chunk of
 * iterations per step and then re-executes, so interrupts and exits stay timely and a
 * fault leaves the registers describing the completed iterations. INS/OUTS exit once
 * per element; completion (cpu.ts) advances the registers.
 */
import type { CpuState } from './cpu-state'
import { TLB_SIZE } from './cpu-state'
import { FLAGS, Mode } from './constants'
import { segLinear } from './decode'
import { readReg, writeReg } from './operands'
import { rd, wr, probeWrite } from './mmu'
import { alu } from './ops-alu'
import { getZF } from './lazy-flags'
import { checkIoPermission, ioExit, IoKind } from './exits'

const CHUNK = 4096

function strLin(c: CpuState, seg: number, reg: number, size: number, write: boolean): number {
  const a = c.adSize
  const lo = readReg(c, a, reg)
  return segLinear(c, seg, lo, a === 8 ? c.h : 0, size, write)
}

/** Advance rSI/rDI by `delta` at the address size. */
export function advance(c: CpuState, reg: number, delta: number): void {
  const a = c.adSize, r = c.r, i = reg << 1
  if (a === 8) {
    const t = (r[i] >>> 0) + delta
    r[i] = t | 0
    r[i + 1] = (r[i + 1] + (t >= 4294967296 ? 1 : t < 0 ? -1 : 0)) | 0
  } else if (a === 4) { r[i] = (r[i] + delta) | 0; r[i + 1] = 0 } else r[i] = (r[i] & ~0xffff) | ((r[i] + delta) & 0xffff)
}

/** rCX at the address size is zero. */
export function countZero(c: CpuState): boolean {
  const a = c.adSize, r = c.r
  if (a === 8) return (r[2] | r[3]) === 0
  if (a === 4) return r[2] === 0
  return (r[2] & 0xffff) === 0
}

export function decCount(c: CpuState): void {
  advance(c, 1, -1)
}

/** Execute string opcode `b` with element size `size`. Returns 0 or an exit reason. */
export function stringOp(c: CpuState, b: number, size: number): number {
  const rep = c.rep !== 0
  if (rep && countZero(c)) {
    // A32 in 64-bit mode: the zero-count REP still writes ECX (and ESI/EDI for MOVS/STOS),
    // zero-extending them as the host CPU does.
    if (c.adSize === 4) {
      c.r[3] = 0
      const op = b & 0xfe
      if (op === 0xa4 || op === 0xaa) { c.r[15] = 0; if (op === 0xa4) c.r[13] = 0 }
    }
    return 0
  }
  const delta = (c.eflags & FLAGS.DF) !== 0 ? -size : size
  const src = c.segOvr >= 0 ? c.segOvr : 3
  const op = b & 0xfe
  if (op === 0x6c || op === 0x6e) {
    const port = c.r[4] & 0xffff
    checkIoPermission(c, port, size)
    if (op === 0x6c) {
      const a = strLin(c, 0, 7, size, true)
      probeWrite(c, a, size)
      return ioExit(c, IoKind.Ins, port, size, 0, rep)
    }
    const v = rd(c, strLin(c, src, 6, size, false), size)
    return ioExit(c, IoKind.Outs, port, size, v, rep)
  }
  const start = c.rip
  let n = rep ? CHUNK : 1
  const bulk = rep && delta > 0 && (op === 0xa4 || op === 0xaa) && c.mode === Mode.Long64
  while (n-- > 0) {
    if (bulk && n > 0) {
      const k = bulkRun(c, op, size, src, n + 1)
      if (k > 0) {
        n -= k - 1
        if (countZero(c)) return 0
        continue
      }
    }
    switch (op) {
      case 0xa4: { // MOVS
        const v = rd(c, strLin(c, src, 6, size, false), size), vh = c.h
        wr(c, strLin(c, 0, 7, size, true), size, v, vh)
        advance(c, 6, delta); advance(c, 7, delta)
        break
      }
      case 0xaa: { // STOS
        const v = readReg(c, size, 0), vh = c.h // strLin overwrites c.h
        wr(c, strLin(c, 0, 7, size, true), size, v, vh)
        advance(c, 7, delta)
        break
      }
      case 0xac: { // LODS
        const v = rd(c, strLin(c, src, 6, size, false), size)
        writeReg(c, size, 0, v, c.h)
        advance(c, 6, delta)
        break
      }
      case 0xa6: { // CMPS
        const s1 = rd(c, strLin(c, src, 6, size, false), size), s1h = c.h
        const s2 = rd(c, strLin(c, 0, 7, size, false), size), s2h = c.h
        alu(c, 7, size, s1, s1h, s2, s2h)
        advance(c, 6, delta); advance(c, 7, delta)
        break
      }
      default: { // SCAS
        const a = readReg(c, size, 0), ah = c.h
        const s2 = rd(c, strLin(c, 0, 7, size, false), size)
        alu(c, 7, size, a, ah, s2, c.h)
        advance(c, 7, delta)
        break
      }
    }
    if (!rep) return 0
    decCount(c)
    if (countZero(c)) return 0
    if (op === 0xa6 || op === 0xae) {
      const zf = getZF(c)
      if (c.rep === 0xf3 ? !zf : zf) return 0
    }
  }
  // more iterations remain: re-execute this instruction
  c.ip = start
  return 0
}

/**
 * REP MOVS/STOS forward in 64-bit mode, as many elements as stay inside the pages the TLB
 * already maps (RAM, writable, not holding decoded code: mmu.ts fill), at most `max` and
 * rCX: the same memory and registers as one element at a time, in one typed-array call.
 * Returns the element count done (0: take the one-element path, which fills the TLB).
 */
function bulkRun(c: CpuState, op: number, size: number, src: number, max: number): number {
  const dLin = strLin(c, 0, 7, size, true)
  const dPage = Math.floor(dLin / 4096), di = dPage & (TLB_SIZE - 1), dOff = dLin & 0xfff
  if (c.tlbWrite[di] !== dPage) return 0
  let k = Math.min(max, Math.floor((4096 - dOff) / size), countBelow(c, max))
  const d = c.tlbWritePhys[di + c.tlbUserBank] + dOff
  const ram = c.ram
  if (op === 0xa4) {
    const sLin = strLin(c, src, 6, size, false)
    const sPage = Math.floor(sLin / 4096), si = sPage & (TLB_SIZE - 1), sOff = sLin & 0xfff
    if (c.tlbRead[si] !== sPage) return 0
    k = Math.min(k, Math.floor((4096 - sOff) / size))
    if (k < 2) return 0
    const s = c.tlbReadPhys[si + c.tlbUserBank] + sOff, len = k * size
    // a destination just above the source re-reads elements already copied, as element-wise copies do
    if (d > s && d < s + len) { for (let j = 0; j < len; j += size) ram.copyWithin(d + j, s + j, s + j + size) } else ram.copyWithin(d, s, s + len)
    advance(c, 6, len)
  } else {
    if (k < 2) return 0
    const len = k * size
    const v = readReg(c, size, 0), vh = c.h
    if (size === 1) ram.fill(v & 0xff, d, d + len)
    else if (v === 0 && (size !== 8 || vh === 0)) ram.fill(0, d, d + len)
    else for (let j = 0; j < len; j += size) wrPhys(c, d + j, size, v, vh)
  }
  advance(c, 7, k * size)
  advance(c, 1, -k)
  return k
}

/** Min of `max` and rCX at the address size (rCX is not zero here). */
function countBelow(c: CpuState, max: number): number {
  const a = c.adSize, r = c.r
  if (a === 8) return r[3] !== 0 ? max : Math.min(max, r[2] >>> 0)
  if (a === 4) return Math.min(max, r[2] >>> 0)
  return Math.min(max, r[2] & 0xffff)
}

function wrPhys(c: CpuState, p: number, size: number, v: number, vh: number): void {
  const dv = c.view
  if (size === 2) dv.setUint16(p, v & 0xffff, true)
  else if (size === 4) dv.setInt32(p, v, true)
  else { dv.setInt32(p, v, true); dv.setInt32(p + 4, vh, true) }
}

/** Complete an INS element with `value` (from completeIoIn). Returns true when the REP is done. */
export function completeIns(c: CpuState, value: number, size: number): boolean {
  const a = strLin(c, 0, 7, size, true)
  wr(c, a, size, value, 0)
  const delta = (c.eflags & FLAGS.DF) !== 0 ? -size : size
  advance(c, 7, delta)
  if (!c.exit.isRep) return true
  decCount(c)
  return countZero(c)
}

/** Complete an OUTS element. Returns true when the REP is done. */
export function completeOuts(c: CpuState, size: number): boolean {
  const delta = (c.eflags & FLAGS.DF) !== 0 ? -size : size
  advance(c, 6, delta)
  if (!c.exit.isRep) return true
  decCount(c)
  return countZero(c)
}
