/**
 * Linear-to-physical translation: no paging, 32-bit paging (4 KiB / 4 MiB pages), PAE
 * (4 KiB / 2 MiB) and 4-level paging (4 KiB / 2 MiB / 1 GiB) with U/S, R/W, CR0.WP, NX,
 * accessed/dirty updates and #PF error codes (Intel SDM vol. 3, ch. 4.3-4.7).
 * Page-table reads outside RAM leave `run` with a MemoryAccess exit.
 */
import type { CpuState } from './cpu-state'
import { CR0, CR4, EFER, Vector } from './constants'
import { fault, EXIT_SIGNAL } from './faults'
import { ExitReason } from './api'
import { GpaKind, HV_MAP_GPA_READABLE } from '../memory/guest-memory'

export const Access = { Read: 0, Write: 1, Exec: 2 } as const

const TWO32 = 4294967296

// Reserved bits of paging-structure entries for MAXPHYADDR = PHYS_ADDR_BITS = 40 (SDM vol. 3,
// 4.4.2 and 4.5.4, tables 4-8..4-11 and 4-15..4-20): address bits 51:40 of the high half...
const RSV_HI_4L = 0x000fff00
// ...bits 62:40 in PAE PDEs/PTEs (bit 63 is XD), bits 63:40 in PAE PDPTEs,
const RSV_HI_PAE = 0x7fffff00
const RSV_HI_PDPTE = 0xffffff00 | 0
// bits 2:1 and 8:5 of PAE PDPTEs, 29:13 of a 1-GiB PDPTE, 20:13 of a 2-MiB PDE, 21 of a 4-MiB PDE.
const RSV_LO_PDPTE = 0x1e6
const RSV_LO_1G = 0x3fffe000
const RSV_LO_2M = 0x001fe000
const RSV_LO_4M = 0x00200000

/** Leave run() with a MemoryAccess exit for `gpa`. */
export function memoryExit(c: CpuState, gpa: number, gva: number, access: number): never {
  const e = c.exit
  e.reason = ExitReason.MemoryAccess
  e.gpa = gpa
  e.gva = gva
  e.accessType = access
  throw EXIT_SIGNAL
}

function ptAddr(c: CpuState, gpa: number, lin: number): number {
  if (gpa + 8 > c.memory.size || c.memory.classify(gpa, HV_MAP_GPA_READABLE) !== GpaKind.Ram) memoryExit(c, gpa, lin, Access.Read)
  return gpa
}

function pageFault(c: CpuState, lin: number, access: number, user: boolean, present: boolean, rsvd: boolean): never {
  c.cr2 = lin
  let err = present ? 1 : 0
  if (access === Access.Write) err |= 2
  if (user) err |= 4
  if (rsvd) err |= 8
  if (access === Access.Exec && (c.efer & EFER.NXE) !== 0) err |= 0x10
  return fault(Vector.PF, err, true)
}

/** Result of the last successful walk (for TLB fills): the leaf's G bit, honoured only with CR4.PGE. */
export let walkGlobal = false
/** Size class of the last walk's leaf: 0 = 4 KiB, 1 = 2/4 MiB, 2 = 1 GiB (INVLPG drops the whole page). */
export let walkLarge = 0

/** Pages one entry of a level-N table spans (2^(9*(N-1))): a table instead of `2 ** shift`, a call to pow. */
const LEVEL_SPAN = [0, 1, 512, 262144, 134217728]

/**
 * Translate `lin` for `access` at user (CPL 3, non-implicit) or supervisor privilege.
 * Returns the GPA (a double). Raises #PF; sets A/D bits.
 */
