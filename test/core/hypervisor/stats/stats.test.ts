import { describe, expect, it } from 'vitest'
import * as S from '../../../../core/hypervisor/hv-status'
import { runVp } from '../../../../core/hypervisor/run-vp'
import { acceptsStatsVersion, decodeStatsPage } from '../../../../core/hypervisor/stats/stats-page'
import { HvStatsObjectType as T } from '../../../../core/hypervisor/stats/stats-types'
import { HV_X64_MSR_STATS_VP_INTERNAL_PAGE, HV_X64_MSR_STATS_VP_RETAIL_PAGE } from '../../../../core/hypervisor/synthetic-msrs'
import { HvServicesWrapper } from '../../../../core/hypervisor/system/services-wrapper'
import { ExitReason } from '../../../../core/x64/api'
import { makeChild, makeHv, rootPages } from '../helpers'
import type { FakeCpu } from '../fake-cpu'
import { HvPartitionProperty as P } from '../../../../core/hypervisor/partition-properties'

function setup(lps = 2) {
  const { hv, cpus } = makeHv({ logicalProcessorCount: lps })
  const c = makeChild(hv, 32 * 4096, 16)
  const root = hv.wrapper()
  root.HvMapGpaPages(c, 0, 7, rootPages(32))
  root.HvCreateVp(c, 0)
  const p = hv.partition(c)!
  p.vp(0)!.explicitSuspend = false
  return { hv, c, p, cpus: cpus as FakeCpu[], svc: new HvServicesWrapper(hv) }
}

const value = (page: Uint8Array, type: number, group: string, name: string) =>
  decodeStatsPage(type, page).find((x) => x.group === group && x.name === name)?.value

