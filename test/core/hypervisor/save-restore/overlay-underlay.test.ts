/**
 * RAM beneath overlay pages across save/restore (TLFS 8.3 / 17.1.5): a child covers five RAM
 * pages holding known bytes with the hypercall page (4.9), the SIM and SIEF (14.4), the
 * reference TSC page (15.4) and its VP stats page (21.3.3). The VMM saves RAM as the guest
 * sees it (showing the overlays); the partition is restored into a fresh hypervisor from
 * that RAM plus the hypervisor stream. Removing each overlay afterwards must reveal the
 * original bytes and rights, exactly as it does in the partition that was never saved.
 */
import { describe, expect, it } from 'vitest'
import { HV_MAP_GPA_ALL, HV_MAP_GPA_READABLE, PAGE_SIZE } from '../../../../core/memory/guest-memory'
import { restorePartitionStateAll, savePartitionStateAll, HvSaveRestoreStateResult as R } from '../../../../core/hypervisor/save-restore'
import {
  HV_X64_MSR_GUEST_OS_ID, HV_X64_MSR_HYPERCALL, HV_X64_MSR_REFERENCE_TSC, HV_X64_MSR_SCONTROL, HV_X64_MSR_SIEFP,
  HV_X64_MSR_SIMP, HV_X64_MSR_STATS_VP_INTERNAL_PAGE,
} from '../../../../core/hypervisor/synthetic-msrs'
import { WHvGetPartitionMemory, type WHvPartition } from '../../../../core/whp'
import { makeVm, suspendAll } from './helpers'

/** Overlay MSR → the page it is placed on. */
const OVERLAYS: Array<[string, number, number]> = [
  ['hypercall page', HV_X64_MSR_HYPERCALL, 0x10],
  ['SIM', HV_X64_MSR_SIMP, 0x11],
  ['SIEF', HV_X64_MSR_SIEFP, 0x12],
  ['reference TSC page', HV_X64_MSR_REFERENCE_TSC, 0x13],
  ['VP stats page', HV_X64_MSR_STATS_VP_INTERNAL_PAGE, 0x14],
]

function pattern(page: number): Uint8Array {
  return Uint8Array.from({ length: PAGE_SIZE }, (_, i) => (page * 31 + i * 7 + (i >> 8)) & 0xff)
}

function wrmsr(p: WHvPartition, index: number, value: bigint): void {
  const vp = p.hv.partition(p.id)!.vp(0)!
  const msr = p.hv.msrs.get(index)
  expect(msr, `MSR 0x${index.toString(16)}`).toBeDefined()
  expect(msr!.write(vp, value)).toBe(0n)
}

function page(p: WHvPartition, n: number): Uint8Array {
  return WHvGetPartitionMemory(p).ram.slice(n * PAGE_SIZE, (n + 1) * PAGE_SIZE)
}

/** A partition with known bytes on the overlay pages (one of them read-only), then every overlay enabled. */
function covered(): WHvPartition {
  const { p } = makeVm()
  const mem = WHvGetPartitionMemory(p)
  for (const [, , n] of OVERLAYS) mem.writeBytes(n * PAGE_SIZE, pattern(n))
  // A read-only page beneath the SIM: its rights must come back too.
  expect(p.root.HvMapGpaPages(p.id, 0x11, HV_MAP_GPA_READABLE, [0x11]).status).toBe(0)
  wrmsr(p, HV_X64_MSR_GUEST_OS_ID, 0x1n)
  wrmsr(p, HV_X64_MSR_SCONTROL, 1n)
  for (const [, msr, n] of OVERLAYS) wrmsr(p, msr, (BigInt(n) << 12n) | 1n)
  return p
}

function uncoverAndCheck(p: WHvPartition, what: string): void {
  const mem = WHvGetPartitionMemory(p)
  for (const [name, msr, n] of OVERLAYS) {
    wrmsr(p, msr, 0n)
    expect(Buffer.from(page(p, n)).equals(Buffer.from(pattern(n))), `${what}: RAM beneath the ${name}`).toBe(true)
    expect(mem.pageAccess[n], `${what}: rights beneath the ${name}`).toBe(n === 0x11 ? HV_MAP_GPA_READABLE : HV_MAP_GPA_ALL)
  }
}

describe('RAM beneath overlays survives save/restore', () => {
  it('every overlay hides its page while on and gives back the original bytes and rights when removed', () => {
    const p = covered()
    // The overlays are really there: the hypercall stub (VMCALL; RET) and a stats page header.
    expect([...page(p, 0x10).subarray(0, 4)]).toEqual([0x0f, 0x01, 0xc1, 0xc3])
    expect(Buffer.from(page(p, 0x14)).equals(Buffer.from(pattern(0x14)))).toBe(false)
    uncoverAndCheck(p, 'never saved')
  })

  it('after a restore into a fresh hypervisor from the RAM the guest saw, removal reveals the same bytes', () => {
    const a = covered()
    suspendAll(a)
    const saved = savePartitionStateAll(a.hv, a.hv.root, a.id)
    expect(saved.saveState).toBe(R.HvStateComplete)
    const ramAsSeen = WHvGetPartitionMemory(a).ram.slice()
    for (const [, , n] of OVERLAYS) expect(Buffer.from(ramAsSeen.subarray(n * PAGE_SIZE, (n + 1) * PAGE_SIZE)).equals(Buffer.from(pattern(n)))).toBe(false)

    const { p: b } = makeVm()
    expect(b.root.HvMapGpaPages(b.id, 0x11, HV_MAP_GPA_READABLE, [0x11]).status).toBe(0)
    const mem = WHvGetPartitionMemory(b)
    mem.ram.set(ramAsSeen)
    mem.notifyWrite(0, mem.size)
    suspendAll(b)
    const r = restorePartitionStateAll(b.hv, b.hv.root, b.id, saved.stream)
    expect(r.restoreState).toBe(R.HvStateComplete)
    suspendAll(b, false)
    // The overlays are back with their contents.
    expect([...page(b, 0x10).subarray(0, 4)]).toEqual([0x0f, 0x01, 0xc1, 0xc3])
    uncoverAndCheck(b, 'restored')
  })
})
