/**
 * Linear memory access for the interpreter: a direct-mapped software TLB (separate
 * read/write/execute validity, one bank per privilege class) in front of paging.ts, the
 * RAM fast path, and the slow path that splits page-crossing accesses, honours the
 * HV_MAP_GPA_* rights of GuestMemory, calls MMIO handlers synchronously and turns
 * unmapped/denied GPAs into MemoryAccess exits (instruction not executed).
 */
import type { CpuState } from './cpu-state'
import { TLB_SIZE } from './cpu-state'
import { translate, memoryExit, Access, walkGlobal, walkLarge } from './paging'
import { Mode, CR4 } from './constants'
import { watchedPage, dataBreakpoint } from './debug-traps'
import { TlbArray, noteFill, flushSetAll, flushSetNonGlobal, flushSetSlot, purgeInactiveWrites } from './tlb-set'
import { pageCode, invalidateCodePage } from './code-cache'
import {
  GpaKind, HV_MAP_GPA_READABLE, HV_MAP_GPA_WRITABLE, HV_MAP_GPA_KERNEL_EXECUTABLE, HV_MAP_GPA_USER_EXECUTABLE,
} from '../memory/guest-memory'

const MASK = TLB_SIZE - 1

/** Drop every translation of every PCID (CR0/CR4 paging changes, PGE toggles, memory remaps). */
export function flushTlb(c: CpuState): void {
  // every set is empty now: the active one is tagged with the current PCID (CR3 may have
  // been loaded from outside, e.g. a restore), the others are free
  for (const s of c.tlbSets) { flushSetAll(s); s.pcid = -1 }
  c.tlbSet.pcid = (c.cr4 & CR4.PCIDE) !== 0 ? c.cr3 % 4096 : 0
  c.fetchLo = 0; c.fetchHi = 0; c.fetchCode = null
  c.memGeneration = c.memory.generation
}

/** MOV to CR3 without PCIDs (and task switches): drop the non-global translations. */
export function flushTlbNonGlobal(c: CpuState): void {
  flushSetNonGlobal(c.tlbSet)
  c.fetchLo = 0; c.fetchHi = 0; c.fetchCode = null
}

/** Drop translations of one linear page, global ones included, in every PCID (INVLPG). */
export function flushTlbPage(c: CpuState, lin: number): void {
  const region4m = (c.cr4 & CR4.PAE) === 0
  for (const s of c.tlbSets) flushSetSlot(s, lin, region4m)
  c.fetchLo = 0; c.fetchHi = 0
}

/** Select the TLB bank for the current CPL (call after every CPL change). */
export function selectTlbBank(c: CpuState): void {
  const user = c.cpl === 3
  c.tlbRead = user ? c.tlbReadTagU : c.tlbReadTagS
  c.tlbWrite = user ? c.tlbWriteTagU : c.tlbWriteTagS
  c.tlbUserBank = user ? TLB_SIZE : 0
  c.fetchLo = 0; c.fetchHi = 0
}

/** Install a translation; `id` is TlbArray.ReadS or WriteS (the bank is the current CPL's). */
function fill(c: CpuState, id: number, lin: number, gpa: number, rights: number): void {
  const gpage = Math.floor(gpa / 4096)
  if (!c.memory.isRamPage(gpage, rights)) return
  const page = Math.floor(lin / 4096), i = page & MASK
  if (c.dbWatch !== 0 && watchedPage(c, page)) return
  const user = c.tlbUserBank !== 0
  const k = id + (user ? 1 : 0)
  c.tlbSet.tags[k][i] = page
  ;(id === TlbArray.ReadS ? c.tlbReadPhys : c.tlbWritePhys)[i + c.tlbUserBank] = gpage * 4096
  noteFill(c, k * TLB_SIZE + i, walkGlobal, walkLarge)
}

// ---- physical access (slow path)

function physRead(c: CpuState, gpa: number, size: number, lin: number): number {
  const m = c.memory
  const kind = m.classify(gpa, HV_MAP_GPA_READABLE)
  if (kind === GpaKind.Ram && gpa + size <= m.size) {
    const v = c.view
    if (size === 1) return c.ram[gpa]
    if (size === 2) return v.getUint16(gpa, true)
    if (size === 4) return v.getInt32(gpa, true)
    c.h = v.getInt32(gpa + 4, true)
    return v.getInt32(gpa, true)
  }
  if (kind === GpaKind.Mmio) {
    const r = m.findMmio(gpa)!
    const off = gpa - r.base
    if (size === 8) {
      const lo = r.handler.read(off, 4) | 0
      c.h = r.handler.read(off + 4, 4) | 0
      return lo
    }
    const v = r.handler.read(off, size)
    return size === 4 ? v | 0 : v & (size === 1 ? 0xff : 0xffff)
  }
  return memoryExit(c, gpa, lin, Access.Read)
}

