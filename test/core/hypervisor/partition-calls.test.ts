import { describe, expect, it } from 'vitest'
import * as S from '../../../core/hypervisor/hv-status'
import { HvPartitionState } from '../../../core/hypervisor/partition'
import { HvPartitionProperty as P } from '../../../core/hypervisor/partition-properties'
import { HvPrivilege } from '../../../core/hypervisor/privileges'
import { makeChild, makeHv, rootPages } from './helpers'

describe('partition management (TLFS ch. 5)', () => {
  it('needs pool pages in the caller to create (idea 41) and creates Uninitialized children with fresh ids (42)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    expect(root.HvCreatePartition().status).toBe(S.HV_STATUS_INSUFFICIENT_MEMORY)
    root.HvDepositMemory(hv.root.id, rootPages(2))
    const a = root.HvCreatePartition()
    expect(a.status).toBe(S.HV_STATUS_SUCCESS)
    expect(a.newPartitionId).not.toBe(0n)
    expect(hv.partition(a.newPartitionId)!.state).toBe(HvPartitionState.Uninitialized)
    expect(root.HvGetMemoryBalance(hv.root.id)).toMatchObject({ pagesAvailable: 1n, pagesInUse: 1n })
    expect(root.HvGetMemoryBalance(a.newPartitionId).pagesAvailable).toBe(0n)
    expect(root.HvDeletePartition(a.newPartitionId)).toBe(S.HV_STATUS_SUCCESS)
    const b = root.HvCreatePartition()
    expect(b.newPartitionId).not.toBe(a.newPartitionId) // idea 43: ids never reused
  })

  it('rejects creation flags and proximity reserved bits (idea 40)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    root.HvDepositMemory(hv.root.id, rootPages(1))
    expect(root.HvCreatePartition(1n).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvCreatePartition(0n, { id: 0, flags: 2 }).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvCreatePartition(0n, { id: 5, flags: 0x80000000 }).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
  })

  it('denies a child without CreatePartitions (39) and enforces the depth limit (44)', () => {
    const { hv } = makeHv()
    const c = makeChild(hv)
    const child = hv.partition(c)!
    expect(hv.wrapper(child).HvCreatePartition().status).toBe(S.HV_STATUS_ACCESS_DENIED)
    child.privileges |= 1n << BigInt(HvPrivilege.CreatePartitions)
    expect(hv.wrapper(child).HvCreatePartition().status).toBe(S.HV_STATUS_PARTITION_TOO_DEEP)
  })

  it('initializes only Uninitialized children of the caller with enough pool (45-47)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    root.HvDepositMemory(hv.root.id, rootPages(1))
    const id = root.HvCreatePartition().newPartitionId
    expect(root.HvInitializePartition(id)).toBe(S.HV_STATUS_INSUFFICIENT_MEMORY)
    root.HvDepositMemory(id, rootPages(4))
    expect(root.HvInitializePartition(id)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvInitializePartition(id)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    expect(root.HvInitializePartition(0n)).toBe(S.HV_STATUS_INVALID_PARTITION_ID)
    expect(hv.wrapper(hv.partition(id)!).HvInitializePartition(hv.root.id)).toBe(S.HV_STATUS_ACCESS_DENIED)
  })

  it('reads default properties of an Active child (48-50)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    root.HvDepositMemory(hv.root.id, rootPages(1))
    const id = root.HvCreatePartition().newPartitionId
    expect(root.HvGetPartitionProperty(id, P.HvPartitionPropertyCpuCap).status).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    root.HvDepositMemory(id, rootPages(4))
    root.HvInitializePartition(id)
    const get = (code: number) => root.HvGetPartitionProperty(id, code).value
    expect(get(P.HvPartitionPropertyCpuReserve)).toBe(0n)
    expect(get(P.HvPartitionPropertyCpuCap)).toBe(0x10000n)
    expect(get(P.HvPartitionPropertyCpuWeight)).toBe(0x64n)
    expect(get(P.HvPartitionPropertyPrivilegeFlags)).toBe(0x5ffn)
    expect(get(P.HvPartitionPropertyProcessorVendor)).toBe(1n)
    expect(root.HvGetPartitionProperty(id, 0x00020000).status).toBe(S.HV_STATUS_UNKNOWN_PROPERTY)
    expect(root.HvGetPartitionProperty(id, 0x00070000).status).toBe(S.HV_STATUS_UNKNOWN_PROPERTY)
  })

  it('validates property writes (51-55)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    const c1 = makeChild(hv)
    const c2 = makeChild(hv)
    expect(root.HvSetPartitionProperty(c1, P.HvPartitionPropertyProcessorVendor, 0n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvGetPartitionProperty(c1, P.HvPartitionPropertyProcessorVendor).value).toBe(1n)
    expect(root.HvSetPartitionProperty(c1, P.HvPartitionPropertyVirtualTlbPageCount, 0n)).toBe(S.HV_STATUS_SUCCESS)
    const min = root.HvGetPartitionProperty(c1, P.HvPartitionPropertyVirtualTlbPageCount).value
    root.HvSetPartitionProperty(c1, P.HvPartitionPropertyVirtualTlbPageCount, 1n << 40n)
    expect(root.HvGetPartitionProperty(c1, P.HvPartitionPropertyVirtualTlbPageCount).value).toBeGreaterThan(min)
    expect(root.HvSetPartitionProperty(c1, P.HvPartitionPropertyDebugChannelId, 7n)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvSetPartitionProperty(c2, P.HvPartitionPropertyDebugChannelId, 7n)).toBe(S.HV_STATUS_OBJECT_IN_USE)
    expect(root.HvSetPartitionProperty(c1, P.HvPartitionPropertyDebugChannelId, 0n)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvSetPartitionProperty(c2, P.HvPartitionPropertyDebugChannelId, 0n)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvSetPartitionProperty(c1, P.HvPartitionPropertyCpuReserve, 0xc000n)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvSetPartitionProperty(c2, P.HvPartitionPropertyCpuReserve, 0x8000n)).toBe(S.HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE)
    expect(root.HvSetPartitionProperty(c1, P.HvPartitionPropertyCpuCap, 0x4000n)).toBe(S.HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE)
    expect(root.HvGetPartitionProperty(hv.root.id, P.HvPartitionPropertyCpuCap).status).toBe(S.HV_STATUS_SUCCESS)
    expect(hv.wrapper(hv.partition(c1)!).HvGetPartitionProperty(c1, P.HvPartitionPropertyCpuCap).status).toBe(S.HV_STATUS_ACCESS_DENIED)
  })

  it('gives the partition id only with AccessPartitionId (56)', () => {
    const { hv } = makeHv()
    const c = makeChild(hv)
    expect(hv.wrapper(hv.partition(c)!).HvGetPartitionId().status).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(hv.wrapper().HvGetPartitionId()).toEqual({ status: S.HV_STATUS_SUCCESS, partitionId: hv.root.id })
  })

  it('enumerates children in creation order (57, 58)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    const [c1, c2, c3] = [makeChild(hv), makeChild(hv), makeChild(hv)]
    const next = (prev: bigint) => root.HvGetNextChildPartition(hv.root.id, prev)
    expect([next(0n).nextChildId, next(c1).nextChildId, next(c2).nextChildId, next(c3).nextChildId]).toEqual([c1, c2, c3, 0n])
    expect(next(hv.root.id).status).toBe(S.HV_STATUS_INVALID_PARTITION_ID)
    expect(hv.wrapper(hv.partition(c1)!).HvGetNextChildPartition(hv.root.id, 0n).status).toBe(S.HV_STATUS_ACCESS_DENIED)
  })

  it('finalizes, drains and deletes (59-66)', () => {
    const { hv } = makeHv()
    const root = hv.wrapper()
    const c = makeChild(hv, 16 * 4096, 8)
    expect(root.HvCreateVp(c, 0)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvDeletePartition(c)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    const before = root.HvGetMemoryBalance(c).pagesAvailable
    expect(root.HvFinalizePartition(c)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvCreateVp(c, 1)).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    expect(root.HvGetVpRegisters(c, 0, [0x00020000]).status).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    const after = root.HvGetMemoryBalance(c)
    expect(after.pagesAvailable).toBeGreaterThanOrEqual(before)
    expect(after.pagesAvailable).toBe(8n)
    expect(root.HvDeletePartition(c)).toBe(S.HV_STATUS_OPERATION_DENIED)
    const w = root.HvWithdrawMemory(c, 10)
    expect(w.status).toBe(S.HV_STATUS_NO_RESOURCES)
    expect(w.repsCompleted).toBe(8)
    const rootInUse = hv.root.pagesInUse
    expect(root.HvDeletePartition(c)).toBe(S.HV_STATUS_SUCCESS)
    expect(hv.root.pagesInUse).toBe(rootInUse - 1)
    expect(root.HvInitializePartition(c)).toBe(S.HV_STATUS_INVALID_PARTITION_ID)
  })

  it('passes through Finalizing when the continuation knob is on (67)', () => {
    const { hv } = makeHv({ finalizeContinues: true })
    const root = hv.wrapper()
    const c = makeChild(hv)
    const p = hv.partition(c)!
    // The wrapper follows the continuation to the end; the state went Finalizing → Finalized.
    expect(root.HvFinalizePartition(c)).toBe(S.HV_STATUS_SUCCESS)
    expect(p.state).toBe(HvPartitionState.Finalized)
  })
})
