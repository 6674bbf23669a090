/**
 * The root partition's whole life cycle of a child through the wrapper interface on the REAL CPU
 * (TLFS ch. 5, 7, 8, 9, 10): create, deposit, initialize, map GPA pages, create a VP, set its
 * registers, install an I/O intercept, run real code until the intercept, finalize, withdraw,
 * delete — and at each step the failure a wrong call gets.
 */
import { describe, expect, it } from 'vitest'
import * as S from '../../../core/hypervisor/hv-status'
import { Hypervisor } from '../../../core/hypervisor/hypervisor'
import { HvInterceptType as T } from '../../../core/hypervisor/intercepts'
import { HvRegister as R } from '../../../core/hypervisor/register-names'
import { runVp } from '../../../core/hypervisor/run-vp'
import { VpExitKind } from '../../../core/hypervisor/virtual-processor'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { rootPages } from './helpers'

describe('root scenario: a child from creation to deletion', () => {
  it('walks every step and refuses each wrong call with the spec status', () => {
    const hv = new Hypervisor()
    const root = hv.wrapper()
    // Create: the root needs pool pages first.
    expect(root.HvCreatePartition().status).toBe(S.HV_STATUS_INSUFFICIENT_MEMORY)
    expect(root.HvDepositMemory(hv.root.id, rootPages(1)).status).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvCreatePartition(1n).status).toBe(S.HV_STATUS_INVALID_PARAMETER) // reserved flag bit
    const { status, newPartitionId: c } = root.HvCreatePartition()
    expect(status).toBe(S.HV_STATUS_SUCCESS)
    hv.attachGuestMemory(c, new GuestMemory(16 * 4096, 0))
    // Before initialization: GPA and VP calls see the wrong state.
    expect(root.HvMapGpaPages(c, 0, 7, rootPages(1)).status).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    expect(root.HvCreateVp(c, 0)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    // Initialize: fails without pool pages, then succeeds once, then refuses a second time.
    expect(root.HvInitializePartition(c)).toBe(S.HV_STATUS_INSUFFICIENT_MEMORY)
    expect(root.HvDepositMemory(c, []).status).toBe(S.HV_STATUS_INVALID_HYPERCALL_INPUT) // rep count 0 (4.8 step 2)
    expect(root.HvDepositMemory(0x4242n, rootPages(1)).status).toBe(S.HV_STATUS_INVALID_PARTITION_ID)
    expect(root.HvDepositMemory(c, rootPages(8)).status).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvInitializePartition(c)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvInitializePartition(c)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    // Map: bad flags, beyond the space, then all 16 pages RWX.
    expect(root.HvMapGpaPages(c, 0, 2, rootPages(1)).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvMapGpaPages(c, 16, 7, rootPages(1)).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvMapGpaPages(c, 0, 7, rootPages(16))).toEqual({ status: S.HV_STATUS_SUCCESS, repsCompleted: 16 })
    // VP: out-of-range index refused, VP 0 created once.
    expect(root.HvCreateVp(c, 64)).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    expect(root.HvCreateVp(c, 0)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvCreateVp(c, 0)).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    // Code at 0x1000 (flat real mode): mov al, 0x5a; out 0x60, al; hlt.
    hv.partition(c)!.memory!.writeBytes(0x1000, Uint8Array.of(0xb0, 0x5a, 0xe6, 0x60, 0xf4))
    expect(root.HvSetVpRegisters(c, 1, [{ name: R.HvX64RegisterRip, value: 0n }]).status).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    expect(root.HvSetVpRegisters(c, 0, [{ name: 0x7fffffff, value: 0n }]).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    const cs = { lo: 0n, hi: 0xffffn | (0x9bn << 32n) }
    expect(root.HvSetVpRegisters(c, 0, [
      { name: R.HvX64RegisterCs, value: cs }, { name: R.HvX64RegisterRip, value: 0x1000n }, { name: R.HvRegisterExplicitSuspend, value: 0n },
    ]).status).toBe(S.HV_STATUS_SUCCESS)
    // Intercept: wrong access mask refused; OUT to 0x60 intercepted.
    expect(root.HvInstallIntercept(c, 8, T.HvInterceptTypeX64IoPort, 0x60n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvInstallIntercept(c, 3, T.HvInterceptTypeX64IoPort, 0x60n)).toBe(S.HV_STATUS_SUCCESS)
    // Run: the intercept suspends the VP before OUT executes.
    const vp = hv.partition(c)!.vp(0)!
    expect(runVp(hv, vp, 1000)).toBe(VpExitKind.IoPort)
    expect(vp.cpu.exit.port).toBe(0x60)
    expect(vp.cpu.exit.isWrite).toBe(true)
    expect(vp.cpu.exit.value & 0xff).toBe(0x5a)
    expect(root.HvGetVpRegister(c, 0, R.HvRegisterInterceptSuspend).value & 1n).toBe(1n)
    expect(root.HvGetVpRegister(c, 0, R.HvX64RegisterRip).value).toBe(0x1002n)
    expect(runVp(hv, vp, 1000)).toBe(VpExitKind.None) // suspended: nothing runs
    // The parent completes the OUT (advance RIP) and clears the suspend; the VP halts.
    root.HvSetVpRegisters(c, 0, [{ name: R.HvX64RegisterRip, value: 0x1004n }, { name: R.HvRegisterInterceptSuspend, value: 0n }])
    expect(runVp(hv, vp, 1000)).toBe(VpExitKind.Halt)
    // Delete refused while Active; finalize; then Finalized-state refusals; withdraw; delete.
    expect(root.HvDeletePartition(c)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    expect(hv.wrapper(hv.partition(c)!).HvFinalizePartition(c)).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(root.HvFinalizePartition(c)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvFinalizePartition(c)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    expect(root.HvCreateVp(c, 1)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    expect(root.HvInstallIntercept(c, 3, T.HvInterceptTypeX64IoPort, 0x61n)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    const avail = Number(root.HvGetMemoryBalance(c).pagesAvailable)
    expect(avail).toBeGreaterThan(0)
    expect(root.HvWithdrawMemory(c, avail)).toMatchObject({ status: S.HV_STATUS_SUCCESS, repsCompleted: avail })
    expect(root.HvDeletePartition(c)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvDeletePartition(c)).toBe(S.HV_STATUS_INVALID_PARTITION_ID)
    expect(root.HvGetNextChildPartition(hv.root.id, 0n).nextChildId).toBe(0n)
  })
})
