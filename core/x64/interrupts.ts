/**
 * Event delivery through the IVT/IDT in real, protected and long mode (interrupt and trap
 * gates, privilege switch through the TSS, IST stacks in long mode; task gates switch
 * tasks, task-switch.ts) and the IRET that returns from it (NT = 1: task return).
 * Virtual-8086 mode is not supported.
 * Intel SDM vol. 3, ch. 6.10-6.14 "Interrupt descriptor table", "Exception and
 * interrupt handling in 64-bit mode"; vol. 2 "IRET/IRETD/IRETQ".
 */
import type { CpuState } from './cpu-state'
import { FLAGS, Mode, EFER } from './constants'
import { gp, np, ts, ss } from './faults'
import { sysRead, writeSlow, readSlow } from './mmu'
import { getFlags, setFlagsMasked } from './lazy-flags'
import {
  SEG_CS, SEG_SS, SEG_TR, desc, readDescriptor, descAttr, descBase, descLimit, setSegCache, loadCsFromDesc,
  setAccessed, updateMode, checkCodeSeg, nullifyOuterSegs, setCpl,
} from './segmentation'
import { push, peek, addSp } from './operands'
import { Vector } from './constants'
import { pushesRf } from './debug-traps'
import { taskGateEvent, taskReturn } from './task-switch'

const TWO32 = 4294967296

/** Event kinds for error-code EXT bits and gate DPL checks. */
export const EventKind = { Exception: 0, External: 1, Software: 2, Nmi: 3 } as const

function ripParts(rip: number): [number, number] {
  return [rip | 0, Math.floor(rip / TWO32) | 0]
}

/**
 * Deliver `vector` now. c.rip must already hold the return address (the faulting
 * instruction for faults, the next one for traps, software interrupts and external
 * interrupts). Nested faults propagate to the caller (run loop) for #DF handling.
 */
export function deliverEvent(c: CpuState, vector: number, hasErr: boolean, err: number, kind: number): void {
  c.halted = false
  // an instruction that delivers an event (INT n, a fault) gets no single-step trap after it
  c.dbStepPending = 0
  const ext = kind === EventKind.Software ? 0 : 1
  if (c.mode === Mode.Real) return deliverReal(c, vector)
  if ((c.efer & EFER.LMA) !== 0) return deliverLong(c, vector, hasErr, err, kind, ext)
  return deliverProt(c, vector, hasErr, err, kind, ext)
}

function deliverReal(c: CpuState, vector: number): void {
  if (vector * 4 + 3 > c.idtrLimit) gp(vector * 8 + 2)
  const ip = sysRead(c, c.idtrBase + vector * 4, 2)
  const cs = sysRead(c, c.idtrBase + vector * 4 + 2, 2)
  const flags = getFlags(c)
  c.stackSize = (c.segAttr[SEG_SS] & 0x4000) !== 0 ? 4 : 2
  push(c, 2, flags & 0xffff, 0)
  push(c, 2, c.segSel[SEG_CS], 0)
  push(c, 2, c.rip & 0xffff, 0)
  setFlagsMasked(c, 0, FLAGS.IF | FLAGS.TF | FLAGS.AC | FLAGS.RF)
  c.segSel[SEG_CS] = cs
  c.segBase[SEG_CS] = cs << 4
  c.rip = ip
  updateMode(c)
}

function readGate(c: CpuState, vector: number, bytes: number, ext: number): [number, number] {
  if (vector * bytes + bytes - 1 > c.idtrLimit) gp(vector * 8 + 2 + ext)
  const a = c.idtrBase + vector * bytes
  return [sysRead(c, a, 4), sysRead(c, a + 4, 4)]
}

