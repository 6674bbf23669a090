/**
 * The unsolicited VP messages of TLFS 9.1 / 16.5.6-16.5.9 and the hypercall-page overlay
 * rule: a child C (parent of grandchild G) receives HvMessageTypeInvalidVpRegisterValue,
 * HvMessageTypeUnsupportedFeature and HvMessageTypeFerrAsserted in its SIM slot of SINT0; a
 * root parent gets the first two as exits and FERR through the partition's ferrHandler.
 */
import { describe, expect, it } from 'vitest'
import { ApicReg as R } from '../../../../core/hypervisor/apic/apic-registers'
import { HvPartitionProperty as P } from '../../../../core/hypervisor/partition-properties'
import { HvPrivilege } from '../../../../core/hypervisor/privileges'
import { HvRegister } from '../../../../core/hypervisor/register-names'
import { runVp } from '../../../../core/hypervisor/run-vp'
import {
  HV_X64_MSR_HYPERCALL, HV_X64_MSR_SCONTROL, HV_X64_MSR_SIEFP, HV_X64_MSR_SIMP, HV_X64_MSR_SINT0, MSR_FAULT,
} from '../../../../core/hypervisor/synthetic-msrs'
import { INTERCEPT_SUSPEND_SUSPENDED, VpExitKind } from '../../../../core/hypervisor/virtual-processor'
import { GuestMemory } from '../../../../core/memory/guest-memory'
import type { ExitReason } from '../../../../core/x64/api'
import type { FakeCpu } from '../fake-cpu'
import { makeChild, makeHv, rootPages } from '../helpers'

const SIM = 0x10000
const bit = (b: number): bigint => 1n << BigInt(b)

/** Root → C (SynIC on, SIM at 0x10000, SINT0 vector 0x50) → G (one FakeCpu VP, runnable). */
function nested() {
  const { hv, cpus } = makeHv({ maxPartitionDepth: 3 })
  const root = hv.wrapper()
  const cId = makeChild(hv, 64 * 4096, 32)
  root.HvMapGpaPages(cId, 0, 7, rootPages(64))
  root.HvSetPartitionProperty(cId, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn | bit(HvPrivilege.CreatePartitions) | bit(HvPrivilege.AccessMemoryPool))
  root.HvCreateVp(cId, 0)
  const c = hv.partition(cId)!
  const cvp = c.vp(0)!
  const msr = (i: number, v: bigint) => hv.msrs.get(i)!.write(cvp, v)
  hv.interrupts.of(cId)!.vpState(cvp).apic.write(R.SVR, 0x1ff)
  msr(HV_X64_MSR_SCONTROL, 1n)
  msr(HV_X64_MSR_SIMP, BigInt(SIM) | 1n)
  msr(HV_X64_MSR_SINT0, 0x50n)
  const cw = hv.wrapper(c)
  const gId = cw.HvCreatePartition().newPartitionId
  hv.attachGuestMemory(gId, new GuestMemory(16 * 4096, 0))
  expect(cw.HvDepositMemory(gId, [40, 41, 42, 43, 44, 45]).status).toBe(0)
  expect(cw.HvInitializePartition(gId)).toBe(0)
  expect(cw.HvCreateVp(gId, 0)).toBe(0)
  expect(cw.HvSetVpRegisters(gId, 0, [{ name: HvRegister.HvRegisterExplicitSuspend, value: 0n }]).status).toBe(0)
  const g = hv.partition(gId)!
  const gvp = g.vp(0)!
  const gcpu = cpus[cpus.length - 1] as FakeCpu
  const slot = () => {
    const v = new DataView(c.memory!.ram.buffer, SIM, 256)
    return { type: v.getUint32(0, true), size: v.getUint8(4), origin: v.getBigUint64(8, true), u32: (o: number) => v.getUint32(o, true), u64: (o: number) => v.getBigUint64(o, true) }
  }
  const clearSlot = () => new DataView(c.memory!.ram.buffer, SIM, 4).setUint32(0, 0, true)
  return { hv, c, cvp, cw, g, gId, gvp, gcpu, slot, clearSlot, msr }
}

