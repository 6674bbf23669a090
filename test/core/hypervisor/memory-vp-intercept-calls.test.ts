import { describe, expect, it } from 'vitest'
import * as S from '../../../core/hypervisor/hv-status'
import { HvInterceptType as T } from '../../../core/hypervisor/intercepts'
import { HvRegister as R } from '../../../core/hypervisor/register-names'
import { runVp } from '../../../core/hypervisor/run-vp'
import { ExitReason } from '../../../core/x64/api'
import type { FakeCpu } from './fake-cpu'
import { makeChild, makeHv, rootPages } from './helpers'

describe('memory pools (TLFS ch. 7)', () => {
  it('refuses pages that are pooled twice, shared with a child, or lack access (68-71, 74, 76)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    const c = makeChild(hv)
    const [a, b] = rootPages(2)
    expect(root.HvDepositMemory(c, [a])).toEqual({ status: S.HV_STATUS_SUCCESS, repsCompleted: 1 })
    expect(root.HvDepositMemory(c, [b, a])).toEqual({ status: S.HV_STATUS_OPERATION_DENIED, repsCompleted: 1 })
    const [m] = rootPages(1)
    expect(root.HvMapGpaPages(c, 0, 1, [m]).status).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvDepositMemory(c, [m]).status).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(root.HvMapGpaPages(c, 1, 1, [a]).status).toBe(S.HV_STATUS_OPERATION_DENIED)
    const [r] = rootPages(1)
    root.HvMapGpaPages(hv.root.id, r, 1, [r])
    expect(root.HvDepositMemory(c, [r]).status).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(hv.wrapper(hv.partition(c)!).HvDepositMemory(c, [0]).status).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(root.HvWithdrawMemory(c, 1, { id: 0, flags: 2 }).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
  })

  it('withdraws zero-filled pages with full access into a child that deposited from its own RAM (63)', () => {
    const { hv } = makeHv({ maxPartitionDepth: 3 })
    const c = makeChild(hv)
    const child = hv.partition(c)!
    child.privileges |= (1n << 32n) | (1n << 34n)
    hv.wrapper().HvMapGpaPages(c, 0, 7, rootPages(8))
    const mem = child.memory!
    mem.ram.fill(9, 2 * 4096, 3 * 4096)
    const cw = hv.wrapper(child)
    const g = cw.HvCreatePartition()
    expect(g.status).toBe(S.HV_STATUS_SUCCESS)
    expect(cw.HvDepositMemory(g.newPartitionId, [2]).status).toBe(S.HV_STATUS_SUCCESS)
    expect(mem.pageAccess[2]).toBe(0) // 7.1: a pool page is inaccessible to its depositor
    expect(cw.HvDepositMemory(g.newPartitionId, [2]).status).toBe(S.HV_STATUS_OPERATION_DENIED)
    const w = cw.HvWithdrawMemory(g.newPartitionId, 1)
    expect(w).toMatchObject({ status: S.HV_STATUS_SUCCESS, gpaPages: [2] })
    expect(mem.pageAccess[2]).toBe(0xf)
    expect(mem.ram.subarray(2 * 4096, 3 * 4096).every((b) => b === 0)).toBe(true)
  })
})

