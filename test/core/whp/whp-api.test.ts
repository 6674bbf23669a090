import { describe, expect, it } from 'vitest'
import { HvRegister } from '../../../core/hypervisor/register-names'
import { HV_X64_MSR_RESET } from '../../../core/hypervisor/synthetic-msrs'
import { ExitReason } from '../../../core/x64/api'
import {
  WHvCompleteIoPortAccess, WHvCreatePartition, WHvCreateVirtualProcessor, WHvDeletePartition, WHvGetPartitionMemory,
  WHvGetVirtualProcessorCpu, WHvGetVirtualProcessorRegisters, WHvMapGpaRange, WHvPartitionPropertyCode, WHvRequestInterrupt,
  WHvRunVirtualProcessor, WHvRunVpExitReason as X, WHvSetPartitionProperty, WHvSetupPartition, WHvSetVirtualProcessorRegisters,
  WHvRegisterName, WHV_EXTENDED_VM_EXIT_X64_MSR, WHvCompleteMsrAccess,
} from '../../../core/whp'
import type { FakeCpu } from '../hypervisor/fake-cpu'
import { makeHv } from '../hypervisor/helpers'

function setup(extended = 0) {
  const { hv, cpus } = makeHv()
  const p = WHvCreatePartition(hv)
  WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeProcessorCount, 1)
  WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeMemorySize, 0x20000)
  WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeExtendedVmExits, extended)
  WHvSetupPartition(p)
  WHvMapGpaRange(p, null, 0, 0x20000, 7)
  WHvCreateVirtualProcessor(p, 0)
  return { hv, p, cpu: cpus[0] as FakeCpu }
}

describe('core/whp', () => {
  it('creates a partition whose RAM is mapped RWX and whose VP starts at the reset vector', () => {
    const { p } = setup()
    const mem = WHvGetPartitionMemory(p)
    expect(mem.size).toBe(0x20000)
    expect(mem.pageAccess[0]).toBe(0xf) // R|W|kernel X|user X
    const [rip, cs] = WHvGetVirtualProcessorRegisters(p, 0, [WHvRegisterName.WHvX64RegisterRip, WHvRegisterName.WHvX64RegisterCs])
    expect(rip.lo).toBe(0xfff0n)
    expect(cs.lo).toBe(0xffff0000n) // segment base
  })

  it('returns an IoPortAccess exit for OUT and completes it', () => {
    const { p, cpu } = setup()
    cpu.script.push({ reason: ExitReason.IoPort, port: 0x3f8, accessSize: 1, isWrite: true, value: 0x41, instructionLength: 1 })
    const ctx = WHvRunVirtualProcessor(p, 0, 1000)
    expect(ctx.ExitReason).toBe(X.WHvRunVpExitReasonX64IoPortAccess)
    expect([ctx.PortNumber, ctx.AccessSize, ctx.IsWrite, ctx.Data, ctx.InstructionLength]).toEqual([0x3f8, 1, true, 0x41, 1])
    WHvCompleteIoPortAccess(p, 0, 0)
    expect(cpu.log).toContain('out')
    // The same context object is reused and the VP runs again after the intercept.
    expect(WHvRunVirtualProcessor(p, 0, 10)).toBe(ctx)
    expect(ctx.ExitReason).toBe(X.WHvRunVpExitReasonCanceled)
  })

  it('maps halt, triple fault and interrupt window exits', () => {
    const { p, cpu } = setup()
    cpu.script.push({ reason: ExitReason.Halt }, { reason: ExitReason.TripleFault }, { reason: ExitReason.InterruptWindow })
    expect(WHvRunVirtualProcessor(p, 0, 100).ExitReason).toBe(X.WHvRunVpExitReasonX64Halt)
    expect(WHvRunVirtualProcessor(p, 0, 100).ExitReason).toBe(X.WHvRunVpExitReasonUnrecoverableException)
    expect(WHvRunVirtualProcessor(p, 0, 100).ExitReason).toBe(X.WHvRunVpExitReasonX64InterruptWindow)
  })

  it('returns MemoryAccess with GpaUnmapped for a GPA outside the mapped range', () => {
    const { p, cpu } = setup()
    cpu.script.push({ reason: ExitReason.MemoryAccess, gpa: 0x30000, accessType: 1 })
    const ctx = WHvRunVirtualProcessor(p, 0, 100)
    expect(ctx.ExitReason).toBe(X.WHvRunVpExitReasonMemoryAccess)
    expect(ctx.Gpa).toBe(0x30000)
    expect(ctx.GpaUnmapped).toBe(true)
  })

  it('handles CPUID itself and gives unknown MSRs #GP unless MSR exits were asked for', () => {
    const { p, cpu } = setup()
    cpu.script.push({ reason: ExitReason.Cpuid, leaf: 0x40000001 }, { reason: ExitReason.MsrRead, msr: 0x12345 })
    expect(WHvRunVirtualProcessor(p, 0, 100).ExitReason).toBe(X.WHvRunVpExitReasonCanceled)
    expect(cpu.log).toEqual(['cpuid 31237648 0 0 0', 'exc 13 0'])
    const s = setup(WHV_EXTENDED_VM_EXIT_X64_MSR)
    s.cpu.script.push({ reason: ExitReason.MsrRead, msr: 0x12345 })
    const ctx = WHvRunVirtualProcessor(s.p, 0, 100)
    expect(ctx.ExitReason).toBe(X.WHvRunVpExitReasonX64MsrAccess)
    expect(ctx.MsrNumber).toBe(0x12345)
    WHvCompleteMsrAccess(s.p, 0, 0x1_0000_0002n)
    expect(s.cpu.log).toEqual(['rdmsr 1:2'])
  })

  it('reports a guest write of 1 to HV_X64_MSR_RESET as SystemReset', () => {
    const { p, cpu } = setup()
    cpu.script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_RESET, valueLo: 1, valueHi: 0 })
    expect(WHvRunVirtualProcessor(p, 0, 100).ExitReason).toBe(X.WHvRunVpExitReasonSystemReset)
  })

  it('delivers an interrupt when the VP can take it, else requests a window', () => {
    const { p, cpu } = setup()
    expect(WHvRequestInterrupt(p, 0, 0x20)).toBe(true)
    expect(cpu.log).toEqual(['int 32'])
    cpu.interruptible = false
    expect(WHvRequestInterrupt(p, 0, 0x21)).toBe(false)
    expect(WHvGetVirtualProcessorCpu(p, 0).interruptWindowRequested).toBe(true)
  })

  it('sets registers through HvSetVpRegisters and deletes the partition returning every page', () => {
    const { hv, p } = setup()
    WHvSetVirtualProcessorRegisters(p, 0, [WHvRegisterName.WHvX64RegisterRax, HvRegister.HvX64RegisterRip], [0x1234n, 0x100000n])
    const [rax, rip] = WHvGetVirtualProcessorRegisters(p, 0, [WHvRegisterName.WHvX64RegisterRax, WHvRegisterName.WHvX64RegisterRip])
    expect([rax.lo, rip.lo]).toEqual([0x1234n, 0x100000n])
    const inUseBefore = hv.root.pagesInUse
    WHvDeletePartition(p)
    expect(hv.partition(p.id)).toBeUndefined()
    expect(hv.root.pagesInUse).toBe(inUseBefore - 1)
  })
})