export function translate(c: CpuState, lin: number, access: number, user: boolean): number {
  // without paging a translation does not depend on CR3: keep it across CR3 loads
  if ((c.cr0 & CR0.PG) === 0) { walkGlobal = true; walkLarge = 0; return lin >>> 0 }
  const pge = (c.cr4 & CR4.PGE) !== 0
  const v = c.view
  const write = access === Access.Write
  const nxe = (c.efer & EFER.NXE) !== 0
  let rw = true, us = true, nx = false
  let base: number, lo: number, hi: number, addr: number
  if ((c.efer & EFER.LMA) !== 0) {
    // 4-level: PML4 -> PDPT -> PD -> PT
    base = Math.floor(c.cr3 / 4096) * 4096 % (TWO32 * 0x100000)
    const vpn = Math.floor(lin / 4096)
    for (let level = 4; level >= 1; level--) {
      const idx = Math.floor(vpn / LEVEL_SPAN[level]) % 512
      addr = ptAddr(c, base + (idx < 0 ? idx + 512 : idx) * 8, lin)
      lo = v.getInt32(addr, true); hi = v.getInt32(addr + 4, true)
      if ((lo & 1) === 0) pageFault(c, lin, access, user, false, false)
      // reserved bits in a present entry: #PF with P=1 and RSVD=1 (SDM vol. 3, 4.7)
      if ((hi < 0 && !nxe) || (hi & RSV_HI_4L) !== 0) pageFault(c, lin, access, user, true, true)
      if ((lo & 2) === 0) rw = false
      if ((lo & 4) === 0) us = false
      if (hi < 0) nx = true
      const large = (lo & 0x80) !== 0 && (level === 2 || level === 3)
      if ((lo & 0x80) !== 0 && level === 4) pageFault(c, lin, access, user, true, true)
      if (large && (lo & (level === 3 ? RSV_LO_1G : RSV_LO_2M)) !== 0) pageFault(c, lin, access, user, true, true)
      const frame = (hi & 0xfffff) * TWO32 + (lo >>> 12) * 4096
      if (level === 1 || large) {
        check(c, lin, access, user, rw, us, nx)
        const newLo = lo | 0x20 | (write ? 0x40 : 0)
        if (newLo !== lo) v.setInt32(addr, newLo, true)
        walkGlobal = pge && (lo & 0x100) !== 0
        walkLarge = level === 1 ? 0 : level === 2 ? 1 : 2
        if (level === 1) return frame + (lin & 0xfff)
        const pageSize = level === 2 ? 0x200000 : 0x40000000
        return Math.floor(frame / pageSize) * pageSize + posMod(lin, pageSize)
      }
      if ((lo & 0x20) === 0) v.setInt32(addr, lo | 0x20, true)
      base = frame
    }
    return 0
  }
  if ((c.cr4 & CR4.PAE) !== 0) {
    const l = lin >>> 0
    addr = ptAddr(c, (c.cr3 & 0xffffffe0) + (l >>> 30) * 8 >>> 0, lin)
    lo = v.getInt32(addr, true); hi = v.getInt32(addr + 4, true)
    if ((lo & 1) === 0) pageFault(c, lin, access, user, false, false)
    // (a real CPU checks PDPTEs when CR3 is loaded, #GP there; we check them on the walk)
    if ((lo & RSV_LO_PDPTE) !== 0 || (hi & RSV_HI_PDPTE) !== 0) pageFault(c, lin, access, user, true, true)
    base = (hi & 0xfffff) * TWO32 + (lo >>> 12) * 4096
    addr = ptAddr(c, base + ((l >>> 21) & 511) * 8, lin)
    lo = v.getInt32(addr, true); hi = v.getInt32(addr + 4, true)
    if ((lo & 1) === 0) pageFault(c, lin, access, user, false, false)
    if ((hi < 0 && !nxe) || (hi & RSV_HI_PAE) !== 0) pageFault(c, lin, access, user, true, true)
    if ((lo & 0x80) !== 0 && (lo & RSV_LO_2M) !== 0) pageFault(c, lin, access, user, true, true)
    if ((lo & 2) === 0) rw = false
    if ((lo & 4) === 0) us = false
    if (hi < 0) nx = true
    if ((lo & 0x80) !== 0) {
      check(c, lin, access, user, rw, us, nx)
      const newLo = lo | 0x20 | (write ? 0x40 : 0)
      if (newLo !== lo) v.setInt32(addr, newLo, true)
      walkGlobal = pge && (lo & 0x100) !== 0
      walkLarge = 1
      return (hi & 0xfffff) * TWO32 + ((lo >>> 21) * 0x200000) + (l & 0x1fffff)
    }
    if ((lo & 0x20) === 0) v.setInt32(addr, lo | 0x20, true)
    base = (hi & 0xfffff) * TWO32 + (lo >>> 12) * 4096
    addr = ptAddr(c, base + ((l >>> 12) & 511) * 8, lin)
    lo = v.getInt32(addr, true); hi = v.getInt32(addr + 4, true)
    if ((lo & 1) === 0) pageFault(c, lin, access, user, false, false)
    if ((hi < 0 && !nxe) || (hi & RSV_HI_PAE) !== 0) pageFault(c, lin, access, user, true, true)
    if ((lo & 2) === 0) rw = false
    if ((lo & 4) === 0) us = false
    if (hi < 0) nx = true
    check(c, lin, access, user, rw, us, nx)
    const newLo = lo | 0x20 | (write ? 0x40 : 0)
    if (newLo !== lo) v.setInt32(addr, newLo, true)
    walkGlobal = pge && (lo & 0x100) !== 0
    walkLarge = 0
    return (hi & 0xfffff) * TWO32 + (lo >>> 12) * 4096 + (l & 0xfff)
  }
  // 32-bit paging
  const l = lin >>> 0
  addr = ptAddr(c, ((c.cr3 & 0xfffff000) >>> 0) + (l >>> 22) * 4, lin)
  lo = v.getInt32(addr, true)
  if ((lo & 1) === 0) pageFault(c, lin, access, user, false, false)
  if ((lo & 2) === 0) rw = false
  if ((lo & 4) === 0) us = false
  if ((lo & 0x80) !== 0 && (c.cr4 & CR4.PSE) !== 0) {
    if ((lo & RSV_LO_4M) !== 0) pageFault(c, lin, access, user, true, true)
    check(c, lin, access, user, rw, us, false)
    const newLo = lo | 0x20 | (write ? 0x40 : 0)
    if (newLo !== lo) v.setInt32(addr, newLo, true)
    walkGlobal = pge && (lo & 0x100) !== 0
    walkLarge = 1
    // PSE-36: bits 13-20 supply physical address bits 32-39
    return ((lo >>> 13) & 0xff) * TWO32 + (lo >>> 22) * 0x400000 + (l & 0x3fffff)
  }
  if ((lo & 0x20) === 0) v.setInt32(addr, lo | 0x20, true)
  addr = ptAddr(c, (lo >>> 12) * 4096 + ((l >>> 12) & 1023) * 4, lin)
  lo = v.getInt32(addr, true)
  if ((lo & 1) === 0) pageFault(c, lin, access, user, false, false)
  if ((lo & 2) === 0) rw = false
  if ((lo & 4) === 0) us = false
  check(c, lin, access, user, rw, us, false)
  const newLo = lo | 0x20 | (write ? 0x40 : 0)
  if (newLo !== lo) v.setInt32(addr, newLo, true)
  walkGlobal = pge && (lo & 0x100) !== 0
  walkLarge = 0
  return (lo >>> 12) * 4096 + (l & 0xfff)
}

function posMod(a: number, m: number): number {
  const r = a % m
  return r < 0 ? r + m : r
}

function check(c: CpuState, lin: number, access: number, user: boolean, rw: boolean, us: boolean, nx: boolean): void {
  if (user && !us) pageFault(c, lin, access, user, true, false)
  if (access === Access.Write && !rw && (user || (c.cr0 & CR0.WP) !== 0)) pageFault(c, lin, access, user, true, false)
  if (access === Access.Exec && nx && (c.efer & EFER.NXE) !== 0) pageFault(c, lin, access, user, true, false)
}
