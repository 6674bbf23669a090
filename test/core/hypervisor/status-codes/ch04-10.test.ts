/**
 * Status codes of the hypercalls of TLFS ch. 4-10 and HvMapSparseGpaPages: one case per
 * (hypercall, status) the spec's tables list, each provoking exactly that fault; the last
 * test proves every listed status has a case (spec-statuses.ts).
 */
import { describe, expect, it } from 'vitest'
import * as S from '../../../../core/hypervisor/hv-status'
import { HvPartitionProperty as P } from '../../../../core/hypervisor/partition-properties'
import { HvPrivilege } from '../../../../core/hypervisor/privileges'
import { HvRegister } from '../../../../core/hypervisor/register-names'
import { HV_X64_MSR_HYPERCALL } from '../../../../core/hypervisor/synthetic-msrs'
import { makeChild, rootPages } from '../helpers'
import { expectCoverage, UNKNOWN_ID, world, type StatusCase } from './fixture'
import type { HypercallName } from './spec-statuses'

const bit = (b: number): bigint => 1n << BigInt(b)

/** Depth-3 world: C may create partitions and deposit; C created G and deposited its page 10 into it. */
function nested() {
  const w = world({ maxPartitionDepth: 3 })
  const root = w.hv.wrapper()
  root.HvSetPartitionProperty(w.c.id, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn | bit(HvPrivilege.CreatePartitions) | bit(HvPrivilege.AccessMemoryPool))
  const cw = w.hv.wrapper(w.c)
  const g = cw.HvCreatePartition()
  expect(g.status).toBe(0)
  expect(cw.HvDepositMemory(g.newPartitionId, [10]).status).toBe(0)
  return { ...w, root, cw, g: g.newPartitionId }
}

const cases: StatusCase[] = []
function add(call: HypercallName, status: number, what: string, run: () => number): void {
  cases.push({ call, status, what, run })
}
const {
  HV_STATUS_ACCESS_DENIED: AD, HV_STATUS_INVALID_PARTITION_ID: PID, HV_STATUS_INVALID_PARTITION_STATE: PST,
  HV_STATUS_INVALID_PARAMETER: PAR, HV_STATUS_OPERATION_DENIED: OPD, HV_STATUS_INSUFFICIENT_MEMORY: MEM,
  HV_STATUS_NO_RESOURCES: RES, HV_STATUS_OBJECT_IN_USE: USE, HV_STATUS_INVALID_VP_INDEX: VPI,
  HV_STATUS_UNKNOWN_PROPERTY: UNK, HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE: RNG, HV_STATUS_PARTITION_TOO_DEEP: DEEP,
} = S

// ---- ch. 6: logical processors
add('HvGetLogicalProcessorRunTime', AD, 'caller lacks CpuPowerManagement', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvGetLogicalProcessorRunTime().status
})
add('HvParkLogicalProcessors', AD, 'caller lacks CpuPowerManagement', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvParkLogicalProcessors(1n)
})

