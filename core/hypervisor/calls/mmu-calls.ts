/**
 * Virtual MMU hypercalls (TLFS ch. 12): HvSwitchVirtualAddressSpace, HvFlushVirtualAddressSpace,
 * HvFlushVirtualAddressList (caller's own partition), HvTranslateVirtualAddress, HvReadGpa and
 * HvWriteGpa (parent on a child VP). Flushes drop the target CPUs' caches, which is always
 * legal (12.2); TlbFlushInhibit blocking is not modelled yet (see docs/tlfs-coverage.md).
 */
import { HV_MAP_GPA_READABLE, HV_MAP_GPA_WRITABLE, PAGE_SIZE } from '../../memory/guest-memory'
import { ChildGpaSpace } from '../gpa-space'
import { HvTranslateGvaResultCode as G, walkGva, type GvaWalkResult } from '../gva-walk'
import {
  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_VP_INDEX, HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionState as S } from '../partition'
import { INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT } from '../virtual-processor'
import { resolveTarget, u64 } from './target'

const HV_FLUSH_ALL_PROCESSORS = 1n
const HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES = 2n
const HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY = 4n

const cpuidOut = new Uint32Array(4)

/**
 * 12.4.1: a CR3 value is invalid when it sets bits the caller's current paging mode
 * reserves: above MAXPHYADDR (CPUID 0x80000008 EAX[7:0]) in long mode, above bit 31
 * otherwise (32-bit and PAE CR3s are 32 bits wide). Without a calling VP (wrapper
 * callers run no x86 code) the long-mode rule applies.
 */
function validCr3(f: HypercallFrame, as: bigint): boolean {
  const vp = f.callerVp
  if (vp && (vp.cpu.getEfer() & 0x400n) === 0n) return as >> 32n === 0n
  let bits = 52
  if (vp) {
    f.hv.cpuid(vp, 0x80000008, 0, cpuidOut)
    bits = cpuidOut[0] & 0xff || 52
  }
  return as >> BigInt(bits) === 0n
}

export function HvSwitchVirtualAddressSpace(f: HypercallFrame): HvStatus {
  const as = u64(f.input, 0)
  if (!validCr3(f, as)) return HV_STATUS_INVALID_PARAMETER
  f.callerVp?.cpu.setCr(3, as)
  return HV_STATUS_SUCCESS
}

function flush(f: HypercallFrame, list: boolean): HvStatus {
  const as = u64(f.input, 0)
  const flags = u64(f.input, 8)
  const mask = u64(f.input, 16)
  if (flags >> 3n !== 0n) return HV_STATUS_INVALID_PARAMETER
  if (list && flags & HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY) return HV_STATUS_INVALID_PARAMETER
  if (mask === 0n && !(flags & HV_FLUSH_ALL_PROCESSORS)) return HV_STATUS_INVALID_PARAMETER
  if (!(flags & HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES) && !validCr3(f, as)) return HV_STATUS_INVALID_PARAMETER
  for (const vp of f.caller.liveVps()) {
    if (flags & HV_FLUSH_ALL_PROCESSORS || (vp.index < 64 && (mask >> BigInt(vp.index)) & 1n)) vp.cpu.flushCaches()
  }
  f.repsCompleted = list ? f.repLimit : 0
  return HV_STATUS_SUCCESS
}

export function HvFlushVirtualAddressSpace(f: HypercallFrame): HvStatus {
  return flush(f, false)
}
export function HvFlushVirtualAddressList(f: HypercallFrame): HvStatus {
  return flush(f, true)
}