function physCheckWrite(c: CpuState, gpa: number, lin: number): void {
  const kind = c.memory.classify(gpa, HV_MAP_GPA_WRITABLE)
  if (kind !== GpaKind.Ram && kind !== GpaKind.Mmio) memoryExit(c, gpa, lin, Access.Write)
}

function physWrite(c: CpuState, gpa: number, size: number, v: number, vh: number): void {
  const m = c.memory
  const r = m.findMmio(gpa)
  if (r) {
    const off = gpa - r.base
    if (size === 8) { r.handler.write(off, 4, v >>> 0); r.handler.write(off + 4, 4, vh >>> 0) } else r.handler.write(off, size, size === 4 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff))
    return
  }
  const gpage = Math.floor(gpa / 4096)
  if (gpage < c.codeMark.length && c.codeMark[gpage] === 1) invalidateCodePage(c, gpage)
  const dv = c.view
  if (size === 1) c.ram[gpa] = v
  else if (size === 2) dv.setUint16(gpa, v & 0xffff, true)
  else if (size === 4) dv.setInt32(gpa, v, true)
  else { dv.setInt32(gpa, v, true); dv.setInt32(gpa + 4, vh, true) }
}

// ---- linear reads

export function readSlow(c: CpuState, lin: number, size: number, user: boolean): number {
  if (c.dbWatch !== 0) dataBreakpoint(c, lin, size, false)
  const off = lin & 0xfff
  if (off + size <= 4096) {
    const gpa = translate(c, lin, Access.Read, user)
    if (user === (c.cpl === 3)) fill(c, TlbArray.ReadS, lin, gpa, HV_MAP_GPA_READABLE)
    return physRead(c, gpa, size, lin)
  }
  let lo = 0, hi = 0
  for (let i = 0; i < size; i++) {
    const b = physRead(c, translate(c, lin + i, Access.Read, user), 1, lin + i)
    if (i < 4) lo |= b << (8 * i); else hi |= b << (8 * (i - 4))
  }
  c.h = hi
  return size === 2 ? lo & 0xffff : lo
}

export function rd8(c: CpuState, lin: number): number {
  const page = Math.floor(lin / 4096), i = page & MASK
  if (c.tlbRead[i] === page) return c.ram[c.tlbReadPhys[i + c.tlbUserBank] + (lin & 0xfff)]
  return readSlow(c, lin, 1, c.cpl === 3)
}
export function rd16(c: CpuState, lin: number): number {
  const page = Math.floor(lin / 4096), i = page & MASK, off = lin & 0xfff
  if (c.tlbRead[i] === page && off < 4095) return c.view.getUint16(c.tlbReadPhys[i + c.tlbUserBank] + off, true)
  return readSlow(c, lin, 2, c.cpl === 3)
}
export function rd32(c: CpuState, lin: number): number {
  const page = Math.floor(lin / 4096), i = page & MASK, off = lin & 0xfff
  if (c.tlbRead[i] === page && off < 4093) return c.view.getInt32(c.tlbReadPhys[i + c.tlbUserBank] + off, true)
  return readSlow(c, lin, 4, c.cpl === 3)
}
/** 64-bit read: returns the low half, high half in c.h. */
export function rd64(c: CpuState, lin: number): number {
  const page = Math.floor(lin / 4096), i = page & MASK, off = lin & 0xfff
  if (c.tlbRead[i] === page && off < 4089) {
    const p = c.tlbReadPhys[i + c.tlbUserBank] + off
    c.h = c.view.getInt32(p + 4, true)
    return c.view.getInt32(p, true)
  }
  return readSlow(c, lin, 8, c.cpl === 3)
}
export function rd(c: CpuState, lin: number, size: number): number {
  switch (size) {
    case 1: return rd8(c, lin)
    case 2: return rd16(c, lin)
    case 4: return rd32(c, lin)
    default: return rd64(c, lin)
  }
}

// ---- linear writes

/** Translate every page touched by a write first, so a fault leaves memory unchanged. */
export function writeSlow(c: CpuState, lin: number, size: number, v: number, vh: number, user: boolean): void {
  if (c.dbWatch !== 0) dataBreakpoint(c, lin, size, true)
  const off = lin & 0xfff
  if (off + size <= 4096) {
    const gpa = translate(c, lin, Access.Write, user)
    physCheckWrite(c, gpa, lin)
    if (user === (c.cpl === 3) && c.codeMark[Math.floor(gpa / 4096)] !== 1) fill(c, TlbArray.WriteS, lin, gpa, HV_MAP_GPA_WRITABLE | HV_MAP_GPA_READABLE)
    physWrite(c, gpa, size, v, vh)
    return
  }
  const g0 = translate(c, lin, Access.Write, user)
  const g1 = translate(c, lin + size - 1, Access.Write, user)
  physCheckWrite(c, g0, lin)
  physCheckWrite(c, g1, lin + size - 1)
  const split = 4096 - off
  for (let i = 0; i < size; i++) {
    const b = i < 4 ? (v >>> (8 * i)) & 0xff : (vh >>> (8 * (i - 4))) & 0xff
    // g1 translates the last byte; the second page's part starts at that page's base.
    physWrite(c, i < split ? g0 + i : g1 - (size - 1 - split) + (i - split), 1, b, 0)
  }
}