// ---- ch. 5: partitions
add('HvCreatePartition', AD, 'caller lacks CreatePartitions', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvCreatePartition().status
})
add('HvCreatePartition', PAR, 'creation flags are reserved', () => {
  const w = world()
  w.hv.wrapper().HvDepositMemory(w.root.id, rootPages(1))
  return w.hv.wrapper().HvCreatePartition(1n).status
})
add('HvCreatePartition', PAR, 'proximity flag bit 1 is reserved', () => {
  const w = world()
  w.hv.wrapper().HvDepositMemory(w.root.id, rootPages(1))
  return w.hv.wrapper().HvCreatePartition(0n, { id: 0, flags: 2 }).status
})
add('HvCreatePartition', DEEP, 'a grandchild exceeds the default depth 2', () => {
  const w = world()
  w.hv.wrapper().HvSetPartitionProperty(w.c.id, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn | bit(HvPrivilege.CreatePartitions))
  return w.hv.wrapper(w.c).HvCreatePartition().status
})
add('HvCreatePartition', MEM, "the caller's pool is empty", () => world().hv.wrapper().HvCreatePartition().status)
add('HvCreatePartition', RES, 'maxPartitions reached', () => {
  const w = world({ limits: { maxPartitions: 4 } })
  w.hv.wrapper().HvDepositMemory(w.root.id, rootPages(1))
  return w.hv.wrapper().HvCreatePartition().status
})
add('HvInitializePartition', PID, 'unknown id', () => world().hv.wrapper().HvInitializePartition(UNKNOWN_ID))
add('HvInitializePartition', AD, 'caller is not the parent', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvInitializePartition(w.u.id)
})
add('HvInitializePartition', PST, 'target already Active', () => {
  const w = world()
  return w.hv.wrapper().HvInitializePartition(w.c.id)
})
add('HvInitializePartition', MEM, "target's pool is empty", () => {
  const w = world()
  return w.hv.wrapper().HvInitializePartition(w.u.id)
})
add('HvFinalizePartition', PID, 'unknown id', () => world().hv.wrapper().HvFinalizePartition(UNKNOWN_ID))
add('HvFinalizePartition', AD, 'caller is not the parent', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvFinalizePartition(w.u.id)
})
add('HvFinalizePartition', PST, 'target Uninitialized', () => {
  const w = world()
  return w.hv.wrapper().HvFinalizePartition(w.u.id)
})
add('HvFinalizePartition', OPD, 'target has a child', () => {
  const n = nested()
  return n.root.HvFinalizePartition(n.c.id)
})
add('HvDeletePartition', PID, 'unknown id', () => world().hv.wrapper().HvDeletePartition(UNKNOWN_ID))
add('HvDeletePartition', AD, 'caller is not the parent', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvDeletePartition(w.u.id)
})
add('HvDeletePartition', PST, 'target Active', () => {
  const w = world()
  return w.hv.wrapper().HvDeletePartition(w.c.id)
})
add('HvDeletePartition', OPD, "target's pool still holds pages", () => {
  const w = world()
  w.hv.wrapper().HvDepositMemory(w.u.id, rootPages(1))
  return w.hv.wrapper().HvDeletePartition(w.u.id)
})
add('HvGetPartitionProperty', PID, 'unknown id', () => world().hv.wrapper().HvGetPartitionProperty(UNKNOWN_ID, P.HvPartitionPropertyCpuCap).status)
add('HvGetPartitionProperty', AD, 'a child naming itself', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvGetPartitionProperty(w.c.id, P.HvPartitionPropertyCpuCap).status
})
add('HvGetPartitionProperty', PST, 'target Uninitialized', () => {
  const w = world()
  return w.hv.wrapper().HvGetPartitionProperty(w.u.id, P.HvPartitionPropertyCpuCap).status
})
add('HvGetPartitionProperty', UNK, 'unknown property code', () => {
  const w = world()
  return w.hv.wrapper().HvGetPartitionProperty(w.c.id, 0x00070000).status
})
add('HvSetPartitionProperty', PID, 'unknown id', () => world().hv.wrapper().HvSetPartitionProperty(UNKNOWN_ID, P.HvPartitionPropertyCpuWeight, 5n))
add('HvSetPartitionProperty', AD, 'a child naming itself', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvSetPartitionProperty(w.c.id, P.HvPartitionPropertyCpuWeight, 5n)
})
add('HvSetPartitionProperty', PST, 'target Finalized', () => {
  const w = world()
  return w.hv.wrapper().HvSetPartitionProperty(w.f.id, P.HvPartitionPropertyCpuWeight, 5n)
})
add('HvSetPartitionProperty', UNK, 'unknown property code', () => {
  const w = world()
  return w.hv.wrapper().HvSetPartitionProperty(w.c.id, 0x00070000, 0n)
})
add('HvSetPartitionProperty', PAR, 'ProcessorVendor is read-only', () => {
  const w = world()
  return w.hv.wrapper().HvSetPartitionProperty(w.c.id, P.HvPartitionPropertyProcessorVendor, 0n)
})
add('HvSetPartitionProperty', RNG, 'CpuWeight 0 breaks the 1..10000 invariant', () => {
  const w = world()
  return w.hv.wrapper().HvSetPartitionProperty(w.c.id, P.HvPartitionPropertyCpuWeight, 0n)
})
add('HvSetPartitionProperty', RNG, 'CpuPowerManagement is reserved for the root', () => {
  const w = world()
  return w.hv.wrapper().HvSetPartitionProperty(w.c.id, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn | bit(HvPrivilege.CpuPowerManagement))
})
add('HvSetPartitionProperty', USE, 'DebugChannelId already used by the root', () => {
  const w = world()
  const root = w.hv.wrapper()
  expect(root.HvSetPartitionProperty(w.root.id, P.HvPartitionPropertyDebugChannelId, 5n)).toBe(0)
  return root.HvSetPartitionProperty(w.c.id, P.HvPartitionPropertyDebugChannelId, 5n)
})
add('HvSetPartitionProperty', MEM, 'raising VirtualTlbPageCount beyond the pool', () => {
  const w = world({ costs: { virtualTlbPage: 1 } })
  return w.hv.wrapper().HvSetPartitionProperty(w.c.id, P.HvPartitionPropertyVirtualTlbPageCount, 4096n)
})
add('HvGetPartitionId', AD, 'caller lacks AccessPartitionId', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvGetPartitionId().status
})
add('HvGetNextChildPartition', PID, 'unknown ParentId', () => world().hv.wrapper().HvGetNextChildPartition(UNKNOWN_ID, 0n).status)
add('HvGetNextChildPartition', PID, 'PreviousChildId is not a child', () => {
  const w = world()
  return w.hv.wrapper().HvGetNextChildPartition(w.root.id, UNKNOWN_ID).status
})
add('HvGetNextChildPartition', AD, "enumerating another partition's children", () => {
  const w = world()
  return w.hv.wrapper().HvGetNextChildPartition(w.c.id, 0n).status
})

