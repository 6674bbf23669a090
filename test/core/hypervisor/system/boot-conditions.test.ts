/**
 * TLFS ch. 22 "Booting" as it applies to our model, where the root partition is the host app
 * (it runs no x86 code): the post-boot conditions of 22.3 that a freshly constructed
 * Hypervisor guarantees, and the 22.4 rule that operations only a parent may perform on a
 * partition are refused on the root, which has no parent — and leave it unchanged.
 * (docs/hypervisor.md lists the 22.3 conditions that do not apply and why.)
 */
import { describe, expect, it } from 'vitest'
import { HV_STATUS_SUCCESS } from '../../../../core/hypervisor/hv-status'
import { HvCall } from '../../../../core/hypervisor/hypercall-codes'
import { HvPartitionState } from '../../../../core/hypervisor/partition'
import { HvPartitionProperty as P } from '../../../../core/hypervisor/partition-properties'
import { HV_PRIVILEGE_ALL_DEFINED } from '../../../../core/hypervisor/privileges'
import { HvRegister } from '../../../../core/hypervisor/register-names'
import { savePartitionStateAll, restorePartitionStateAll } from '../../../../core/hypervisor/save-restore'
import { partitionPolicy } from '../../../../core/hypervisor/scheduler/partition-policy'
import { makeChild, makeHv, rootPages } from '../helpers'

describe('ch. 22: the root partition right after boot', () => {
  it('22.3: one Active partition, identity-mapped RWX GPA space, pool readable, default policy, no hypercall page or SynIC', () => {
    const { hv } = makeHv({ logicalProcessorCount: 4 })
    const root = hv.wrapper()
    // A single partition exists: the root, Active, no parent, every defined privilege.
    expect([...hv.partitions.keys()]).toEqual([1n])
    expect(hv.root.state).toBe(HvPartitionState.Active)
    expect(hv.root.parent).toBeNull()
    expect(hv.root.privileges).toBe(HV_PRIVILEGE_ALL_DEFINED)
    expect(root.HvGetPartitionId()).toEqual({ status: HV_STATUS_SUCCESS, partitionId: 1n })
    // The pool may be empty; HvGetMemoryBalance tells the root how many pages it holds.
    expect(root.HvGetMemoryBalance(1n)).toEqual({ status: HV_STATUS_SUCCESS, pagesAvailable: 0n, pagesInUse: 0n })
    // Every RAM page is identity-mapped readable, writable and executable …
    const space = hv.root.space!
    for (const page of [0, 1, 0x1234, space.pageCount - 1]) expect(space.rights(page)).toBe(7)
    expect(space.rights(space.pageCount)).toBe(-1)
    // … except pages the hypervisor uses (its pool), which no partition may access (7.1).
    const [pooled] = rootPages(1)
    expect(root.HvDepositMemory(1n, [pooled]).status).toBe(HV_STATUS_SUCCESS)
    expect(space.pooled.has(pooled)).toBe(true)
    expect(root.HvGetMemoryBalance(1n).pagesAvailable).toBe(1n)
    // Every LP has its unique index and is known (the LP run-time call answers for the root).
    expect(hv.config.logicalProcessorCount).toBe(4)
    expect(root.HvGetLogicalProcessorRunTime().status).toBe(HV_STATUS_SUCCESS)
    // Default scheduling policy: no reserve, a cap of a whole LP (nothing withheld), weight 100.
    expect(partitionPolicy(hv.root)).toEqual({ reserve: 0, cap: 0x10000, weight: 100 })
    // The hypercall MSRs exist, but no hypercall page is established; no SynIC, no timers.
    expect(hv.root.guestOsId).toBe(0n)
    expect(hv.root.hypercallMsr).toBe(0n)
    expect(hv.interrupts.of(1n)).toBeUndefined()
  })

  it('22.4: operations reserved to a parent are refused on the root, and leave it unchanged', () => {
    const { hv } = makeHv()
    const child = makeChild(hv)
    const root = hv.wrapper()
    const rid = hv.root.id
    const weight = hv.readProperty(hv.root, P.HvPartitionPropertyCpuWeight)
    const refused: Record<string, number> = {
      HvInitializePartition: root.HvInitializePartition(rid),
      HvFinalizePartition: root.HvFinalizePartition(rid),
      HvDeletePartition: root.HvDeletePartition(rid),
      HvUnmapGpaPages: root.HvUnmapGpaPages(rid, 0x100, 1).status,
      HvTranslateVirtualAddress: root.HvTranslateVirtualAddress(rid, 0, 0n, 0n).status,
      HvReadGpa: root.HvReadGpa(rid, 0, 0n, 8).status,
      HvWriteGpa: root.HvWriteGpa(rid, 0, 0n, new Uint8Array(8)).status,
      HvInstallIntercept: root.HvInstallIntercept(rid, 1, 0, 0x60n),
      HvCreateVp: root.HvCreateVp(rid, 0),
      HvDeleteVp: root.HvDeleteVp(rid, 0),
      HvGetVpRegisters: root.HvGetVpRegisters(rid, 0, [HvRegister.HvX64RegisterRip]).status,
      HvSetVpRegisters: root.HvSetVpRegisters(rid, 0, [{ name: HvRegister.HvX64RegisterRip, value: 1n }]).status,
      HvSavePartitionState: savePartitionStateAll(hv, hv.root, rid).status,
      HvRestorePartitionState: restorePartitionStateAll(hv, hv.root, rid, new Uint8Array(8)).status,
    }
    for (const code of [HvCall.HvCallAssertVirtualInterrupt, HvCall.HvCallClearVirtualInterrupt]) {
      hv.input().setBigUint64(0, rid, true)
      for (let i = 8; i < 32; i++) hv.input().setUint8(i, 0)
      refused[`call 0x${code.toString(16)}`] = hv.callFromHost(hv.root, code, { fast: code === HvCall.HvCallClearVirtualInterrupt }).status
    }
    for (const [name, status] of Object.entries(refused)) expect(status, name).not.toBe(HV_STATUS_SUCCESS)
    // The same calls are fine on a child (a sample), so the refusals come from the root rule.
    expect(root.HvGetPartitionProperty(child, P.HvPartitionPropertyCpuWeight).status).toBe(HV_STATUS_SUCCESS)
    // Nothing changed: still Active, same property, no VPs.
    expect(hv.root.state).toBe(HvPartitionState.Active)
    expect(hv.readProperty(hv.root, P.HvPartitionPropertyCpuWeight)).toBe(weight)
    expect(hv.root.liveVps()).toEqual([])
    expect(hv.partitions.has(rid)).toBe(true)
    // DECISION: 22.4 lists property access among parent-only operations, but the restrictions
    // of HvGet/SetPartitionProperty (5.x) allow "the root partition specifying its own
    // partition ID"; the call's own rule wins (the root tunes its scheduling policy, ch. 18).
    expect(root.HvGetPartitionProperty(rid, P.HvPartitionPropertyCpuWeight)).toEqual({ status: HV_STATUS_SUCCESS, value: 100n })
    // HvMapGpaPages may only change the rights of the root's existing identity mapping.
    expect(root.HvMapGpaPages(rid, 0x200, 1, [0x200]).status).toBe(HV_STATUS_SUCCESS)
    expect(hv.root.space!.rights(0x200)).toBe(1)
    expect(root.HvMapGpaPages(rid, 0x201, 7, [0x300]).status).not.toBe(HV_STATUS_SUCCESS)
    expect(hv.root.space!.rights(0x201)).toBe(7)
  })
})