describe('HvMessageTypeInvalidVpRegisterValue (10.5.4, 16.5.7)', () => {
  it('suspends a VP whose parent set an illegal combination and tells a non-root parent, until fixed', () => {
    const n = nested()
    // CR0.PG without PE: each value alone is valid (HvSetVpRegisters accepts it).
    expect(n.cw.HvSetVpRegisters(n.gId, 0, [{ name: HvRegister.HvX64RegisterCr0, value: 0x80000010n }]).status).toBe(0)
    expect(runVp(n.hv, n.gvp, 100)).toBe(VpExitKind.InvalidVpRegisterValue)
    expect(n.gvp.interceptSuspend & INTERCEPT_SUSPEND_SUSPENDED).toBe(INTERCEPT_SUSPEND_SUSPENDED)
    expect(n.gcpu.retired).toBe(0) // not one instruction ran
    const m = n.slot()
    expect([m.type, m.size, m.origin, m.u32(16)]).toEqual([0x80000020, 8, n.gId, 0])
    // Resuming without a fix reports again; with a fix the VP runs.
    n.clearSlot()
    expect(n.cw.HvSetVpRegisters(n.gId, 0, [{ name: HvRegister.HvRegisterInterceptSuspend, value: 0n }]).status).toBe(0)
    expect(runVp(n.hv, n.gvp, 100)).toBe(VpExitKind.InvalidVpRegisterValue)
    n.clearSlot()
    expect(n.cw.HvSetVpRegisters(n.gId, 0, [
      { name: HvRegister.HvX64RegisterCr0, value: 0x11n }, { name: HvRegister.HvRegisterInterceptSuspend, value: 0n },
    ]).status).toBe(0)
    expect(runVp(n.hv, n.gvp, 100)).toBe(VpExitKind.None)
    expect(n.gcpu.retired).toBe(100)
  })

  it('catches long mode without PAE and a 64-bit CS with D set; a root parent gets the exit only', () => {
    const { hv } = makeHv()
    const id = makeChild(hv)
    const w = hv.wrapper()
    w.HvMapGpaPages(id, 0, 7, rootPages(64))
    w.HvCreateVp(id, 0)
    const vp = hv.partition(id)!.vp(0)!
    const set = (regs: Array<[number, bigint]>) => w.HvSetVpRegisters(id, 0, regs.map(([name, value]) => ({ name, value }))).status
    expect(set([[HvRegister.HvRegisterExplicitSuspend, 0n], [HvRegister.HvX64RegisterCr0, 0x80000011n], [HvRegister.HvX64RegisterEfer, 0x500n], [HvRegister.HvX64RegisterCr4, 0n]])).toBe(0)
    vp.waitingForSipi = false
    expect(runVp(hv, vp, 10)).toBe(VpExitKind.InvalidVpRegisterValue)
    expect(set([[HvRegister.HvX64RegisterCr4, 0x20n], [HvRegister.HvRegisterInterceptSuspend, 0n]])).toBe(0)
    const cs = { lo: 0n, hi: (0x6000n | 0x9bn) << 32n | (0x08n << 48n) } // L and D: Attributes at +12, Selector at +14
    expect(w.HvSetVpRegisters(id, 0, [{ name: HvRegister.HvX64RegisterCs, value: cs }]).status).toBe(0)
    expect(runVp(hv, vp, 10)).toBe(VpExitKind.InvalidVpRegisterValue)
    expect(w.HvSetVpRegisters(id, 0, [{ name: HvRegister.HvX64RegisterCs, value: { lo: 0n, hi: (0x209bn << 32n) | (0x08n << 48n) } }, { name: HvRegister.HvRegisterInterceptSuspend, value: 0n }]).status).toBe(0)
    expect(runVp(hv, vp, 10)).toBe(VpExitKind.None)
  })
})