// ---- ch. 7: memory pools
add('HvDepositMemory', PID, 'unknown id', () => world().hv.wrapper().HvDepositMemory(UNKNOWN_ID, rootPages(1)).status)
add('HvDepositMemory', AD, 'caller lacks AccessMemoryPool', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvDepositMemory(w.u.id, [3]).status
})
add('HvDepositMemory', PST, 'target Finalized', () => {
  const w = world()
  return w.hv.wrapper().HvDepositMemory(w.f.id, rootPages(1)).status
})
add('HvDepositMemory', OPD, 'page already in a pool (per element: reps completed = 1)', () => {
  const w = world()
  const [a, b] = rootPages(2)
  expect(w.hv.wrapper().HvDepositMemory(w.u.id, [a]).status).toBe(0)
  const r = w.hv.wrapper().HvDepositMemory(w.u.id, [b, a])
  expect(r.repsCompleted).toBe(1)
  return r.status
})
add('HvDepositMemory', USE, "the caller's hypercall overlay page", () => {
  const n = nested()
  const vp = n.c.vp(0)!
  n.c.guestOsId = 1n
  n.hv.msrs.get(HV_X64_MSR_HYPERCALL)!.write(vp, (12n << 12n) | 1n)
  return n.cw.HvDepositMemory(n.g, [12]).status
})
add('HvWithdrawMemory', PID, 'unknown id', () => world().hv.wrapper().HvWithdrawMemory(UNKNOWN_ID, 1).status)
add('HvWithdrawMemory', AD, 'caller lacks AccessMemoryPool', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvWithdrawMemory(w.u.id, 1).status
})
add('HvWithdrawMemory', PAR, 'invalid proximity domain', () => {
  const w = world()
  return w.hv.wrapper().HvWithdrawMemory(w.c.id, 1, { id: 3, flags: 0x80000000 }).status
})
add('HvWithdrawMemory', RES, 'no unused page left', () => {
  const w = world()
  return w.hv.wrapper().HvWithdrawMemory(w.u.id, 1).status
})
add('HvGetMemoryBalance', PID, 'unknown id', () => world().hv.wrapper().HvGetMemoryBalance(UNKNOWN_ID).status)
add('HvGetMemoryBalance', AD, 'caller lacks AccessMemoryPool', () => {
  const w = world()
  return w.hv.wrapper(w.c).HvGetMemoryBalance(w.u.id).status
})
add('HvGetMemoryBalance', PAR, 'invalid proximity flags', () => {
  const w = world()
  return w.hv.wrapper().HvGetMemoryBalance(w.c.id, { id: 0, flags: 4 }).status
})