function deliverProt(c: CpuState, vector: number, hasErr: boolean, err: number, kind: number, ext: number): void {
  const [lo, hi] = readGate(c, vector, 8, ext)
  const type = (hi >>> 8) & 0x1f
  const gateDpl = (hi >>> 13) & 3
  const idtErr = vector * 8 + 2 + ext
  if (type !== 5 && type !== 6 && type !== 7 && type !== 0xe && type !== 0xf) gp(idtErr)
  if (kind === EventKind.Software && gateDpl < c.cpl) gp(vector * 8 + 2)
  if ((hi & 0x8000) === 0) np(idtErr)
  // task gate: the handler is a task (SDM vol. 3, 6.11 and 7.3)
  if (type === 5) { taskGateEvent(c, lo, hasErr, err, ext); return }
  const sel = lo >>> 16
  const offset = ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0
  const gate32 = (type & 8) !== 0
  const size = gate32 ? 4 : 2
  if ((sel & 0xfffc) === 0) gp(ext)
  readDescriptor(c, sel)
  const attr = descAttr(desc.hi)
  if ((attr & 0x18) !== 0x18) gp((sel & 0xfffc) + ext)
  let dpl = (attr >> 5) & 3
  if ((attr & 4) !== 0) dpl = c.cpl // conforming: stays at CPL
  if (dpl > c.cpl) gp((sel & 0xfffc) + ext)
  if ((attr & 0x80) === 0) np((sel & 0xfffc) + ext)
  const csLo = desc.lo, csHi = desc.hi, csAddr = desc.addr
  const flags = getFlags(c) | (kind === EventKind.Exception && pushesRf(vector) ? FLAGS.RF : 0)
  const oldCs = c.segSel[SEG_CS], oldRip = c.rip >>> 0
  if (dpl < c.cpl) {
    // inner privilege: stack from the TSS
    const tssBase = c.segBase[SEG_TR]
    const tss32 = (c.segAttr[SEG_TR] & 0xf) === 0xb || (c.segAttr[SEG_TR] & 0xf) === 9
    const esp = tss32 ? sysRead(c, tssBase + 4 + dpl * 8, 4) : sysRead(c, tssBase + 2 + dpl * 4, 2)
    const ssSel = tss32 ? sysRead(c, tssBase + 8 + dpl * 8, 2) : sysRead(c, tssBase + 4 + dpl * 4, 2)
    if ((ssSel & 0xfffc) === 0) ts(ext)
    readDescriptor(c, ssSel, Vector.TS)
    const sAttr = descAttr(desc.hi)
    if ((ssSel & 3) !== dpl || ((sAttr >> 5) & 3) !== dpl || (sAttr & 0x1a) !== 0x12) ts((ssSel & 0xfffc) + ext)
    if ((sAttr & 0x80) === 0) ss((ssSel & 0xfffc) + ext)
    setAccessed(c)
    const oldSs = c.segSel[SEG_SS], oldEsp = c.r[8]
    const saved = saveSeg(c, SEG_SS)
    setSegCache(c, SEG_SS, ssSel, descBase(desc.lo, desc.hi), descLimit(desc.lo, desc.hi), sAttr)
    updateMode(c)
    c.r[8] = esp
    const savedCpl = c.cpl
    setCpl(c, dpl)
    try {
      push(c, size, oldSs, 0)
      push(c, size, oldEsp, 0)
      push(c, size, flags, 0)
      push(c, size, oldCs, 0)
      push(c, size, oldRip, 0)
      if (hasErr) push(c, size, err, 0)
    } catch (e) {
      restoreSeg(c, SEG_SS, saved); c.r[8] = oldEsp; setCpl(c, savedCpl); updateMode(c)
      throw e
    }
  } else {
    const oldEsp = c.r[8]
    try {
      push(c, size, flags, 0)
      push(c, size, oldCs, 0)
      push(c, size, oldRip, 0)
      if (hasErr) push(c, size, err, 0)
    } catch (e) { c.r[8] = oldEsp; throw e }
  }
  desc.lo = csLo; desc.hi = csHi; desc.addr = csAddr
  loadCsFromDesc(c, sel, dpl)
  c.rip = gate32 ? offset : offset & 0xffff
  let clear = FLAGS.TF | FLAGS.NT | FLAGS.RF | FLAGS.VM
  if ((type & 1) === 0) clear |= FLAGS.IF
  setFlagsMasked(c, 0, clear)
  updateMode(c)
}

function saveSeg(c: CpuState, s: number): number[] {
  return [c.segSel[s], c.segBase[s], c.segLimit[s], c.segAttr[s]]
}
function restoreSeg(c: CpuState, s: number, v: number[]): void {
  setSegCache(c, s, v[0], v[1], v[2], v[3])
}

