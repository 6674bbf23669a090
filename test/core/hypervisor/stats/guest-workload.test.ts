/**
 * A scripted guest on the real CPU (core/x64) whose hypercall, MSR, CPUID, I/O and HLT counts
 * are known exactly: the VP stats counters, the guest's own live VP stats page (mapped with
 * HV_X64_MSR_STATS_VP_INTERNAL_PAGE) and the LocalDiagnostics event-log entries must match.
 */
import { describe, expect, it } from 'vitest'
import { createFlat32Guest } from '../../whp/flat32-guest'
import { decodeEventLogBuffer } from '../../../../core/hypervisor/event-log/event-log-decode'
import { HvEventLogGroup as G, HvTraceEvent as E } from '../../../../core/hypervisor/event-log/event-log-types'
import { Hypervisor } from '../../../../core/hypervisor/hypervisor'
import { HvRegister as R } from '../../../../core/hypervisor/register-names'
import { decodeStatsPage } from '../../../../core/hypervisor/stats/stats-page'
import { HvStatsObjectType as T } from '../../../../core/hypervisor/stats/stats-types'
import { HvServicesWrapper } from '../../../../core/hypervisor/system/services-wrapper'
import {
  WHvCompleteIoPortAccess, WHvGetVirtualProcessorRegisters, WHvRunVirtualProcessor, WHvRunVpExitReason as X,
} from '../../../../core/whp'

const wrmsr = (msr: number, lo: number) => [
  0xb9, ...le32(msr), 0xb8, ...le32(lo), 0x31, 0xd2, 0x0f, 0x30, // mov ecx, msr; mov eax, lo; xor edx, edx; wrmsr
]
function le32(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]
}

/** 32-bit guest at 0x1000: hypercall page at 0x2000, VP internal stats page at 0x5000. */
function guest(): Uint8Array {
  const code: number[] = [
    ...wrmsr(0x40000000, 1), // GUEST_OS_ID
    ...wrmsr(0x40000001, 0x2001), // HYPERCALL: page 2, enable
    ...wrmsr(0x400000e3, 0x5001), // STATS_VP_INTERNAL_PAGE at page 5
    0xb8, ...le32(0x40000001), 0x0f, 0xa2, // mov eax, 0x40000001; cpuid
    0xb0, 0x42, 0xe6, 0x80, // mov al, 0x42; out 0x80, al
  ]
  for (let i = 0; i < 2; i++) {
    // HvGetPartitionId (x86 ABI: EDX:EAX control, EBX:ECX input GPA, EDI:ESI output GPA 0x3000)
    code.push(0xb8, ...le32(0x46), 0x31, 0xd2, 0x31, 0xdb, 0x31, 0xc9, 0x31, 0xff, 0xbe, ...le32(0x3000))
    const at = 0x1000 + code.length
    const rel = 0x2000 - (at + 5)
    code.push(0xe8, ...le32(rel >>> 0))
  }
  code.push(0x8b, 0x2d, ...le32(0x5008)) // mov ebp, [0x5008]: VPV "Hypercalls/sec" as the guest sees it
  code.push(0xf4) // hlt
  return new Uint8Array(code)
}

describe('scripted guest workload: stats and event log match exactly', () => {
  it('counts 2 hypercalls, 3 MSR writes, 1 CPUID, 1 I/O intercept, 1 HLT and logs them in order', () => {
    const hv = new Hypervisor()
    const svc = new HvServicesWrapper(hv)
    const p = createFlat32Guest(hv, guest())
    // Diagnostics log: hypercall + intercept-manager groups, one 1-page buffer.
    hv.wrapper().HvDepositMemory(hv.root.id, Array.from({ length: 8 }, (_, i) => 0x9000 + i))
    expect(svc.HvInitializeEventLogBufferGroup(1, 2, 1, 1, 0)).toBe(0)
    expect(svc.HvCreateEventLogBuffer(1, 0)).toBe(0)
    const { gpaPages } = svc.HvMapEventLogBuffer(1, 0)
    expect(svc.HvSetEventLogGroupSources(1, G.Hypercall | G.InterceptManager)).toBe(0)

    let ctx = WHvRunVirtualProcessor(p, 0, 10_000)
    expect(ctx.ExitReason).toBe(X.WHvRunVpExitReasonX64IoPortAccess)
    expect(ctx.PortNumber).toBe(0x80)
    WHvCompleteIoPortAccess(p, 0)
    ctx = WHvRunVirtualProcessor(p, 0, 10_000)
    expect(ctx.ExitReason).toBe(X.WHvRunVpExitReasonX64Halt)

    const vpPage = svc.readStatsPage(T.HvStatsObjectVp, { partitionId: p.id, vpIndex: 0 })!
    const vpv = Object.fromEntries(decodeStatsPage(T.HvStatsObjectVp, vpPage).filter((c) => c.group === 'VPV').map((c) => [c.name, c.value]))
    expect(vpv['Hypercalls/sec']).toBe(2)
    expect(vpv['Other Hypercalls/sec']).toBe(2)
    expect(vpv['MSR Accesses/sec']).toBe(3)
    expect(vpv['CPUID Instructions/sec']).toBe(1)
    expect(vpv['IO Instructions/sec']).toBe(1)
    expect(vpv['IO Intercept Messages/sec']).toBe(1)
    expect(vpv['HLT Instructions/sec']).toBe(1)
    expect(vpv['Memory Intercept Messages/sec']).toBe(0)
    expect(hv.stats.hypercallsByCode[0x46]).toBe(2)
    // The guest read its own live counter after its second hypercall.
    const [rbp] = WHvGetVirtualProcessorRegisters(p, 0, [R.HvX64RegisterRbp])
    expect(rbp.lo).toBe(2n)

    const entries = decodeEventLogBuffer(svc.readEventLogBuffer(gpaPages))
    expect(entries.map((e) => e.name)).toEqual([
      'HV_TR_IM_MSR_WRITE', 'HV_TR_IM_MSR_WRITE', 'HV_TR_IM_MSR_WRITE', 'HV_TR_IM_CPUID_INSTRUCTION', 'HV_TR_IM_IO_PORT_WRITE',
      'HV_TR_HC_HYPERCALL', 'HV_TR_HC_HYPERCALL', 'HV_TR_IM_HLT_INSTRUCTION',
    ])
    expect(entries[0].params.slice(1)).toEqual([0x40000000n, 1n])
    expect(entries[3].params.slice(1)).toEqual([0x40000001n, 0x400000e3n]) // ECX still holds the last MSR number
    expect(entries[4].params.slice(1)).toEqual([0x80n, 0x42n])
    expect(entries[5].params[1]).toBe(0x46n)
    expect(entries[5].type).toBe(E.HV_TR_HC_HYPERCALL)
  })
})
