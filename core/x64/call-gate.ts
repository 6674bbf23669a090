/**
 * Far CALL/JMP through call gates: 16- and 32-bit gates in protected mode (with the stack
 * switch from the TSS and the parameter copy for a CALL to an inner privilege level) and
 * 64-bit gates in IA-32e mode (stack from TSS.RSPn, SS = NULL, no parameters). Far RET
 * back to the outer level is exec-control.ts farRet. Intel SDM vol. 3, 5.8.3 "Call
 * gates", 5.8.5 "Stack switching", 5.8.6 "Returning from a called procedure"; vol. 2
 * "CALL" and "JMP" pseudocode (for the order of checks and the error codes).
 */
import type { CpuState } from './cpu-state'
import { EFER, Vector } from './constants'
import { gp, np, ts, ss } from './faults'
import { sysRead, writeSlow, readSlow, rd } from './mmu'
import {
  SEG_CS, SEG_SS, SEG_TR, SEG_LDTR, desc, readDescriptor, readDescriptorUpper, descAttr, descBase, descLimit, setSegCache,
  loadCsFromDesc, setAccessed, updateMode,
} from './segmentation'
import { push } from './operands'

const TWO32 = 4294967296
const CANON = 0x800000000000

/** System-descriptor types (S = 0) a far CALL/JMP may name. */
export const SysType = { Tss16: 1, Ldt: 2, Tss16Busy: 3, CallGate16: 4, TaskGate: 5, Tss32: 9, Tss32Busy: 0xb, CallGate32: 0xc } as const

/**
 * Does an expand-up/expand-down stack segment (attr, limit) hold `bytes` below offset
 * `sp` (`big`: 32-bit offsets)?
 */
function stackFits(attr: number, limit: number, sp: number, bytes: number, big: boolean): boolean {
  const top = big ? TWO32 : 0x10000
  const end = sp === 0 ? top : sp
  const low = end - bytes
  if (low < 0) return false
  if ((attr & 4) !== 0) return low > limit && end - 1 <= (((attr & 0x4000) !== 0) ? 0xffffffff : 0xffff)
  return end - 1 <= limit
}

/**
 * Far CALL (isCall) or JMP to `sel`, whose descriptor (a call gate) is in `desc`.
 * `ret` is the return offset (the next instruction). Leaves RIP in c.ip.
 */
export function callGate(c: CpuState, sel: number, isCall: boolean, ret: number): void {
  const long = (c.efer & EFER.LMA) !== 0
  const gAttr = descAttr(desc.hi)
  const gDpl = (gAttr >> 5) & 3
  const gateErr = sel & 0xfffc
  if (gDpl < c.cpl || gDpl < (sel & 3)) gp(gateErr)
  if ((gAttr & 0x80) === 0) np(gateErr)
  const gLo = desc.lo, gHi = desc.hi
  let width = (gAttr & 8) !== 0 ? 4 : 2
  let offset = ((gLo & 0xffff) | (gHi & 0xffff0000)) >>> 0
  if (long) {
    // a 16-byte gate: its upper half must be inside the table, holds offset 63:32 and a
    // type field that must be 0 (SDM vol. 3, 5.8.3.1)
    const tableLimit = (sel & 4) !== 0 ? c.segLimit[SEG_LDTR] : c.gdtrLimit
    if ((sel & 0xfff8) + 15 > tableLimit) gp(gateErr)
    const upper = readDescriptorUpper(c)
    if (((sysRead(c, desc.addr + 12, 4) >>> 8) & 0x1f) !== 0) gp(gateErr)
    offset = (upper | 0) * TWO32 + offset
    width = 8
  } else if (width === 2) offset &= 0xffff
  const params = long ? 0 : gHi & 0x1f
  const csSel = gLo >>> 16
  if ((csSel & 0xfffc) === 0) gp(0)
  readDescriptor(c, csSel)
  const cAttr = descAttr(desc.hi)
  const csErr = csSel & 0xfffc
  if ((cAttr & 0x18) !== 0x18) gp(csErr)
  const cDpl = (cAttr >> 5) & 3
  const conforming = (cAttr & 4) !== 0
  if (cDpl > c.cpl) gp(csErr)
  if (!isCall && !conforming && cDpl !== c.cpl) gp(csErr)
  if (long && ((cAttr & 0x2000) === 0 || (cAttr & 0x4000) !== 0)) gp(csErr)
  if ((cAttr & 0x80) === 0) np(csErr)
  if (long ? offset < -CANON || offset >= CANON : offset > descLimit(desc.lo, desc.hi)) gp(0)
  const csLo = desc.lo, csHi = desc.hi, csAddr = desc.addr
  const inner = isCall && !conforming && cDpl < c.cpl
  const newCpl = inner ? cDpl : c.cpl
  if (inner) {
    if (long) innerFrame64(c, newCpl, ret)
    else innerFrame(c, newCpl, ret, width, params)
  } else if (isCall) {
    const oldCs = c.segSel[SEG_CS]
    if (long) sameFrame64(c, oldCs, ret)
    else {
      const spLo = c.r[8], spHi = c.r[9]
      try { push(c, width, oldCs, 0); push(c, width, ret | 0, 0) } catch (e) { c.r[8] = spLo; c.r[9] = spHi; throw e }
    }
  }
  desc.lo = csLo; desc.hi = csHi; desc.addr = csAddr
  loadCsFromDesc(c, csSel, newCpl)
  c.ip = offset
}