export function HvTranslateVirtualAddress(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active])
  if (typeof t === 'number') return t
  const vp = t.vp(f.input.getUint32(8, true))
  if (!vp) return HV_STATUS_INVALID_VP_INDEX
  const flags = u64(f.input, 16)
  if (flags >> 6n !== 0n || (flags & 7n) === 0n) return HV_STATUS_INVALID_PARAMETER
  const gvaPage = u64(f.input, 24)
  const mem = t.memory!
  const r: GvaWalkResult = { code: 0, gpa: 0 }
  walkGva(vp.cpu, mem, Number(gvaPage & 0xfffffffffffffn) * PAGE_SIZE, Number(flags), r)
  const gpaPage = Math.floor(r.gpa / PAGE_SIZE)
  if (t.space instanceof ChildGpaSpace) {
    // 12.4.4: gva-walk sees only rights; a mapped page with none is unreadable, not unmapped,
    // and a refused A/D write into an overlay page table is an illegal overlay access.
    if (r.code === G.HvTranslateGvaGpaUnmapped && t.space.mapped[gpaPage]) r.code = G.HvTranslateGvaGpaNoReadAccess
    else if (r.code === G.HvTranslateGvaGpaNoWriteAccess && t.space.isOverlay(gpaPage)) r.code = G.HvTranslateGvaGpaIllegalOverlayAccess
  }
  const overlay = r.code === 0 && t.space instanceof ChildGpaSpace && t.space.isOverlay(gpaPage) ? 1 : 0
  if (r.code === 0 && flags & 0x20n) vp.interceptSuspend |= INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT
  f.output.setUint32(0, r.code, true)
  f.output.setUint32(4, 6 | (overlay << 8), true) // CacheType WB (12.5: no PAT/MTRR model)
  f.output.setBigUint64(8, BigInt(gpaPage), true)
  return HV_STATUS_SUCCESS
}

/** HV_ACCESS_GPA_RESULT_CODE (12.6). */
const Unmapped = 1
const ReadIntercept = 2
const WriteIntercept = 3
const VALID_CACHE_TYPES = [0, 1, 4, 5, 6]

function gpaAccess(f: HypercallFrame, write: boolean): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active])
  if (typeof t === 'number') return t
  if (!t.vp(f.input.getUint32(8, true))) return HV_STATUS_INVALID_VP_INDEX
  const count = f.input.getUint32(12, true)
  const base = u64(f.input, 16)
  const control = u64(f.input, 24)
  const mem = t.memory!
  if (count < 1 || count > 16) return HV_STATUS_INVALID_PARAMETER
  if (control >> 8n !== 0n || !VALID_CACHE_TYPES.includes(Number(control & 0xffn))) return HV_STATUS_INVALID_PARAMETER
  if (base + BigInt(count) > BigInt(mem.size) && mem.findMmio(Number(base)) === undefined) return HV_STATUS_INVALID_PARAMETER
  const gpa = Number(base)
  if (Math.floor(gpa / PAGE_SIZE) !== Math.floor((gpa + count - 1) / PAGE_SIZE)) return HV_STATUS_INVALID_PARAMETER
  f.output.setBigUint64(0, 0n, true)
  if (!write) {
    f.output.setBigUint64(8, 0n, true)
    f.output.setBigUint64(16, 0n, true)
  }
  const mmio = mem.findMmio(gpa)
  if (mmio) {
    // 12.6: hypervisor MMIO takes precedence, with side effects; byte accesses in ascending order.
    for (let i = 0; i < count; i++) {
      if (write) mmio.handler.write(gpa + i - mmio.base, 1, f.input.getUint8(32 + i))
      else f.output.setUint8(8 + i, mmio.handler.read(gpa + i - mmio.base, 1) & 0xff)
    }
    return HV_STATUS_SUCCESS
  }
  const space = t.space as ChildGpaSpace
  const page = Math.floor(gpa / PAGE_SIZE)
  const access = mem.pageAccess[page]
  if (!space.mapped[page] && !space.isOverlay(page)) {
    f.output.setUint32(0, Unmapped, true)
  } else if (!write && !(access & HV_MAP_GPA_READABLE)) {
    f.output.setUint32(0, ReadIntercept, true)
  } else if (write && !(access & HV_MAP_GPA_WRITABLE)) {
    f.output.setUint32(0, WriteIntercept, true) // also an overlay write (DECISION table 12.6)
  } else if (write) {
    mem.writeBytes(gpa, new Uint8Array(f.input.buffer, f.input.byteOffset + 32, count))
  } else {
    for (let i = 0; i < count; i++) f.output.setUint8(8 + i, mem.ram[gpa + i])
  }
  return HV_STATUS_SUCCESS
}

export function HvReadGpa(f: HypercallFrame): HvStatus {
  return gpaAccess(f, false)
}
export function HvWriteGpa(f: HypercallFrame): HvStatus {
  return gpaAccess(f, true)
}