describe('GPA mapping (TLFS ch. 8)', () => {
  it('validates map flags and ranges (78, 82) and unmapping (84, 85, 87)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    const c = makeChild(hv, 8 * 4096)
    for (const f of [2, 4, 6, 8]) expect(root.HvMapGpaPages(c, 0, f, rootPages(1)).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvMapGpaPages(c, 8, 1, rootPages(1)).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvMapGpaPages(c, 0, 1, [1 << 22]).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvUnmapGpaPages(c, 0, 4)).toEqual({ status: S.HV_STATUS_SUCCESS, repsCompleted: 4 })
    expect(root.HvUnmapGpaPages(hv.root.id, 0, 1).status).toBe(S.HV_STATUS_ACCESS_DENIED)
  })

  it('sets pageAccess, bumps generation and tells Inaccessible from unmapped (79-81, 89)', () => {
    const { hv, cpus } = makeHv()
    const root = hv.wrapper()
    const c = makeChild(hv, 8 * 4096)
    const mem = hv.partition(c)!.memory!
    const g = mem.generation
    root.HvMapGpaPages(c, 2, 7, rootPages(1))
    expect(mem.pageAccess[2]).toBe(0xf)
    expect(mem.generation).toBeGreaterThan(g)
    root.HvMapGpaPages(c, 2, 1, rootPages(1))
    expect(mem.pageAccess[2]).toBe(1)
    root.HvMapGpaPages(c, 3, 0, rootPages(1))
    root.HvCreateVp(c, 0)
    root.HvSetVpRegisters(c, 0, [{ name: R.HvRegisterExplicitSuspend, value: 0n }])
    const vp = hv.partition(c)!.vp(0)!
    const cpu = cpus[0] as FakeCpu
    cpu.script.push({ reason: ExitReason.MemoryAccess, gpa: 3 * 4096, accessType: 0 })
    expect(runVp(hv, vp, 10)).toBe(5)
    expect(vp.memoryUnmapped).toBe(false)
    root.HvSetVpRegisters(c, 0, [{ name: R.HvRegisterInterceptSuspend, value: 0n }])
    cpu.script.push({ reason: ExitReason.MemoryAccess, gpa: 5 * 4096, accessType: 0 })
    runVp(hv, vp, 10)
    expect(vp.memoryUnmapped).toBe(true)
  })

  it('maps sparse pairs exactly (88) and lets the root change rights on identity pages only (86)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    const c = makeChild(hv, 64 * 4096)
    const [s1, s2] = rootPages(2)
    expect(root.HvMapSparseGpaPages(c, 7, [{ target: 10, source: s1 }, { target: 50, source: s2 }]).status).toBe(S.HV_STATUS_SUCCESS)
    const mem = hv.partition(c)!.memory!
    expect([mem.pageAccess[10], mem.pageAccess[11], mem.pageAccess[50]]).toEqual([0xf, 0, 0xf])
    const [r] = rootPages(1)
    expect(root.HvMapGpaPages(hv.root.id, r, 1, [r]).status).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvMapGpaPages(hv.root.id, r + 1, 1, [r]).status).toBe(S.HV_STATUS_ACCESS_DENIED)
  })
})