/** Probe that a write of `size` bytes at `lin` would succeed (for read-modify-write). */
export function probeWrite(c: CpuState, lin: number, size: number): void {
  const page = Math.floor(lin / 4096), i = page & MASK
  if (c.tlbWrite[i] === page && (lin & 0xfff) <= 4096 - size) return
  const user = c.cpl === 3
  const g0 = translate(c, lin, Access.Write, user)
  physCheckWrite(c, g0, lin)
  if (((lin & 0xfff) + size) > 4096) physCheckWrite(c, translate(c, lin + size - 1, Access.Write, user), lin + size - 1)
}

export function wr8(c: CpuState, lin: number, v: number): void {
  const page = Math.floor(lin / 4096), i = page & MASK
  if (c.tlbWrite[i] === page) { c.ram[c.tlbWritePhys[i + c.tlbUserBank] + (lin & 0xfff)] = v; return }
  writeSlow(c, lin, 1, v, 0, c.cpl === 3)
}
export function wr16(c: CpuState, lin: number, v: number): void {
  const page = Math.floor(lin / 4096), i = page & MASK, off = lin & 0xfff
  if (c.tlbWrite[i] === page && off < 4095) { c.view.setUint16(c.tlbWritePhys[i + c.tlbUserBank] + off, v, true); return }
  writeSlow(c, lin, 2, v, 0, c.cpl === 3)
}
export function wr32(c: CpuState, lin: number, v: number): void {
  const page = Math.floor(lin / 4096), i = page & MASK, off = lin & 0xfff
  if (c.tlbWrite[i] === page && off < 4093) { c.view.setInt32(c.tlbWritePhys[i + c.tlbUserBank] + off, v, true); return }
  writeSlow(c, lin, 4, v, 0, c.cpl === 3)
}
export function wr64(c: CpuState, lin: number, v: number, vh: number): void {
  const page = Math.floor(lin / 4096), i = page & MASK, off = lin & 0xfff
  if (c.tlbWrite[i] === page && off < 4089) {
    const p = c.tlbWritePhys[i + c.tlbUserBank] + off
    c.view.setInt32(p, v, true); c.view.setInt32(p + 4, vh, true)
    return
  }
  writeSlow(c, lin, 8, v, vh, c.cpl === 3)
}
export function wr(c: CpuState, lin: number, size: number, v: number, vh: number): void {
  switch (size) {
    case 1: wr8(c, lin, v); return
    case 2: wr16(c, lin, v); return
    case 4: wr32(c, lin, v); return
    default: wr64(c, lin, v, vh)
  }
}

// ---- implicit supervisor accesses (descriptor tables, IDT, TSS): no TLB

export function sysRead(c: CpuState, lin: number, size: number): number {
  return readSlow(c, lin, size, false)
}
export function sysWrite(c: CpuState, lin: number, size: number, v: number, vh = 0): void {
  writeSlow(c, lin, size, v, vh, false)
}

// ---- code fetch

/** Map the page holding CS:ip into the fetch window (or fault / exit). */
export function fetchFill(c: CpuState, lin: number, ipLimit: number): void {
  const user = c.cpl === 3
  const page = Math.floor(lin / 4096), i = page & MASK
  const tags = user ? c.tlbExecTagU : c.tlbExecTagS
  let gpage: number
  if (tags[i] === page) gpage = c.tlbExecPhys[i + c.tlbUserBank] / 4096
  else {
    const gpa = translate(c, lin, Access.Exec, user)
    const right = user ? HV_MAP_GPA_USER_EXECUTABLE : HV_MAP_GPA_KERNEL_EXECUTABLE
    gpage = Math.floor(gpa / 4096)
    // executing from MMIO or a non-executable GPA is not supported: exit
    if (!c.memory.isRamPage(gpage, right)) memoryExit(c, gpa, lin, Access.Exec)
    tags[i] = page
    c.tlbExecPhys[i + c.tlbUserBank] = gpage * 4096
    noteFill(c, (user ? TlbArray.ExecU : TlbArray.ExecS) * TLB_SIZE + i, walkGlobal, walkLarge)
  }
  const pageStartIp = c.ip - (lin & 0xfff)
  c.fetchLo = pageStartIp
  c.fetchHi = Math.min(pageStartIp + 4096, ipLimit)
  c.fetchDelta = gpage * 4096 - pageStartIp
  c.fetchPageIp = pageStartIp
  if (c.decodeCache && c.mode === Mode.Long64 && ipLimit === Infinity) {
    const marked = gpage < c.codeMark.length && c.codeMark[gpage] === 1
    c.fetchCode = pageCode(c, gpage)
    if (!marked && c.fetchCode !== null) purgeInactiveWrites(c, gpage * 4096)
  } else c.fetchCode = null
}