/** 64-bit gate, same privilege: CS and RIP as quadwords on the current stack. */
function sameFrame64(c: CpuState, oldCs: number, ret: number): void {
  const rsp = c.stackSize === 8 ? c.r[9] * TWO32 + (c.r[8] >>> 0) : c.r[8] >>> 0
  const user = c.cpl === 3
  const a = rsp - 16
  if (a < -CANON || a >= CANON) ss(0)
  writeSlow(c, rsp - 8, 8, oldCs, 0, user)
  writeSlow(c, a, 8, ret | 0, Math.floor(ret / TWO32) | 0, user)
  c.r[8] = a | 0; c.r[9] = Math.floor(a / TWO32) | 0
}

/** 64-bit gate to an inner level: RSP from TSS.RSPn, SS = NULL with RPL = new CPL. */
function innerFrame64(c: CpuState, newCpl: number, ret: number): void {
  const tss = c.segBase[SEG_TR]
  if (4 + newCpl * 8 + 7 > c.segLimit[SEG_TR]) ts(c.segSel[SEG_TR] & 0xfffc)
  const lo = readSlow(c, tss + 4 + newCpl * 8, 8, false)
  const rsp = c.h * TWO32 + (lo >>> 0)
  if (rsp < -CANON || rsp >= CANON) ss(0)
  const oldRsp = c.stackSize === 8 ? c.r[9] * TWO32 + (c.r[8] >>> 0) : c.r[8] >>> 0
  const vals = [c.segSel[SEG_SS], oldRsp, c.segSel[SEG_CS], ret]
  for (let i = 0; i < 4; i++) {
    const v = vals[i]
    writeSlow(c, rsp - 8 * (i + 1), 8, v | 0, Math.floor(v / TWO32) | 0, false)
  }
  const n = rsp - 32
  setSegCache(c, SEG_SS, newCpl, 0, 0, newCpl << 5)
  c.r[8] = n | 0; c.r[9] = Math.floor(n / TWO32) | 0
  updateMode(c)
}

/**
 * 16/32-bit gate to an inner level: new SS:ESP from the TSS, checked (#TS/#SS with the
 * new SS selector), then old SS, old ESP, `params` parameters copied from the old stack,
 * old CS and the return offset, all of the gate's width, written before any register
 * changes so a fault leaves the caller's state intact.
 */
function innerFrame(c: CpuState, newCpl: number, ret: number, width: number, params: number): void {
  const tss = c.segBase[SEG_TR], trErr = c.segSel[SEG_TR] & 0xfffc
  const tss32 = (c.segAttr[SEG_TR] & 8) !== 0
  const at = tss32 ? 4 + newCpl * 8 : 2 + newCpl * 4
  if (at + (tss32 ? 5 : 3) > c.segLimit[SEG_TR]) ts(trErr)
  const esp = tss32 ? sysRead(c, tss + at, 4) >>> 0 : sysRead(c, tss + at, 2)
  const ssSel = sysRead(c, tss + at + (tss32 ? 4 : 2), 2)
  const ssErr = ssSel & 0xfffc
  if (ssErr === 0) ts(0)
  readDescriptor(c, ssSel, Vector.TS)
  const sAttr = descAttr(desc.hi)
  if ((ssSel & 3) !== newCpl || ((sAttr >> 5) & 3) !== newCpl || (sAttr & 0x1a) !== 0x12) ts(ssErr)
  if ((sAttr & 0x80) === 0) ss(ssErr)
  const sBase = descBase(desc.lo, desc.hi), sLimit = descLimit(desc.lo, desc.hi)
  const big = (sAttr & 0x4000) !== 0
  const sp0 = big ? esp : esp & 0xffff
  if (!stackFits(sAttr, sLimit, sp0, width * (4 + params), big)) ss(ssErr)
  setAccessed(c)
  // the parameters, read from the caller's stack at the caller's privilege
  const oldSs = c.segSel[SEG_SS], oldEsp = c.r[8] >>> 0
  const oldSp = c.stackSize === 4 ? oldEsp : oldEsp & 0xffff
  const frame: number[] = [oldSs, c.stackSize === 4 ? oldEsp : oldEsp & 0xffff]
  for (let i = params - 1; i >= 0; i--) {
    const off = c.stackSize === 4 ? (oldSp + i * width) >>> 0 : (oldSp + i * width) & 0xffff
    frame.push(rd(c, (c.segBase[SEG_SS] + off) >>> 0, width))
  }
  frame.push(c.segSel[SEG_CS], ret)
  const wrap = big ? TWO32 : 0x10000
  let sp = sp0
  for (const v of frame) {
    sp = (sp - width + wrap) % wrap
    writeSlow(c, (sBase + sp) % TWO32, width, width === 2 ? v & 0xffff : v | 0, 0, false)
  }
  setSegCache(c, SEG_SS, ssSel, sBase, sLimit, sAttr)
  c.r[8] = big ? sp | 0 : (esp & ~0xffff) | sp
  updateMode(c)
}