describe('HvMessageTypeUnsupportedFeature (9.1, 16.5.9)', () => {
  it('turns an exit the hypervisor does not virtualize into the message with HvUnsupportedFeatureIntercept', () => {
    const n = nested()
    n.gcpu.script.push({ reason: 99 as ExitReason })
    expect(runVp(n.hv, n.gvp, 100)).toBe(VpExitKind.UnsupportedFeature)
    expect(n.gvp.runnable).toBe(false)
    const m = n.slot()
    expect([m.type, m.size, m.origin, m.u32(16), m.u32(20), m.u64(24)]).toEqual([0x80000022, 16, n.gId, 0, 1, 99n])
  })
})

describe('HvMessageTypeFerrAsserted (16.5.6)', () => {
  it('reports a new unmasked x87 error with CR0.NE = 0 once, without suspending; IgnNe and NE silence it', () => {
    const n = nested()
    n.gcpu.fx[2] = 0x81 // FSW: IE | ES
    expect(runVp(n.hv, n.gvp, 10)).toBe(VpExitKind.None)
    expect(n.gvp.runnable).toBe(true)
    const m = n.slot()
    expect([m.type, m.size, m.origin, m.u32(16)]).toEqual([0x80000031, 8, n.gId, 0])
    n.clearSlot()
    runVp(n.hv, n.gvp, 10)
    expect(n.slot().type).toBe(0) // still the same error: no second message
    n.gcpu.fx[2] = 0 // FNCLEX
    runVp(n.hv, n.gvp, 10)
    const fcs = n.cw.HvGetVpRegister(n.gId, 0, HvRegister.HvX64RegisterFpControlStatus)
    expect(n.cw.HvSetVpRegisters(n.gId, 0, [{ name: HvRegister.HvX64RegisterFpControlStatus, value: { lo: fcs.value | (1n << 40n), hi: fcs.hi } }]).status).toBe(0)
    expect((n.cw.HvGetVpRegister(n.gId, 0, HvRegister.HvX64RegisterFpControlStatus).value >> 40n) & 1n).toBe(1n)
    n.gcpu.fx[2] = 0x81
    runVp(n.hv, n.gvp, 10)
    expect(n.slot().type).toBe(0) // IgnNe = 1
    n.cw.HvSetVpRegisters(n.gId, 0, [{ name: HvRegister.HvX64RegisterFpControlStatus, value: { lo: fcs.value, hi: fcs.hi } }])
    n.gcpu.fx[2] = 0x81
    n.gcpu.cr.set(0, 0x31n) // NE = 1: the CPU raises #MF instead
    runVp(n.hv, n.gvp, 10)
    expect(n.slot().type).toBe(0)
  })

  it('calls the ferrHandler of a root-parented partition', () => {
    const n = nested()
    const seen: number[] = []
    n.hv.interrupts.setFerrHandler(n.c.id, (vp) => seen.push(vp))
    n.cvp.explicitSuspend = false
    n.cvp.waitingForSipi = false
    ;(n.cvp.cpu as FakeCpu).fx[2] = 0x84 // ZE | ES
    runVp(n.hv, n.cvp, 10)
    runVp(n.hv, n.cvp, 10)
    expect(seen).toEqual([0])
  })
})

describe('hypercall page vs the other overlays (8.3 DECISION)', () => {
  it('refuses HV_X64_MSR_HYPERCALL on the SIM page and a SynIC page on the hypercall page (#GP, old value kept)', () => {
    const n = nested()
    n.c.guestOsId = 1n
    const hc = n.hv.msrs.get(HV_X64_MSR_HYPERCALL)!
    expect(hc.write(n.cvp, BigInt(SIM) | 1n)).toBe(MSR_FAULT)
    expect(n.c.hypercallMsr).toBe(0n)
    expect(hc.write(n.cvp, 0x12001n)).not.toBe(MSR_FAULT)
    expect(n.msr(HV_X64_MSR_SIEFP, 0x12001n)).toBe(MSR_FAULT)
    expect(hc.write(n.cvp, 0x12001n)).not.toBe(MSR_FAULT) // rewriting the same page is fine
    expect(n.msr(HV_X64_MSR_SIMP, 0x13001n)).not.toBe(MSR_FAULT) // SIM moves away
    expect(hc.write(n.cvp, BigInt(SIM) | 1n)).not.toBe(MSR_FAULT) // its old page is free now
  })
})