// ---- ch. 8: GPA mapping (dense and sparse)
for (const sparse of [false, true]) {
  const name: HypercallName = sparse ? 'HvMapSparseGpaPages' : 'HvMapGpaPages'
  const map = (w: ReturnType<typeof world>, caller: 'root' | 'c', target: bigint, page: number, flags: number, src: number) => {
    const wr = caller === 'root' ? w.hv.wrapper() : w.hv.wrapper(w.c)
    return sparse ? wr.HvMapSparseGpaPages(target, flags, [{ target: page, source: src }]).status : wr.HvMapGpaPages(target, page, flags, [src]).status
  }
  add(name, PID, 'unknown id', () => { const w = world(); return map(w, 'root', UNKNOWN_ID, 0, 1, rootPages(1)[0]) })
  add(name, AD, 'caller is not the parent', () => { const w = world(); return map(w, 'c', w.f.id, 0, 1, 1) })
  add(name, AD, 'root naming itself with target ≠ source', () => { const w = world(); const [a] = rootPages(2); return map(w, 'root', w.root.id, a + 1, 1, a) })
  add(name, PST, 'target Uninitialized', () => { const w = world(); return map(w, 'root', w.u.id, 0, 1, rootPages(1)[0]) })
  add(name, PAR, 'W without R', () => { const w = world(); return map(w, 'root', w.c.id, 0, 2, rootPages(1)[0]) })
  add(name, PAR, 'target page beyond the GPA space', () => { const w = world(); return map(w, 'root', w.c.id, 64, 1, rootPages(1)[0]) })
  add(name, OPD, 'source page sits in a pool', () => {
    const w = world()
    const [a] = rootPages(1)
    w.hv.wrapper().HvDepositMemory(w.u.id, [a])
    return map(w, 'root', w.c.id, 0, 1, a)
  })
  add(name, MEM, "a new 2 MiB region's page table exceeds the target's pool", () => {
    const { hv } = world({ costs: { gpaPageTable: 1 } })
    const id = makeChild(hv, 1024 * 4096, 5) // initialize takes 4 of the 5 pages
    const wr = hv.wrapper()
    expect(wr.HvMapGpaPages(id, 0, 7, rootPages(1)).status).toBe(0) // region 0 takes the last page
    expect(wr.HvMapGpaPages(id, 1, 7, rootPages(1)).status).toBe(0) // same region: free
    return sparse ? wr.HvMapSparseGpaPages(id, 7, [{ target: 600, source: rootPages(1)[0] }]).status : wr.HvMapGpaPages(id, 600, 7, rootPages(1)).status
  })
  add(name, USE, 'superseded page sits in a pool', () => { const n = nested(); return map({ hv: n.hv, root: n.hv.root, c: n.c, u: n.u, f: n.f }, 'root', n.c.id, 10, 7, rootPages(1)[0]) })
}
add('HvUnmapGpaPages', PID, 'unknown id', () => world().hv.wrapper().HvUnmapGpaPages(UNKNOWN_ID, 0, 1).status)
add('HvUnmapGpaPages', AD, 'the root naming itself', () => { const w = world(); return w.hv.wrapper().HvUnmapGpaPages(w.root.id, rootPages(1)[0], 1).status })
add('HvUnmapGpaPages', PST, 'target Uninitialized', () => { const w = world(); return w.hv.wrapper().HvUnmapGpaPages(w.u.id, 0, 1).status })
add('HvUnmapGpaPages', PAR, 'range beyond the GPA space', () => { const w = world(); return w.hv.wrapper().HvUnmapGpaPages(w.c.id, 63, 2).status })
add('HvUnmapGpaPages', USE, 'page sits in a pool', () => { const n = nested(); return n.root.HvUnmapGpaPages(n.c.id, 9, 3).status })

// ---- ch. 9: intercepts
add('HvInstallIntercept', PID, 'unknown id', () => world().hv.wrapper().HvInstallIntercept(UNKNOWN_ID, 1, 0, 0x60n))
add('HvInstallIntercept', AD, 'caller is not the parent', () => { const w = world(); return w.hv.wrapper(w.c).HvInstallIntercept(w.c.id, 1, 0, 0x60n) })
add('HvInstallIntercept', PST, 'target Uninitialized', () => { const w = world(); return w.hv.wrapper().HvInstallIntercept(w.u.id, 1, 0, 0x60n) })
add('HvInstallIntercept', PAR, 'intercept type 4', () => { const w = world(); return w.hv.wrapper().HvInstallIntercept(w.c.id, 4, 4, 0n) })
add('HvInstallIntercept', PAR, 'EXECUTE on an I/O port', () => { const w = world(); return w.hv.wrapper().HvInstallIntercept(w.c.id, 4, 0, 0x60n) })
add('HvInstallIntercept', MEM, 'a CPUID intercept with an exhausted pool (an I/O one still succeeds)', () => {
  const { hv } = world()
  const id = makeChild(hv, 16 * 4096, 4)
  expect(hv.wrapper().HvInstallIntercept(id, 3, 0, 0x60n)).toBe(0)
  return hv.wrapper().HvInstallIntercept(id, 4, 2, 0x40000000n)
})