describe('intercepts (TLFS ch. 9)', () => {
  it('validates types and masks, costs pool only for CPUID (92, 93, 96, 97)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    const c = makeChild(hv, 8 * 4096, 4)
    expect(root.HvInstallIntercept(c, 1, T.HvInterceptTypeX64Cpuid, 1n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvInstallIntercept(c, 4, T.HvInterceptTypeX64Cpuid, 1n)).toBe(S.HV_STATUS_INSUFFICIENT_MEMORY)
    expect(root.HvInstallIntercept(c, 3, 4, 0n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvInstallIntercept(c, 3, T.HvInterceptTypeX64IoPort, 0x60n)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvInstallIntercept(c, 4, T.HvInterceptTypeX64Exception, 32n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvInstallIntercept(c, 4, T.HvInterceptTypeX64Exception, 13n)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvInstallIntercept(hv.root.id, 3, T.HvInterceptTypeX64IoPort, 0x60n)).toBe(S.HV_STATUS_ACCESS_DENIED)
  })

  it('suspends on an intercepted IN and answers all-ones once removed (91, 94)', () => {
    const { hv, cpus } = makeHv()
    const root = hv.wrapper()
    const c = makeChild(hv, 8 * 4096)
    root.HvCreateVp(c, 0)
    root.HvSetVpRegisters(c, 0, [{ name: R.HvRegisterExplicitSuspend, value: 0n }])
    root.HvInstallIntercept(c, 3, T.HvInterceptTypeX64IoPort, 0x60n)
    const vp = hv.partition(c)!.vp(0)!
    const cpu = cpus[0] as FakeCpu
    cpu.script.push({ reason: ExitReason.IoPort, port: 0x60, accessSize: 1 })
    expect(runVp(hv, vp, 10)).toBe(2)
    expect(root.HvGetVpRegister(c, 0, R.HvRegisterInterceptSuspend).value).toBe(1n)
    expect(runVp(hv, vp, 10)).toBe(0) // suspended: does not run
    root.HvSetVpRegisters(c, 0, [{ name: R.HvRegisterInterceptSuspend, value: 0n }])
    root.HvInstallIntercept(c, 0, T.HvInterceptTypeX64IoPort, 0x60n)
    cpu.script.push({ reason: ExitReason.IoPort, port: 0x60, accessSize: 2 })
    runVp(hv, vp, 10)
    expect(cpu.log).toEqual(['in ffff'])
  })
})

describe('virtual processors (TLFS ch. 10)', () => {
  it('creates suspended VPs with the reset state and validates indexes (99-104)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    const c = makeChild(hv, 8 * 4096, 8)
    expect(root.HvCreateVp(c, 0)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvGetVpRegister(c, 0, R.HvRegisterExplicitSuspend).value).toBe(1n)
    expect(root.HvGetVpRegister(c, 0, R.HvX64RegisterRip).value).toBe(0xfff0n)
    expect(root.HvGetVpRegister(c, 0, R.HvX64RegisterApicBase).value & 0x100n).toBe(0x100n)
    expect(root.HvCreateVp(c, 1)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvGetVpRegister(c, 1, R.HvX64RegisterApicBase).value & 0x100n).toBe(0n)
    expect(root.HvGetVpRegister(c, 1, R.HvX64RegisterInitialApicId).value).toBe(1n)
    expect(root.HvCreateVp(c, 1)).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    expect(root.HvCreateVp(c, 64)).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    expect(root.HvCreateVp(c, 2, undefined, 1n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvDeleteVp(c, 5)).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    const before = root.HvGetMemoryBalance(c).pagesAvailable
    expect(root.HvDeleteVp(c, 1)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvGetMemoryBalance(c).pagesAvailable).toBe(before + 1n)
  })

  it('validates register names and values with partial completion (105-111, 114, 120)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    const c = makeChild(hv, 8 * 4096)
    root.HvCreateVp(c, 0)
    const g = root.HvGetVpRegisters(c, 0, [R.HvX64RegisterRax, 0x00020012, R.HvX64RegisterRbx])
    expect([g.status, g.repsCompleted]).toEqual([S.HV_STATUS_INVALID_PARAMETER, 1])
    expect(root.HvSetVpRegisters(c, 0, [{ name: R.HvRegisterVpIndex, value: 1n }]).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvSetVpRegisters(c, 0, [{ name: R.HvX64RegisterCr0, value: 1n << 28n }]).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvSetVpRegisters(c, 0, [{ name: R.HvRegisterInterceptSuspend, value: 1n }]).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    const r = root.HvSetVpRegisters(c, 0, [
      { name: R.HvX64RegisterRax, value: 5n }, { name: R.HvX64RegisterCr0, value: 1n << 28n }, { name: R.HvX64RegisterRbx, value: 7n },
    ])
    expect([r.status, r.repsCompleted]).toEqual([S.HV_STATUS_INVALID_PARAMETER, 1])
    expect(root.HvGetVpRegister(c, 0, R.HvX64RegisterRax).value).toBe(5n)
    expect(root.HvGetVpRegister(c, 0, R.HvX64RegisterRbx).value).toBe(0n)
    const seg = { lo: 0x12345000n, hi: 0xfffffn | (0xc09bn << 32n) | (0x10n << 48n) }
    expect(root.HvSetVpRegisters(c, 0, [{ name: R.HvX64RegisterCs, value: seg }]).status).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvGetVpRegisters(c, 0, [R.HvX64RegisterCs]).values[0]).toEqual(seg)
    expect(root.HvSetVpRegisters(c, 0, [{ name: R.HvX64RegisterCs, value: { lo: 0n, hi: 0x0100n << 32n } }]).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    const child = hv.wrapper(hv.partition(c)!)
    expect(child.HvSetVpRegisters(c, 0, [{ name: R.HvX64RegisterRax, value: 1n }]).status).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(child.HvGetVpRegister(c, 0, R.HvX64RegisterRip).status).toBe(S.HV_STATUS_SUCCESS)
    expect(child.HvGetVpRegister(c, 0, R.HvRegisterExplicitSuspend).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
  })

  it('gates LP hypercalls on CpuPowerManagement (118, 119)', () => {
    const { hv } = makeHv()
    const c = makeChild(hv)
    const child = hv.wrapper(hv.partition(c)!)
    expect(child.HvGetLogicalProcessorRunTime().status).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(child.HvParkLogicalProcessors(1n)).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(hv.wrapper().HvParkLogicalProcessors(1n)).toBe(S.HV_STATUS_SUCCESS)
  })
})
