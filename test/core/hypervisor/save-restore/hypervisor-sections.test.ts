/**
 * The state the round-trip proof (test/core/vmm/saved-state/run-to-completion.test.ts) found
 * missing, one unit each: the stats-page MSRs and counters (`hv.stats`), the sub-100 ns phase
 * of VP_RUNTIME (`hv.vp-runtime`), and — found the same way — a failing native hypercall
 * must not copy another caller's output (the root's save chunks) into the guest's page.
 */
import { describe, expect, it } from 'vitest'
import { restorePartitionStateAll, savePartitionStateAll, HvSaveRestoreStateResult as R } from '../../../../core/hypervisor/save-restore'
import { ByteWriter } from '../../../../core/hypervisor/save-restore/byte-stream'
import { saveSection } from '../../../../core/hypervisor/save-restore/save-sections'
import { HV_X64_MSR_STATS_VP_INTERNAL_PAGE, HV_X64_MSR_VP_RUNTIME } from '../../../../core/hypervisor/synthetic-msrs'
import { HvServicesWrapper } from '../../../../core/hypervisor/system/services-wrapper'
import { type WHvPartition } from '../../../../core/whp'
import { hasToolchain } from '../../x64/harness'
import { GUEST, guestRig } from '../synic/guest-rig'
import { makeVm, suspendAll } from './helpers'

function migrate(a: WHvPartition, b: WHvPartition): void {
  suspendAll(a)
  const s = savePartitionStateAll(a.hv, a.hv.root, a.id)
  expect(s.saveState).toBe(R.HvStateComplete)
  suspendAll(b)
  expect(restorePartitionStateAll(b.hv, b.hv.root, b.id, s.stream).restoreState).toBe(R.HvStateComplete)
  suspendAll(b, false)
}

const vpOf = (p: WHvPartition) => p.hv.partition(p.id)!.vp(0)!

describe('hypervisor-owned state the round trip needs', () => {
  it('hv.stats: the VP stats page stays mapped and every counter continues', () => {
    const a = makeVm().p
    const va = vpOf(a)
    expect(a.hv.msrs.get(HV_X64_MSR_STATS_VP_INTERNAL_PAGE)!.write(va, (0x15n << 12n) | 1n)).toBe(0n)
    for (let i = 0; i < va.counters.length; i++) va.counters[i] = i * 3 + 1
    a.hv.stats.partitionCountersOf(a.hv.partition(a.id)!)[5] = 77
    const b = makeVm().p
    migrate(a, b)
    const vb = vpOf(b)
    const part = b.hv.partition(b.id)!
    expect(b.hv.msrs.get(HV_X64_MSR_STATS_VP_INTERNAL_PAGE)!.read(vb)).toBe((0x15n << 12n) | 1n)
    expect(b.hv.stats.isGuestStatsPage(part, 0x15)).toBe(true)
    expect([...vb.counters]).toEqual([...va.counters])
    expect(b.hv.stats.partitionCountersOf(part)[5]).toBe(77)
  })

  it('hv.vp-runtime: a VP saved mid-unit reads the same VP_RUNTIME as the original after the same work', () => {
    const a = makeVm().p
    const va = vpOf(a)
    // 70 ns into a 100 ns unit (the bare hypervisor's source: 10 ns per retired instruction).
    va.runTimeOffsetNs = 12370 - va.cpu.retired * 10
    expect(va.runTime).toBe(123)
    const b = makeVm().p
    migrate(a, b)
    const vb = vpOf(b)
    const read = (p: WHvPartition) => p.hv.msrs.get(HV_X64_MSR_VP_RUNTIME)!.read(vpOf(p))
    expect(read(b)).toBe(123n)
    // 30 more nanoseconds complete the unit in both.
    va.runTimeOffsetNs += 30
    vb.runTimeOffsetNs += 30
    expect(read(a)).toBe(124n)
    expect(read(b)).toBe(124n)
  })

  it('hv.vp-runtime version 1 (remainder in tenths of a unit) still restores, as remainder × 10 ns', () => {
    const { p } = makeVm()
    const vp = vpOf(p)
    const part = p.hv.partition(p.id)!
    const section = saveSection('hv.vp-runtime')!
    expect(section.version).toBe(2)
    const v1 = new ByteWriter().u16(1).u32(0).u8(7).finish()
    expect(section.check!(part, v1, 1, p.hv)).toBe(R.HvStateComplete)
    // 10 in version 1 is out of range (0-9); 99 is fine in version 2 but not in version 1.
    expect(section.check!(part, new ByteWriter().u16(1).u32(0).u8(10).finish(), 1, p.hv)).toBe(R.HvStateCorruptData)
    expect(section.check!(part, new ByteWriter().u16(1).u32(0).u8(99).finish(), 2, p.hv)).toBe(R.HvStateComplete)
    expect(section.check!(part, new ByteWriter().u16(1).u32(0).u8(100).finish(), 2, p.hv)).toBe(R.HvStateCorruptData)
    vp.setRunTime(500, 0)
    section.restore(part, v1, 1, p.hv)
    expect(vp.runTime).toBe(500)
    expect(vp.runTimeNs % 100).toBe(70)
    vp.runTimeOffsetNs += 29
    expect(vp.runTime).toBe(500)
    vp.runTimeOffsetNs += 1
    expect(vp.runTime).toBe(501)
  })
})

describe.skipIf(!hasToolchain())('native output blocks', () => {
  it("a refused call's output block is zeros, not the previous caller's output", () => {
    const rig = guestRig(`
main:
  HCALL 0x71, IN, OUT
  mov dword ptr [DATA + 8], eax
  DONE
`)
    const root = new HvServicesWrapper(rig.hv)
    // The root's last call leaves its output in the hypervisor's scratch block.
    expect(root.HvSetSystemProperty(0, 2, 0x123456789n)).toBe(0)
    expect(root.HvGetSystemProperty(0).period).toBe(0x123456789n)
    const ram = rig.p.memory!.ram
    ram.fill(0xee, GUEST.OUT, GUEST.OUT + 16)
    expect(rig.run()).toBe('done')
    expect(rig.u32(8) & 0xffff).toBe(0x0006) // HV_STATUS_ACCESS_DENIED: only the root may call it
    expect([...ram.subarray(GUEST.OUT, GUEST.OUT + 16)]).toEqual(new Array(16).fill(0))
  })
})