// ---- ch. 10: virtual processors
add('HvCreateVp', PID, 'unknown id', () => world().hv.wrapper().HvCreateVp(UNKNOWN_ID, 1))
add('HvCreateVp', AD, 'caller is not the parent', () => { const w = world(); return w.hv.wrapper(w.c).HvCreateVp(w.c.id, 1) })
add('HvCreateVp', PST, 'target Uninitialized', () => { const w = world(); return w.hv.wrapper().HvCreateVp(w.u.id, 0) })
add('HvCreateVp', PAR, 'Flags ≠ 0', () => { const w = world(); return w.hv.wrapper().HvCreateVp(w.c.id, 1, undefined, 1n) })
add('HvCreateVp', PAR, 'invalid proximity domain', () => { const w = world(); return w.hv.wrapper().HvCreateVp(w.c.id, 1, { id: 9, flags: 0x80000000 }) })
add('HvCreateVp', VPI, 'index already exists', () => { const w = world(); return w.hv.wrapper().HvCreateVp(w.c.id, 0) })
add('HvCreateVp', VPI, 'index ≥ the implementation maximum', () => { const w = world(); return w.hv.wrapper().HvCreateVp(w.c.id, 64) })
add('HvCreateVp', OPD, 'per-VP reserve would exceed 100%', () => {
  const w = world()
  expect(w.hv.wrapper().HvSetPartitionProperty(w.c.id, P.HvPartitionPropertyCpuReserve, 0x10000n)).toBe(0)
  return w.hv.wrapper().HvCreateVp(w.c.id, 1)
})
add('HvCreateVp', MEM, "target's pool is exhausted", () => {
  const { hv } = world()
  return hv.wrapper().HvCreateVp(makeChild(hv, 16 * 4096, 4), 0)
})
add('HvCreateVp', RES, 'maxTotalVps reached', () => {
  const w = world({ limits: { maxTotalVps: 1 } })
  return w.hv.wrapper().HvCreateVp(w.c.id, 1)
})
add('HvDeleteVp', PID, 'unknown id', () => world().hv.wrapper().HvDeleteVp(UNKNOWN_ID, 0))
add('HvDeleteVp', AD, 'caller is not the parent', () => { const w = world(); return w.hv.wrapper(w.c).HvDeleteVp(w.c.id, 0) })
add('HvDeleteVp', PST, 'target Finalized', () => { const w = world(); return w.hv.wrapper().HvDeleteVp(w.f.id, 0) })
add('HvDeleteVp', VPI, 'no such VP', () => { const w = world(); return w.hv.wrapper().HvDeleteVp(w.c.id, 5) })
add('HvGetVpRegisters', PID, 'unknown id', () => world().hv.wrapper().HvGetVpRegisters(UNKNOWN_ID, 0, [HvRegister.HvX64RegisterRip]).status)
add('HvGetVpRegisters', AD, 'caller is neither parent nor self', () => { const w = world(); return w.hv.wrapper(w.c).HvGetVpRegisters(w.u.id, 0, [HvRegister.HvX64RegisterRip]).status })
add('HvGetVpRegisters', PST, 'target Uninitialized', () => { const w = world(); return w.hv.wrapper().HvGetVpRegisters(w.u.id, 0, [HvRegister.HvX64RegisterRip]).status })
add('HvGetVpRegisters', VPI, 'no such VP', () => { const w = world(); return w.hv.wrapper().HvGetVpRegisters(w.c.id, 2, [HvRegister.HvX64RegisterRip]).status })
add('HvGetVpRegisters', PAR, 'unknown register name (element 1: reps completed = 1)', () => {
  const w = world()
  const r = w.hv.wrapper().HvGetVpRegisters(w.c.id, 0, [HvRegister.HvX64RegisterRip, 0x7fff0000])
  expect(r.repsCompleted).toBe(1)
  return r.status
})
add('HvGetVpRegisters', PAR, 'a partition reading its own suspend register', () => { const w = world(); return w.hv.wrapper(w.c).HvGetVpRegisters(w.c.id, 0, [HvRegister.HvRegisterExplicitSuspend]).status })
add('HvSetVpRegisters', PID, 'unknown id', () => world().hv.wrapper().HvSetVpRegisters(UNKNOWN_ID, 0, [{ name: HvRegister.HvX64RegisterRip, value: 0n }]).status)
add('HvSetVpRegisters', AD, 'a partition naming itself', () => { const w = world(); return w.hv.wrapper(w.c).HvSetVpRegisters(w.c.id, 0, [{ name: HvRegister.HvX64RegisterRip, value: 0n }]).status })
add('HvSetVpRegisters', PST, 'target Uninitialized', () => { const w = world(); return w.hv.wrapper().HvSetVpRegisters(w.u.id, 0, [{ name: HvRegister.HvX64RegisterRip, value: 0n }]).status })
add('HvSetVpRegisters', VPI, 'no such VP', () => { const w = world(); return w.hv.wrapper().HvSetVpRegisters(w.c.id, 1, [{ name: HvRegister.HvX64RegisterRip, value: 0n }]).status })
add('HvSetVpRegisters', PAR, 'read-only VpIndex', () => { const w = world(); return w.hv.wrapper().HvSetVpRegisters(w.c.id, 0, [{ name: HvRegister.HvRegisterVpIndex, value: 0n }]).status })
add('HvSetVpRegisters', PAR, 'RsvdZ header word', () => { const w = world(); return w.hv.wrapper().HvSetVpRegisters(w.c.id, 0, [{ name: HvRegister.HvX64RegisterRip, value: 0n }], 1).status })

