/**
 * Hardware task switches in protected mode (not IA-32e mode): far JMP/CALL to a TSS or
 * task gate, interrupts and exceptions through a task gate in the IDT, and IRET with
 * EFLAGS.NT = 1 back along the previous-task link; 16-bit (type 1/3) and 32-bit (type
 * 9/11) TSS formats, busy bits, the back link and NT, CR0.TS, CR3 from a 32-bit TSS.
 * Intel SDM vol. 3, ch. 7.2-7.4 "Task management", table 7-1 (checks and their #TS/#NP/
 * #SS/#GP error codes).
 *
 * Deviations: everything the new task's state needs (its TSS and the descriptors of its
 * LDT, CS, SS and data segments) is read and checked before the switch commits, in the
 * old task's address space, so an invalid new state faults in the old task (the SDM
 * reports faults after the commit point in the new task); the TSS T bit (debug trap on
 * switch) and the I/O bitmap of the new task are not used; tasks with EFLAGS.VM = 1 load
 * their segments the virtual-8086 way, but virtual-8086 mode itself is not implemented.
 */
import type { CpuState } from './cpu-state'
import { CR0, FLAGS } from './constants'
import { gp, np, ts, ss } from './faults'
import { sysRead, sysWrite, flushTlbNonGlobal } from './mmu'
import { getFlags, setFlagsMasked } from './lazy-flags'
import {
  SEG_CS, SEG_SS, SEG_LDTR, SEG_TR, desc, descAttr, descBase, descLimit, setSegCache, setCpl, updateMode,
} from './segmentation'
import { push } from './operands'

/** What started the switch (SDM vol. 3, table 7-2 for busy/NT/link handling). */
export const TaskSource = { Jmp: 0, Call: 1, Iret: 2, Interrupt: 3 } as const

// the new task's state, read before the commit (no allocation per switch)
const regs = new Int32Array(8)
const sels = new Int32Array(6)
const segBase = new Float64Array(6)
const segLimit = new Float64Array(6)
const segAttr = new Int32Array(6)
const segDesc = new Float64Array(6) // descriptor address (for the accessed bit), -1 = none

/** Read the descriptor of `sel` from the GDT or the given LDT into `desc`; false if outside. */
function lookup(c: CpuState, sel: number, ldtBase: number, ldtLimit: number, ldtOk: boolean): boolean {
  const idx = sel & 0xfff8
  let base: number, limit: number
  if ((sel & 4) !== 0) {
    if (!ldtOk) return false
    base = ldtBase; limit = ldtLimit
  } else { base = c.gdtrBase; limit = c.gdtrLimit }
  if (idx + 7 > limit) return false
  desc.addr = base + idx
  desc.lo = sysRead(c, desc.addr, 4)
  desc.hi = sysRead(c, desc.addr + 4, 4)
  return true
}

function setBusy(c: CpuState, addr: number, busy: boolean): void {
  const hi = sysRead(c, addr + 4, 4)
  sysWrite(c, addr + 4, 4, busy ? hi | 0x200 : hi & ~0x200)
}

/**
 * Far JMP/CALL to `sel` (a TSS descriptor or task gate, already in `desc`): privilege
 * and type checks, then the switch. The new task's EIP ends up in c.ip.
 */
export function farTaskSwitch(c: CpuState, sel: number, isCall: boolean): void {
  const attr = descAttr(desc.hi)
  const dpl = (attr >> 5) & 3
  if (dpl < c.cpl || dpl < (sel & 3)) gp(sel & 0xfffc)
  let tssSel = sel
  if ((attr & 0xf) === 5) {
    if ((attr & 0x80) === 0) np(sel & 0xfffc)
    tssSel = desc.lo >>> 16
    if ((tssSel & 4) !== 0 || !lookup(c, tssSel, 0, 0, false)) gp(tssSel & 0xfffc)
    const t = (desc.hi >>> 8) & 0x1f
    if (t !== 1 && t !== 9) gp(tssSel & 0xfffc)
  } else if ((sel & 4) !== 0) gp(sel & 0xfffc)
  taskSwitch(c, tssSel, isCall ? TaskSource.Call : TaskSource.Jmp, c.ip, 0)
  c.ip = c.rip
}

/** IRET with NT = 1 in protected mode: back to the task in the current TSS's link field. */
export function taskReturn(c: CpuState, nextRip: number): void {
  const link = sysRead(c, c.segBase[SEG_TR], 2)
  if ((link & 4) !== 0 || !lookup(c, link, 0, 0, false)) ts(link & 0xfffc)
  const t = (desc.hi >>> 8) & 0x1f
  if (t !== 3 && t !== 0xb) ts(link & 0xfffc)
  taskSwitch(c, link, TaskSource.Iret, nextRip, 0)
}

