/**
 * Far control transfers and segment-register instructions: far JMP/CALL/RET between
 * code segments at the same privilege (and RET to an outer privilege), software
 * interrupts (INT n / INT3 / INTO / INT1), PUSH/POP/MOV of segment registers and the
 * LDS/LES/LSS/LFS/LGS far-pointer loads; call gates (call-gate.ts) and task gates/TSS
 * targets (task-switch.ts) branch off here. Intel SDM vol. 3, ch. 5.8 "Privilege level checking when transferring
 * program control between code segments"; vol. 2 "CALL", "JMP", "RET".
 */
import type { CpuState } from './cpu-state'
import { Mode, FLAGS, EFER } from './constants'
import { callGate, SysType } from './call-gate'
import { farTaskSwitch } from './task-switch'
import { gp, ud, ss as ssFault, fault } from './faults'
import { readSlow } from './mmu'
import { ea } from './decode'
import { push, peek, addSp, writeReg } from './operands'
import {
  SEG_CS, SEG_SS, desc, checkCodeSeg, loadCsFromDesc, loadSeg, updateMode, readDescriptor, descAttr, descBase,
  descLimit, setSegCache, setAccessed, nullifyOuterSegs,
} from './segmentation'
import { deliverEvent, EventKind } from './interrupts'
import { toNum } from './exec-helpers'
import { rd } from './mmu'

function realMode(c: CpuState): boolean {
  return c.mode === Mode.Real || (c.eflags & FLAGS.VM) !== 0
}

function setFarTarget(c: CpuState, offLo: number, offHi: number, size: number): void {
  if (c.mode === Mode.Long64) {
    const t = size === 8 ? toNum(offLo, offHi) : offLo >>> 0
    if (t < -0x800000000000 || t >= 0x800000000000) gp(0)
    c.ip = t
    return
  }
  const t = size === 2 ? offLo & 0xffff : offLo >>> 0
  if (t > c.segLimit[SEG_CS]) gp(0)
  c.ip = t
}

/**
 * A far CALL/JMP naming a system descriptor: call gate (call-gate.ts), or outside IA-32e
 * mode a task gate or TSS (task-switch.ts); anything else is #GP(selector). Returns false
 * for a code-segment selector (the caller goes on with the direct transfer).
 */
function viaSystemDescriptor(c: CpuState, sel: number, isCall: boolean): boolean {
  if ((sel & 0xfffc) === 0) return false
  readDescriptor(c, sel)
  if ((desc.hi & 0x1000) !== 0) return false
  const type = (desc.hi >>> 8) & 0xf
  const long = (c.efer & EFER.LMA) !== 0
  if (type === SysType.CallGate32 || (!long && type === SysType.CallGate16)) { callGate(c, sel, isCall, c.ip); return true }
  if (!long && (type === SysType.TaskGate || type === SysType.Tss16 || type === SysType.Tss32)) {
    farTaskSwitch(c, sel, isCall)
    return true
  }
  return gp(sel & 0xfffc)
}

export function farJump(c: CpuState, sel: number, offLo: number, offHi: number, size: number): void {
  if (realMode(c)) {
    c.segSel[SEG_CS] = sel; c.segBase[SEG_CS] = sel << 4
    c.ip = size === 2 ? offLo & 0xffff : offLo >>> 0
    updateMode(c)
    return
  }
  if (viaSystemDescriptor(c, sel, false)) return
  checkCodeSeg(c, sel, false)
  const attr = descAttr(desc.hi)
  const conforming = (attr & 4) !== 0
  loadCsFromDesc(c, conforming ? sel : (sel & ~3) | c.cpl, c.cpl)
  setFarTarget(c, offLo, offHi, size)
}

export function farCall(c: CpuState, sel: number, offLo: number, offHi: number, size: number): void {
  const oldCs = c.segSel[SEG_CS], ret = c.ip
  if (realMode(c)) {
    push(c, size, oldCs, 0)
    push(c, size, ret, 0)
    farJump(c, sel, offLo, offHi, size)
    return
  }
  if (viaSystemDescriptor(c, sel, true)) return
  checkCodeSeg(c, sel, false)
  const lo = desc.lo, hi = desc.hi, addr = desc.addr
  const spLo = c.r[8], spHi = c.r[9]
  push(c, size, oldCs, 0)
  push(c, size, ret | 0, Math.floor(ret / 4294967296) | 0)
  desc.lo = lo; desc.hi = hi; desc.addr = addr
  const saved = [c.segSel[SEG_CS], c.segBase[SEG_CS], c.segLimit[SEG_CS], c.segAttr[SEG_CS]]
  loadCsFromDesc(c, (sel & ~3) | c.cpl, c.cpl)
  try { setFarTarget(c, offLo, offHi, size) } catch (e) {
    setSegCache(c, SEG_CS, saved[0], saved[1], saved[2], saved[3]); updateMode(c); c.r[8] = spLo; c.r[9] = spHi
    throw e
  }
}