const NAMES: HypercallName[] = [
  'HvGetLogicalProcessorRunTime', 'HvNotifyLongSpinWait', 'HvParkLogicalProcessors', 'HvCreatePartition', 'HvInitializePartition',
  'HvFinalizePartition', 'HvDeletePartition', 'HvGetPartitionProperty', 'HvSetPartitionProperty', 'HvGetPartitionId',
  'HvGetNextChildPartition', 'HvDepositMemory', 'HvWithdrawMemory', 'HvGetMemoryBalance', 'HvMapGpaPages', 'HvUnmapGpaPages',
  'HvInstallIntercept', 'HvCreateVp', 'HvDeleteVp', 'HvGetVpRegisters', 'HvSetVpRegisters', 'HvMapSparseGpaPages',
]

describe('status codes of the ch. 4-10 hypercalls (one fault per case)', () => {
  it.each(cases.map((c) => [`${c.call} → ${S.hvStatusName(c.status)}: ${c.what}`, c] as const))('%s', (_n, c) => {
    expect(S.hvStatusName(c.run())).toBe(S.hvStatusName(c.status))
  })
  it('provokes every status code the spec lists for each of these calls', () => expectCoverage(cases, NAMES))
})

describe('configurable pool costs behind the INSUFFICIENT_MEMORY cases', () => {
  it('charges one page table per newly mapped 2 MiB region and a VirtualTlbPageCount rise page by page', () => {
    const { hv } = world({ costs: { gpaPageTable: 1, virtualTlbPage: 1 } })
    const id = makeChild(hv, 1024 * 4096, 16)
    const w = hv.wrapper()
    const inUse = () => w.HvGetMemoryBalance(id).pagesInUse
    expect(inUse()).toBe(4n)
    w.HvMapGpaPages(id, 0, 7, rootPages(3))
    expect(inUse()).toBe(5n)
    w.HvMapGpaPages(id, 512, 7, rootPages(1))
    expect(inUse()).toBe(6n)
    expect(w.HvSetPartitionProperty(id, P.HvPartitionPropertyVirtualTlbPageCount, 66n)).toBe(0)
    expect(inUse()).toBe(8n)
    expect(w.HvSetPartitionProperty(id, P.HvPartitionPropertyVirtualTlbPageCount, 64n)).toBe(0)
    expect(inUse()).toBe(6n)
  })
})