/**
 * Interrupt/exception through a task gate (gate dwords lo/hi): switch, then push the
 * error code on the new task's stack. `c.rip` is the return address saved in the old TSS.
 */
export function taskGateEvent(c: CpuState, gateLo: number, hasErr: boolean, err: number, ext: number): void {
  const tssSel = gateLo >>> 16
  if ((tssSel & 4) !== 0 || !lookup(c, tssSel, 0, 0, false)) ts((tssSel & 0xfffc) + ext)
  const t = (desc.hi >>> 8) & 0x1f
  if (t !== 1 && t !== 9) ts((tssSel & 0xfffc) + ext)
  taskSwitch(c, tssSel, TaskSource.Interrupt, c.rip, ext)
  if (hasErr) push(c, (c.segAttr[SEG_TR] & 8) !== 0 ? 4 : 2, err, 0)
}

/**
 * The switch proper (SDM vol. 3, 7.3): `desc` holds the new TSS descriptor of `tssSel`;
 * `nextRip` is the EIP saved for the old task. Leaves the new EIP in c.rip and c.ip.
 */
export function taskSwitch(c: CpuState, tssSel: number, source: number, nextRip: number, ext: number): void {
  const nAttr = descAttr(desc.hi)
  const nAddr = desc.addr
  const nBase = descBase(desc.lo, desc.hi), nLimit = descLimit(desc.lo, desc.hi)
  const n32 = (nAttr & 8) !== 0
  const tssErr = (tssSel & 0xfffc) + ext
  if ((nAttr & 0x80) === 0) np(tssErr)
  if (nLimit < (n32 ? 0x67 : 0x2b)) ts(tssErr)
  const oBase = c.segBase[SEG_TR], o32 = (c.segAttr[SEG_TR] & 8) !== 0
  if (c.segLimit[SEG_TR] < (o32 ? 0x67 : 0x2b)) ts((c.segSel[SEG_TR] & 0xfffc) + ext)

  // ---- read the new task's state
  const w = n32 ? 4 : 2
  const cr3 = n32 ? sysRead(c, nBase + 0x1c, 4) >>> 0 : 0
  const eip = n32 ? sysRead(c, nBase + 0x20, 4) >>> 0 : sysRead(c, nBase + 0x0e, 2)
  let eflags = n32 ? sysRead(c, nBase + 0x24, 4) >>> 0 : sysRead(c, nBase + 0x10, 2)
  for (let i = 0; i < 8; i++) regs[i] = sysRead(c, nBase + (n32 ? 0x28 : 0x12) + i * w, w)
  for (let s = 0; s < 6; s++) sels[s] = n32 ? sysRead(c, nBase + 0x48 + s * 4, 2) : s < 4 ? sysRead(c, nBase + 0x22 + s * 2, 2) : 0
  const ldtSel = sysRead(c, nBase + (n32 ? 0x60 : 0x2a), 2)
  if (source === TaskSource.Call || source === TaskSource.Interrupt) eflags |= FLAGS.NT

  // ---- check the new LDT and segments (table 7-1)
  let ldtBase = 0, ldtLimit = 0, ldtAttr = 0, ldtOk = false
  if ((ldtSel & 0xfffc) !== 0) {
    if ((ldtSel & 4) !== 0 || !lookup(c, ldtSel, 0, 0, false)) ts((ldtSel & 0xfffc) + ext)
    ldtAttr = descAttr(desc.hi)
    if ((ldtAttr & 0x1f) !== 2 || (ldtAttr & 0x80) === 0) ts((ldtSel & 0xfffc) + ext)
    ldtBase = descBase(desc.lo, desc.hi); ldtLimit = descLimit(desc.lo, desc.hi); ldtOk = true
  }
  const v86 = (eflags & FLAGS.VM) !== 0
  const cpl = v86 ? 3 : sels[SEG_CS] & 3
  for (let s = 0; s < 6; s++) checkSegment(c, s, cpl, v86, ldtBase, ldtLimit, ldtOk, ext)

  // ---- save the old task (NT cleared in the image on IRET), busy bits, link
  let oFlags = getFlags(c)
  if (source === TaskSource.Iret) oFlags &= ~FLAGS.NT
  if (o32) {
    sysWrite(c, oBase + 0x20, 4, nextRip | 0)
    sysWrite(c, oBase + 0x24, 4, oFlags)
    for (let i = 0; i < 8; i++) sysWrite(c, oBase + 0x28 + i * 4, 4, c.r[2 * i])
    for (let s = 0; s < 6; s++) sysWrite(c, oBase + 0x48 + s * 4, 2, c.segSel[s])
  } else {
    sysWrite(c, oBase + 0x0e, 2, nextRip & 0xffff)
    sysWrite(c, oBase + 0x10, 2, oFlags & 0xffff)
    for (let i = 0; i < 8; i++) sysWrite(c, oBase + 0x12 + i * 2, 2, c.r[2 * i] & 0xffff)
    for (let s = 0; s < 4; s++) sysWrite(c, oBase + 0x22 + s * 2, 2, c.segSel[s])
  }
  const oldSel = c.segSel[SEG_TR]
  if (source === TaskSource.Jmp || source === TaskSource.Iret) {
    const oAddr = c.gdtrBase + (oldSel & 0xfff8)
    if ((oldSel & 0xfff8) + 7 <= c.gdtrLimit) setBusy(c, oAddr, false)
  }
  if (source !== TaskSource.Iret) setBusy(c, nAddr, true)
  if (source === TaskSource.Call || source === TaskSource.Interrupt) sysWrite(c, nBase, 2, oldSel)

  // ---- commit: TR, CR0.TS, CR3, LDTR, registers, flags, segments
  setSegCache(c, SEG_TR, tssSel, nBase, nLimit, nAttr | 2)
  c.cr0 = (c.cr0 | CR0.TS) >>> 0
  if (n32 && (c.cr0 & CR0.PG) !== 0) { c.cr3 = cr3; flushTlbNonGlobal(c) }
  setSegCache(c, SEG_LDTR, ldtSel, ldtBase, ldtLimit, ldtOk ? ldtAttr : 0)
  for (let i = 0; i < 8; i++) {
    if (n32) { c.r[2 * i] = regs[i]; c.r[2 * i + 1] = 0 } else c.r[2 * i] = (c.r[2 * i] & ~0xffff) | (regs[i] & 0xffff)
  }
  setFlagsMasked(c, eflags, n32 ? 0x3f7fd7 : 0xffff)
  for (let s = 0; s < 6; s++) {
    if (!n32 && s >= 4) { setSegCache(c, s, 0, 0, 0, 0); continue }
    setSegCache(c, s, sels[s], segBase[s], segLimit[s], segAttr[s])
    if (segDesc[s] >= 0) {
      const hi = sysRead(c, segDesc[s] + 4, 4)
      if ((hi & 0x100) === 0) sysWrite(c, segDesc[s] + 4, 4, hi | 0x100)
    }
  }
  setCpl(c, cpl)
  updateMode(c)
  c.rip = eip
  c.ip = eip
}

