/**
 * Guest page-table walk done by the hypervisor on a VP's behalf (TLFS 12, HvTranslateVirtualAddress;
 * also used to check that a VMCALL executes inside the hypercall page). Supports no paging,
 * 32-bit (with 4 MiB PSE pages), PAE and 4-level long-mode paging. Page-table pages must
 * be mapped and readable in the partition's GPA space; the final page's mapping is not checked.
 */
import { HV_MAP_GPA_READABLE, HV_MAP_GPA_WRITABLE, type GuestMemory } from '../memory/guest-memory'
import type { X64Cpu } from '../x64/api'

export const HvTranslateGvaResultCode = {
  HvTranslateGvaSuccess: 0,
  HvTranslateGvaPageNotPresent: 1,
  HvTranslateGvaPrivilegeViolation: 2,
  HvTranslateGvaInvalidPageTableFlags: 3,
  HvTranslateGvaGpaUnmapped: 4,
  HvTranslateGvaGpaNoReadAccess: 5,
  HvTranslateGvaGpaNoWriteAccess: 6,
  HvTranslateGvaGpaIllegalOverlayAccess: 7,
} as const

export const HV_TRANSLATE_GVA_VALIDATE_READ = 0x01
export const HV_TRANSLATE_GVA_VALIDATE_WRITE = 0x02
export const HV_TRANSLATE_GVA_VALIDATE_EXECUTE = 0x04
export const HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT = 0x08
export const HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS = 0x10
export const HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT = 0x20

export interface GvaWalkResult {
  code: number
  /** Translated GPA (success) or the page-table GPA that failed. */
  gpa: number
}

const TWO32 = 0x100000000

/** High dword of the last wide entry read: a whole 64-bit entry does not fit a Number exactly (XD is bit 63). */
let entryHi = 0

/** Reads one table entry; returns its low dword (high dword in `entryHi`) or undefined on a GPA access failure. */
function tableEntry(mem: GuestMemory, gpa: number, wide: boolean, writeBits: boolean, r: GvaWalkResult): number | undefined {
  const page = Math.floor(gpa / 4096)
  if (gpa >= mem.size || mem.pageAccess[page] === 0) {
    r.code = HvTranslateGvaResultCode.HvTranslateGvaGpaUnmapped
  } else if (!(mem.pageAccess[page] & HV_MAP_GPA_READABLE)) {
    r.code = HvTranslateGvaResultCode.HvTranslateGvaGpaNoReadAccess
  } else if (writeBits && !(mem.pageAccess[page] & HV_MAP_GPA_WRITABLE)) {
    r.code = HvTranslateGvaResultCode.HvTranslateGvaGpaNoWriteAccess
  } else {
    entryHi = wide ? mem.view.getUint32(gpa + 4, true) : 0
    return mem.view.getUint32(gpa, true)
  }
  r.gpa = gpa
  return undefined
}

/** Walk the page tables of `cpu` for `gva` (a Number; canonical 48-bit values are exact). */
export function walkGva(cpu: X64Cpu, mem: GuestMemory, gva: number, flags: number, out: GvaWalkResult): GvaWalkResult {
  out.code = HvTranslateGvaResultCode.HvTranslateGvaSuccess
  const cr0 = Number(cpu.getCr(0) & 0xffffffffn)
  if (!(cr0 & 0x80000000)) {
    out.gpa = gva
    return out
  }
  const cr4 = Number(cpu.getCr(4) & 0xffffffffn)
  const efer = Number(cpu.getEfer() & 0xffffffffn)
  const cr3 = Number(cpu.getCr(3) & 0xffffffffff000n)
  const lma = (efer & 0x400) !== 0
  const nxe = (efer & 0x800) !== 0
  const cpl = cpu.getSegment(1).selector & 3
  const user = cpl === 3 && !(flags & HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT)
  const write = (flags & HV_TRANSLATE_GVA_VALIDATE_WRITE) !== 0
  const exec = (flags & HV_TRANSLATE_GVA_VALIDATE_EXECUTE) !== 0
  const setBits = (flags & HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS) !== 0
  const wp = (cr0 & 0x10000) !== 0
  let levels: number[]
  let table: number
  let wide = true
  if (lma) {
    if (gva >= 2 ** 47 && gva < 2 ** 64 - 2 ** 47) {
      out.code = HvTranslateGvaResultCode.HvTranslateGvaPageNotPresent
      out.gpa = 0
      return out
    }
    levels = [39, 30, 21, 12]
    table = cr3
  } else if (cr4 & 0x20) {
    levels = [30, 21, 12]
    table = Number(cpu.getCr(3) & 0xffffffe0n)
  } else {
    levels = [22, 12]
    table = cr3 % TWO32
    wide = false
  }
  let allowWrite = true
  let allowUser = true
  let noExec = false
  for (let li = 0; li < levels.length; li++) {
    const shift = levels[li]
    const bits = wide ? 9 : 10
    const idx = Math.floor(gva / 2 ** shift) % 2 ** bits
    const pdpt = !lma && wide && li === 0
    const entryGpa = table + (pdpt ? (Math.floor(gva / 2 ** 30) % 4) * 8 : idx * (wide ? 8 : 4))
    const lo = tableEntry(mem, entryGpa, wide, setBits, out)
    if (lo === undefined) return out
    const hi = entryHi
    if (!(lo & 1)) {
      out.code = HvTranslateGvaResultCode.HvTranslateGvaPageNotPresent
      out.gpa = 0
      return out
    }
    const nx = wide && hi >= 0x80000000
    if (nx && !nxe) {
      out.code = HvTranslateGvaResultCode.HvTranslateGvaInvalidPageTableFlags
      return out
    }
    if (!pdpt) {
      allowWrite &&= (lo & 2) !== 0
      allowUser &&= (lo & 4) !== 0
      noExec ||= nx
    }
    const large = !pdpt && li < levels.length - 1 && (lo & 0x80) !== 0 && (wide ? shift <= 30 : (cr4 & 0x10) !== 0)
    if (setBits) {
      const nlo = (lo | 0x20 | ((large || li === levels.length - 1) && write ? 0x40 : 0)) >>> 0
      if (nlo !== lo) mem.view.setUint32(entryGpa, nlo, true)
    }
    const frame = (hi & 0xfffff) * TWO32 + (lo - (lo % 4096))
    if (large || li === levels.length - 1) {
      if ((user && !allowUser) || (write && !allowWrite && (user || wp)) || (exec && noExec)) {
        out.code = HvTranslateGvaResultCode.HvTranslateGvaPrivilegeViolation
        return out
      }
      const size = 2 ** shift
      let base = frame - (frame % size)
      if (!wide && large) base = (lo & 0xffc00000) >>> 0
      out.gpa = base + (gva % size)
      return out
    }
    table = frame
  }
  return out
}