function deliverLong(c: CpuState, vector: number, hasErr: boolean, err: number, kind: number, ext: number): void {
  const [lo, hi] = readGate(c, vector, 16, ext)
  const upper = sysRead(c, c.idtrBase + vector * 16 + 8, 4)
  const type = (hi >>> 8) & 0x1f
  const gateDpl = (hi >>> 13) & 3
  const idtErr = vector * 8 + 2 + ext
  if (type !== 0xe && type !== 0xf) gp(idtErr)
  if (kind === EventKind.Software && gateDpl < c.cpl) gp(vector * 8 + 2)
  if ((hi & 0x8000) === 0) np(idtErr)
  const sel = lo >>> 16
  const target = upper * TWO32 + (((lo & 0xffff) | (hi & 0xffff0000)) >>> 0)
  const ist = hi & 7
  if ((sel & 0xfffc) === 0) gp(ext)
  readDescriptor(c, sel)
  const attr = descAttr(desc.hi)
  if ((attr & 0x18) !== 0x18 || (attr & 0x2000) === 0 || (attr & 0x4000) !== 0) gp((sel & 0xfffc) + ext)
  let dpl = (attr >> 5) & 3
  if ((attr & 4) !== 0) dpl = c.cpl
  if (dpl > c.cpl) gp((sel & 0xfffc) + ext)
  if ((attr & 0x80) === 0) np((sel & 0xfffc) + ext)
  if (target < -0x800000000000 || target >= 0x800000000000) gp(ext)
  const csLo = desc.lo, csHi = desc.hi, csAddr = desc.addr
  const tssBase = c.segBase[SEG_TR]
  let rsp: number
  const curRsp = c.r[9] * TWO32 + (c.r[8] >>> 0)
  if (ist !== 0) rsp = readQ(c, tssBase + 0x24 + (ist - 1) * 8)
  else if (dpl < c.cpl) rsp = readQ(c, tssBase + 4 + dpl * 8)
  else rsp = curRsp
  rsp = Math.floor(rsp / 16) * 16
  const frame = hasErr ? 48 : 40
  const user = dpl === 3
  const flags = getFlags(c) | (kind === EventKind.Exception && pushesRf(vector) ? FLAGS.RF : 0)
  const [ripLo, ripHi] = ripParts(c.rip)
  let a = rsp - 8
  const w = (vlo: number, vhi: number) => {
    if (a < -0x800000000000 || a >= 0x800000000000) ss(ext)
    writeSlow(c, a, 8, vlo, vhi, user)
    a -= 8
  }
  w(c.segSel[SEG_SS], 0)
  w(c.r[8], c.r[9])
  w(flags, 0)
  w(c.segSel[SEG_CS], 0)
  w(ripLo, ripHi)
  if (hasErr) w(err, 0)
  const newRsp = rsp - frame
  if (dpl < c.cpl) setSegCache(c, SEG_SS, dpl, 0, 0, (dpl << 5) | 0x4000 * 0)
  desc.lo = csLo; desc.hi = csHi; desc.addr = csAddr
  loadCsFromDesc(c, sel, dpl)
  c.r[8] = newRsp | 0
  c.r[9] = Math.floor(newRsp / TWO32) | 0
  c.rip = target
  let clear = FLAGS.TF | FLAGS.NT | FLAGS.RF | FLAGS.VM
  if ((type & 1) === 0) clear |= FLAGS.IF
  setFlagsMasked(c, 0, clear)
  updateMode(c)
}

function readQ(c: CpuState, lin: number): number {
  const lo = readSlow(c, lin, 8, false)
  return c.h * TWO32 + (lo >>> 0)
}

/** Flags a POPF/IRET at the current CPL/IOPL may change (SDM "POPF" table 4-?). */
export function writableFlagsMask(c: CpuState, forIret: boolean): number {
  let m = FLAGS.CF | FLAGS.PF | FLAGS.AF | FLAGS.ZF | FLAGS.SF | FLAGS.TF | FLAGS.DF | FLAGS.OF | FLAGS.NT | FLAGS.AC | FLAGS.ID
  if (forIret) m |= FLAGS.RF
  const iopl = (c.eflags >> 12) & 3
  if (c.mode === Mode.Real || c.cpl <= iopl) m |= FLAGS.IF
  if (c.mode === Mode.Real || c.cpl === 0) m |= FLAGS.IOPL
  return m
}

