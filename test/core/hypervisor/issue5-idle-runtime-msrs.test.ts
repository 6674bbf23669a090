/**
 * HV_X64_MSR_VP_RUNTIME (10.3), HV_X64_MSR_GUEST_IDLE (10.1) and HV_X64_MSR_POWER_STATE_TRIGGER_C1-C3
 * (6.3) driven through runVp with a scripted CPU: privilege gating (#GP without the bit), read-only
 * (#GP on WRMSR), idle sleep that costs nothing until an interrupt arrives — even a masked one.
 */
import { describe, expect, it } from 'vitest'
import { HvPrivilege } from '../../../core/hypervisor/privileges'
import { HvRegister as R } from '../../../core/hypervisor/register-names'
import { runVp } from '../../../core/hypervisor/run-vp'
import {
  HV_X64_MSR_GUEST_IDLE, HV_X64_MSR_POWER_STATE_TRIGGER_C1, HV_X64_MSR_VP_RUNTIME,
} from '../../../core/hypervisor/synthetic-msrs'
import { VpExitKind } from '../../../core/hypervisor/virtual-processor'
import { ExitReason } from '../../../core/x64/api'
import type { FakeCpu } from './fake-cpu'
import { makeChild, makeHv, rootPages } from './helpers'

function setup() {
  const { hv, cpus } = makeHv()
  const c = makeChild(hv, 16 * 4096)
  const root = hv.wrapper()
  root.HvMapGpaPages(c, 0, 7, rootPages(16))
  root.HvCreateVp(c, 0)
  root.HvSetVpRegisters(c, 0, [{ name: R.HvRegisterExplicitSuspend, value: 0n }])
  const p = hv.partition(c)!
  const vp = p.vp(0)!
  hv.interrupts.of(p)!.vpState(vp).apic.svr = 0x1ff // software-enable the APIC so fixed interrupts are accepted
  return { hv, c, p, vp, cpu: cpus[0] as FakeCpu }
}
const bit = (n: number) => 1n << BigInt(n)

describe('HV_X64_MSR_VP_RUNTIME (10.3)', () => {
  it('counts 100 ns per 10 retired instructions, never decreases, is read-only and privilege-gated', () => {
    const { hv, p, vp, cpu } = setup()
    cpu.script.push({ reason: ExitReason.MsrRead, msr: HV_X64_MSR_VP_RUNTIME })
    runVp(hv, vp, 1)
    const first = cpu.log.at(-1)!
    expect(first).toBe(`rdmsr 0:${Math.floor(cpu.retired / 10).toString(16)}`)
    runVp(hv, vp, 500) // empty script: 500 instructions retire
    cpu.script.push({ reason: ExitReason.MsrRead, msr: HV_X64_MSR_VP_RUNTIME })
    runVp(hv, vp, 1)
    const t1 = parseInt(cpu.log.at(-1)!.split(':')[1], 16)
    expect(t1).toBe(Math.floor(cpu.retired / 10))
    expect(t1).toBeGreaterThanOrEqual(50)
    cpu.script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_VP_RUNTIME, valueLo: 0, valueHi: 0 })
    runVp(hv, vp, 1)
    expect(cpu.log.at(-1)).toBe('exc 13 0')
    p.privileges &= ~bit(HvPrivilege.AccessVpRunTimeMsr)
    cpu.script.push({ reason: ExitReason.MsrRead, msr: HV_X64_MSR_VP_RUNTIME })
    runVp(hv, vp, 1)
    expect(cpu.log.at(-1)).toBe('exc 13 0')
  })
})

describe('HV_X64_MSR_GUEST_IDLE (10.1)', () => {
  it('puts the VP in idle sleep until an interrupt arrives, even with interrupts masked', () => {
    const { hv, c, vp, cpu } = setup()
    cpu.script.push({ reason: ExitReason.MsrRead, msr: HV_X64_MSR_GUEST_IDLE }, { reason: ExitReason.Cpuid, leaf: 0 })
    expect(runVp(hv, vp, 100)).toBe(VpExitKind.Halt)
    expect(cpu.log).toEqual(['rdmsr 0:0'])
    expect(vp.idleSleep).toBe(true)
    const retired = cpu.retired
    expect(runVp(hv, vp, 100)).toBe(VpExitKind.Halt) // sleeping: nothing runs
    expect(cpu.retired).toBe(retired)
    expect(cpu.script).toHaveLength(1)
    cpu.interruptible = false // RFLAGS.IF = 0: the interrupt cannot be taken, yet it wakes the VP
    hv.interrupts.requestInterrupt(c, { type: 0, vector: 0x40, destination: 0 })
    runVp(hv, vp, 100)
    expect(vp.idleSleep).toBe(false)
    expect(cpu.script).toHaveLength(0) // the VP ran past the idle read
    expect(cpu.log).not.toContain('int 64')
  })

  it('raises #GP on WRMSR and without AccessGuestIdleMsr', () => {
    const { hv, p, vp, cpu } = setup()
    cpu.script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_GUEST_IDLE, valueLo: 0, valueHi: 0 })
    runVp(hv, vp, 10)
    expect(cpu.log).toEqual(['exc 13 0'])
    expect(vp.idleSleep).toBe(false)
    p.privileges &= ~bit(HvPrivilege.AccessGuestIdleMsr)
    cpu.script.push({ reason: ExitReason.MsrRead, msr: HV_X64_MSR_GUEST_IDLE })
    runVp(hv, vp, 10)
    expect(cpu.log).toEqual(['exc 13 0', 'exc 13 0'])
    expect(vp.idleSleep).toBe(false)
  })
})

describe('HV_X64_MSR_POWER_STATE_TRIGGER_C1-C3 (6.3)', () => {
  it('needs CpuPowerManagement, enters idle sleep on read, refuses WRMSR', () => {
    for (let i = 0; i < 3; i++) {
      const { hv, c, p, vp, cpu } = setup()
      const msr = HV_X64_MSR_POWER_STATE_TRIGGER_C1 + i
      expect(p.privileges & bit(HvPrivilege.CpuPowerManagement)).toBe(0n)
      cpu.script.push({ reason: ExitReason.MsrRead, msr })
      runVp(hv, vp, 10)
      expect(cpu.log).toEqual(['exc 13 0'])
      expect(vp.idleSleep).toBe(false)
      p.privileges |= bit(HvPrivilege.CpuPowerManagement)
      cpu.script.push({ reason: ExitReason.MsrWrite, msr, valueLo: 0, valueHi: 0 })
      runVp(hv, vp, 10)
      expect(cpu.log).toEqual(['exc 13 0', 'exc 13 0'])
      cpu.script.push({ reason: ExitReason.MsrRead, msr })
      expect(runVp(hv, vp, 10)).toBe(VpExitKind.Halt)
      expect(vp.idleSleep).toBe(true)
      hv.interrupts.requestInterrupt(c, { type: 0, vector: 0x41, destination: 0 })
      runVp(hv, vp, 10)
      expect(vp.idleSleep).toBe(false)
    }
  })
})