/** Check the new task's segment `s` and stage its cache (table 7-1 error codes). */
function checkSegment(c: CpuState, s: number, cpl: number, v86: boolean, ldtBase: number, ldtLimit: number, ldtOk: boolean, ext: number): void {
  const sel = sels[s]
  segDesc[s] = -1
  if (v86) { segBase[s] = sel * 16; segLimit[s] = 0xffff; segAttr[s] = 0xf3; return }
  const err = (sel & 0xfffc) + ext
  if ((sel & 0xfffc) === 0) {
    if (s === SEG_CS || s === SEG_SS) ts(err)
    segBase[s] = 0; segLimit[s] = 0; segAttr[s] = 0
    return
  }
  if (!lookup(c, sel, ldtBase, ldtLimit, ldtOk)) ts(err)
  const a = descAttr(desc.hi)
  const dpl = (a >> 5) & 3, code = (a & 8) !== 0
  if ((a & 0x10) === 0) ts(err)
  if (s === SEG_CS) {
    if (!code) ts(err)
    if ((a & 4) !== 0 ? dpl > (sel & 3) : dpl !== (sel & 3)) ts(err)
    if ((a & 0x80) === 0) np(err)
  } else if (s === SEG_SS) {
    if (code || (a & 2) === 0 || dpl !== cpl || (sel & 3) !== cpl) ts(err)
    if ((a & 0x80) === 0) ss(err)
  } else {
    if (code && (a & 2) === 0) ts(err)
    if (!(code && (a & 4) !== 0) && (dpl < cpl || dpl < (sel & 3))) ts(err)
    if ((a & 0x80) === 0) np(err)
  }
  segBase[s] = descBase(desc.lo, desc.hi)
  segLimit[s] = descLimit(desc.lo, desc.hi)
  segAttr[s] = a | 1
  segDesc[s] = desc.addr
}