/** IRET / IRETD / IRETQ with operand size `size`. */
export function iret(c: CpuState, size: number): void {
  c.nmiBlocked = false // IRET ends NMI blocking (SDM vol. 3, 6.7.1)
  if (c.mode === Mode.Real) {
    const ip = peek(c, 0, size), cs = peek(c, size, size) & 0xffff, fl = peek(c, 2 * size, size)
    addSp(c, 3 * size)
    c.segSel[SEG_CS] = cs; c.segBase[SEG_CS] = cs << 4
    c.rip = size === 2 ? ip & 0xffff : ip >>> 0
    setFlagsMasked(c, fl, size === 2 ? writableFlagsMask(c, true) & 0xffff : writableFlagsMask(c, true) & ~FLAGS.VM)
    updateMode(c)
    return
  }
  const long = (c.efer & EFER.LMA) !== 0
  if ((c.eflags & FLAGS.NT) !== 0) {
    // nested task: return along the TSS back link; IA-32e mode has no task switching
    if (long) gp(0)
    taskReturn(c, c.ip)
    return
  }
  const ripLo = peek(c, 0, size), ripHi = size === 8 ? c.h : 0
  const csSel = peek(c, size, size) & 0xffff
  const fl = peek(c, 2 * size, size)
  checkCodeSeg(c, csSel, true)
  const newCpl = csSel & 3
  const attr = descAttr(desc.hi)
  const to64 = long && (attr & 0x2000) !== 0
  const newRip = size === 8 ? ripHi * TWO32 + (ripLo >>> 0) : size === 4 ? ripLo >>> 0 : ripLo & 0xffff
  if (to64 && (newRip < -0x800000000000 || newRip >= 0x800000000000)) gp(0)
  const mask = writableFlagsMask(c, true) & ~FLAGS.VM & (size === 2 ? 0xffff : -1)
  if (newCpl > c.cpl || c.mode === Mode.Long64) {
    const spLo = peek(c, 3 * size, size), spHi = size === 8 ? c.h : 0
    const ssSel = peek(c, 4 * size, size) & 0xffff
    // load SS for the target privilege
    const csLo = desc.lo, csHi = desc.hi, csAddr = desc.addr
    let ssBase = 0, ssLimit = 0, ssAttr = newCpl << 5
    if ((ssSel & 0xfffc) === 0) {
      if (!(long && to64 && newCpl !== 3)) gp(0)
    } else {
      readDescriptor(c, ssSel)
      const sa = descAttr(desc.hi)
      if ((ssSel & 3) !== newCpl || ((sa >> 5) & 3) !== newCpl || (sa & 0x1a) !== 0x12) gp(ssSel & 0xfffc)
      if ((sa & 0x80) === 0) ss(ssSel & 0xfffc)
      setAccessed(c)
      ssBase = descBase(desc.lo, desc.hi); ssLimit = descLimit(desc.lo, desc.hi); ssAttr = sa
    }
    setFlagsMasked(c, fl, mask)
    desc.lo = csLo; desc.hi = csHi; desc.addr = csAddr
    const privDrop = newCpl > c.cpl
    loadCsFromDesc(c, csSel, newCpl)
    setSegCache(c, SEG_SS, ssSel, ssBase, ssLimit, ssAttr)
    updateMode(c)
    if (size === 8) { c.r[8] = spLo; c.r[9] = spHi } else if (size === 4 || (c.segAttr[SEG_SS] & 0x4000) !== 0) { c.r[8] = size === 4 ? spLo : spLo & 0xffff; c.r[9] = 0 } else c.r[8] = (c.r[8] & ~0xffff) | (spLo & 0xffff)
    c.rip = newRip
    if (privDrop) nullifyOuterSegs(c)
    return
  }
  addSp(c, 3 * size)
  setFlagsMasked(c, fl, mask)
  loadCsFromDesc(c, csSel, newCpl)
  c.rip = newRip
}