export function farRet(c: CpuState, size: number, extra: number): void {
  const ipLo = peek(c, 0, size), ipHi = size === 8 ? c.h : 0
  const sel = peek(c, size, size) & 0xffff
  if (realMode(c)) {
    addSp(c, 2 * size + extra)
    c.segSel[SEG_CS] = sel; c.segBase[SEG_CS] = sel << 4
    c.ip = size === 2 ? ipLo & 0xffff : ipLo >>> 0
    updateMode(c)
    return
  }
  checkCodeSeg(c, sel, true)
  const rpl = sel & 3
  if (rpl === c.cpl) {
    const lo = desc.lo, hi = desc.hi, addr = desc.addr
    const saved = [c.segSel[SEG_CS], c.segBase[SEG_CS], c.segLimit[SEG_CS], c.segAttr[SEG_CS]]
    desc.lo = lo; desc.hi = hi; desc.addr = addr
    loadCsFromDesc(c, sel, c.cpl)
    try { setFarTarget(c, ipLo, ipHi, size) } catch (e) { setSegCache(c, SEG_CS, saved[0], saved[1], saved[2], saved[3]); updateMode(c); throw e }
    addSp(c, 2 * size + extra)
    return
  }
  // return to an outer privilege level: SS:rSP follow the parameters
  const spLo = peek(c, 2 * size + extra, size), spHi = size === 8 ? c.h : 0
  const ssSel = peek(c, 3 * size + extra, size) & 0xffff
  const csLo = desc.lo, csHi = desc.hi, csAddr = desc.addr
  let sBase = 0, sLimit = 0, sAttr = rpl << 5
  if ((ssSel & 0xfffc) === 0) {
    if (!(c.mode === Mode.Long64 && rpl !== 3)) gp(0)
  } else {
    readDescriptor(c, ssSel)
    sAttr = descAttr(desc.hi)
    if ((ssSel & 3) !== rpl || ((sAttr >> 5) & 3) !== rpl || (sAttr & 0x1a) !== 0x12) gp(ssSel & 0xfffc)
    if ((sAttr & 0x80) === 0) ssFault(ssSel & 0xfffc)
    setAccessed(c)
    sBase = descBase(desc.lo, desc.hi); sLimit = descLimit(desc.lo, desc.hi)
  }
  desc.lo = csLo; desc.hi = csHi; desc.addr = csAddr
  loadCsFromDesc(c, sel, rpl)
  setSegCache(c, SEG_SS, ssSel, sBase, sLimit, sAttr)
  updateMode(c)
  setFarTarget(c, ipLo, ipHi, size)
  if (c.stackSize === 8) { c.r[8] = spLo; c.r[9] = spHi } else if (c.stackSize === 4) { c.r[8] = spLo; c.r[9] = 0 } else c.r[8] = (c.r[8] & ~0xffff) | (spLo & 0xffff)
  addSp(c, extra)
  nullifyOuterSegs(c)
}

/**
 * INT n (isException=false) or INT3/INTO/INT1. c.rip holds the next instruction.
 * A #BP/#OF selected in the exception bitmap exits before delivery.
 */
export function softInt(c: CpuState, vector: number, isException: boolean): void {
  if (isException && (c.exceptionBitmap & (1 << vector)) !== 0) fault(vector, 0, false)
  if ((c.eflags & FLAGS.VM) !== 0 && ((c.eflags >> 12) & 3) < 3) gp(0)
  deliverEvent(c, vector, false, 0, vector === 1 && isException ? EventKind.Exception : EventKind.Software)
  c.ip = c.rip
}

export function pushSeg(c: CpuState, seg: number): void {
  let size = c.opSize
  if (c.mode === Mode.Long64) size = size === 2 ? 2 : 8
  push(c, size, c.segSel[seg], 0)
}

export function popSeg(c: CpuState, seg: number): void {
  let size = c.opSize
  if (c.mode === Mode.Long64) size = size === 2 ? 2 : 8
  const v = peek(c, 0, size) & 0xffff
  movToSeg(c, seg, v)
  addSp(c, size)
}

export function movToSeg(c: CpuState, seg: number, sel: number): void {
  if (seg === SEG_CS || seg > 5) ud()
  loadSeg(c, seg, sel)
  // MOV SS / POP SS: interrupts and #DB traps wait for the next instruction (SDM vol. 3, 6.8.3)
  if (seg === SEG_SS) { c.shadow = 2; c.dbMovSs = 1 }
}

/** LES/LDS/LSS/LFS/LGS: offset then selector at the memory operand. */
export function loadFarPointer(c: CpuState, seg: number, size: number): void {
  const a = ea(c, size + 2, false)
  const off = rd(c, a, size), offh = c.h
  const sel = rd(c, a + size, 2)
  movToSeg(c, seg, sel)
  c.dbMovSs = 0
  if (seg !== SEG_SS) c.shadow = 0
  writeReg(c, size, c.reg, off, offh)
}