describe('statistics pages (TLFS ch. 21, appendix J)', () => {
  it('maps the hypervisor page for the root with header {2, 1.0, 40}, live counters and END_OF_LIST at 48 (ideas 66, 67)', () => {
    const { hv, svc } = setup(3)
    expect(svc.HvMapStatsPage(T.HvStatsObjectHypervisor, {}, 0x500n)).toBe(S.HV_STATUS_SUCCESS)
    const page = svc.readRootPage(0x500)!
    const v = new DataView(page.buffer, page.byteOffset)
    expect([v.getUint16(0, true), v.getUint32(2, true), v.getUint16(6, true)]).toEqual([2, 0x10000, 40])
    expect(v.getBigUint64(8, true)).toBe(3n) // LPs
    expect(v.getBigUint64(16, true)).toBe(2n) // root + child
    expect(v.getBigUint64(32, true)).toBe(1n) // one VP
    expect([v.getUint16(48, true), v.getUint32(50, true), v.getUint16(54, true)]).toEqual([0, 0, 0])
    makeChild(hv)
    expect(new DataView(svc.readRootPage(0x500)!.buffer).getBigUint64(16, true)).toBe(3n) // no remap needed
  })

  it('checks privileges, identities and double mapping (ideas 68-70)', () => {
    const { hv, c, svc } = setup()
    const child = new HvServicesWrapper(hv, hv.partition(c)!)
    expect(child.HvMapStatsPage(T.HvStatsObjectHypervisor, {}, 5n)).toBe(S.HV_STATUS_ACCESS_DENIED) // no AccessStats
    hv.wrapper().HvSetPartitionProperty(c, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn | (1n << 40n))
    expect(child.HvMapStatsPage(T.HvStatsObjectHypervisor, {}, 5n)).toBe(S.HV_STATUS_ACCESS_DENIED) // global: root only
    expect(svc.HvMapStatsPage(T.HvStatsObjectVp, { partitionId: c, vpIndex: 7 }, 0x600n)).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    expect(svc.HvMapStatsPage(T.HvStatsObjectVp, { partitionId: 99n }, 0x600n)).toBe(S.HV_STATUS_INVALID_PARTITION_ID)
    expect(svc.HvMapStatsPage(T.HvStatsObjectLogicalProcessor, { lpIndex: 2 }, 0x600n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(svc.HvMapStatsPage(T.HvStatsObjectPartition, { partitionId: c, flags: 2 }, 0x600n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(svc.HvMapStatsPage(0x7, {}, 0x600n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(svc.HvMapStatsPage(T.HvStatsObjectVp, { partitionId: c, vpIndex: 0 }, 0x600n)).toBe(S.HV_STATUS_SUCCESS)
    expect(svc.HvMapStatsPage(T.HvStatsObjectVp, { partitionId: c, vpIndex: 0 }, 0x601n)).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.HvUnmapStatsPage(T.HvStatsObjectVp, { partitionId: c, vpIndex: 0 })).toBe(S.HV_STATUS_SUCCESS)
    expect(svc.HvUnmapStatsPage(T.HvStatsObjectVp, { partitionId: c, vpIndex: 0 })).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.readRootPage(0x600)).toBeUndefined()
    // A grandchild's stats: the child (its parent) may map them into its own RAM; the root may not.
    const root = hv.wrapper()
    root.HvFinalizePartition(c)
    expect(svc.HvMapStatsPage(T.HvStatsObjectPartition, { partitionId: c }, 0x602n)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
  })

  it('counts VP events from real exits: CPUID, MSR, I/O, HLT (VPV)', () => {
    const { hv, c, p, cpus, svc } = setup()
    cpus[0].script.push(
      { reason: ExitReason.Cpuid, leaf: 0 }, { reason: ExitReason.Cpuid, leaf: 1 },
      { reason: ExitReason.IoPort, port: 0x80, accessSize: 1, isWrite: true },
      { reason: ExitReason.MsrRead, msr: 0x40000002 },
      { reason: ExitReason.Halt },
    )
    runVp(hv, p.vp(0)!, 1000)
    const page = svc.readStatsPage(T.HvStatsObjectVp, { partitionId: c, vpIndex: 0 })!
    expect(value(page, T.HvStatsObjectVp, 'VPV', 'CPUID Instructions/sec')).toBe(2)
    expect(value(page, T.HvStatsObjectVp, 'VPV', 'IO Instructions/sec')).toBe(1)
    expect(value(page, T.HvStatsObjectVp, 'VPV', 'MSR Accesses/sec')).toBe(1)
    expect(value(page, T.HvStatsObjectVp, 'VPV', 'HLT Instructions/sec')).toBe(1)
    // Hypervisor time is 1 µs per entry, but never more than the VP's whole run time (which includes it).
    const vp = p.vp(0)!
    expect(vp.runTime).toBeLessThan(5 * 10)
    expect(value(page, T.HvStatsObjectVp, 'VPA', 'Hypervisor Run Time')).toBe(vp.runTime)
    expect(value(page, T.HvStatsObjectVp, 'VPA', 'Total Run Time')).toBe(vp.runTime)
    vp.runTimeOffsetNs += 100_000 // 1000 more units of run time
    const later = svc.readStatsPage(T.HvStatsObjectVp, { partitionId: c, vpIndex: 0 })!
    expect(value(later, T.HvStatsObjectVp, 'VPA', 'Hypervisor Run Time')).toBe(5 * 10)
    expect(value(later, T.HvStatsObjectVp, 'VPA', 'Total Run Time')).toBe(vp.runTime)
    const lp = svc.readStatsPage(T.HvStatsObjectLogicalProcessor, { lpIndex: 0 })!
    expect(value(lp, T.HvStatsObjectLogicalProcessor, 'LPA', 'Processor Halts/sec')).toBe(1)
    expect(value(lp, T.HvStatsObjectLogicalProcessor, 'LPA', 'Context Switches/sec')).toBe(1)
    const part = svc.readStatsPage(T.HvStatsObjectPartition, { partitionId: c })!
    expect(value(part, T.HvStatsObjectPartition, 'PA', 'Virtual Processors')).toBe(1)
    expect(value(part, T.HvStatsObjectPartition, 'PV', 'GPA Space Modifications/sec')).toBe(32)
    expect(value(part, T.HvStatsObjectPartition, 'PV', 'Deposited Pages')).toBe(16)
  })

  it('maps pages through the stats MSRs: 0 at creation, gpa|1 maps, writes raise #MC, 0 unmaps (ideas 71, 73, 74)', () => {
    const { hv, p, cpus } = setup()
    const mem = p.memory!
    mem.ram.fill(0x77, 9 * 4096, 10 * 4096)
    cpus[0].script.push(
      { reason: ExitReason.MsrRead, msr: HV_X64_MSR_STATS_VP_RETAIL_PAGE },
      { reason: ExitReason.MsrWrite, msr: HV_X64_MSR_STATS_VP_RETAIL_PAGE, valueLo: 0x9001, valueHi: 0 },
      { reason: ExitReason.MsrRead, msr: HV_X64_MSR_STATS_VP_RETAIL_PAGE },
      { reason: ExitReason.MemoryAccess, gpa: 0x9010, accessType: 1 },
    )
    runVp(hv, p.vp(0)!, 100)
    expect(cpus[0].log).toEqual(['rdmsr 0:0', 'retire', 'rdmsr 0:9001', 'exc 18'])
    const page = mem.ram.subarray(0x9000, 0xa000)
    expect(decodeStatsPage(T.HvStatsObjectVp, page).map((x) => x.group)).toEqual(['VPA', 'VPA'])
    // Beyond the GPA space: no fault, nothing mapped.
    cpus[0].script.push(
      { reason: ExitReason.MsrWrite, msr: HV_X64_MSR_STATS_VP_INTERNAL_PAGE, valueLo: 0x1, valueHi: 0x10 },
      { reason: ExitReason.MsrWrite, msr: HV_X64_MSR_STATS_VP_RETAIL_PAGE, valueLo: 0, valueHi: 0 },
    )
    runVp(hv, p.vp(0)!, 100)
    expect(cpus[0].log.slice(4)).toEqual(['retire', 'retire']) // no #GP for a base beyond the space
    expect(mem.ram[0x9000]).toBe(0x77) // underlying RAM visible again
  })

  it('removes the mapping when the VP is deleted (idea 72) and accepts newer minor versions only (idea 75)', () => {
    const { hv, c, svc } = setup()
    svc.HvMapStatsPage(T.HvStatsObjectVp, { partitionId: c, vpIndex: 0 }, 0x700n)
    expect(svc.readRootPage(0x700)).toBeDefined()
    hv.wrapper().HvDeleteVp(c, 0)
    expect(svc.readRootPage(0x700)).toBeUndefined()
    expect(acceptsStatsVersion(0x10000, 0x10001)).toBe(true)
    expect(acceptsStatsVersion(0x10000, 0x20000)).toBe(false)
  })
})
