/**
 * The wrapper interface (TLFS: "HvXxx" functions of each hypercall section): how the root
 * partition — the host app — makes hypercalls. Each function lays its arguments out as the
 * native input block, dispatches through the same table and handler a guest VMCALL would
 * reach (as partition `caller`), and decodes the output block. Lists longer than a rep count
 * can express (4095) are split into several calls.
 */
import type { HvStatus } from './hv-status'
import { HV_STATUS_SUCCESS } from './hv-status'
import { HvCall } from './hypercall-codes'
import type { Hypervisor } from './hypervisor'
import type { Partition } from './partition'
import type { RegValue } from './vp-registers'

export interface ProximityDomainInfo {
  id: number
  flags: number
}
const ANY_NODE: ProximityDomainInfo = { id: 0, flags: 0 }
const MAX_REPS = 0xfff

export class HvWrapper {
  constructor(
    private readonly hv: Hypervisor,
    readonly caller: Partition,
  ) {}

  private get in(): DataView {
    return this.hv.input()
  }
  private get out(): DataView {
    return this.hv.output()
  }
  private call(code: number, repCount = 0, fast = false) {
    return this.hv.callFromHost(this.caller, code, { repCount, fast })
  }
  private prox(off: number, p: ProximityDomainInfo): void {
    this.in.setUint32(off, p.id >>> 0, true)
    this.in.setUint32(off + 4, p.flags >>> 0, true)
  }
  private id(off: number, id: bigint): void {
    this.in.setBigUint64(off, BigInt.asUintN(64, id), true)
  }

  HvCreatePartition(flags = 0n, proximity = ANY_NODE): { status: HvStatus; newPartitionId: bigint } {
    this.id(0, flags)
    this.prox(8, proximity)
    const r = this.call(HvCall.HvCallCreatePartition)
    return { status: r.status, newPartitionId: r.status === HV_STATUS_SUCCESS ? this.out.getBigUint64(0, true) : 0n }
  }

  private simpleId(code: number, partitionId: bigint): HvStatus {
    this.id(0, partitionId)
    return this.call(code).status
  }
  HvInitializePartition(partitionId: bigint): HvStatus {
    return this.simpleId(HvCall.HvCallInitializePartition, partitionId)
  }
  HvFinalizePartition(partitionId: bigint): HvStatus {
    return this.simpleId(HvCall.HvCallFinalizePartition, partitionId)
  }
  HvDeletePartition(partitionId: bigint): HvStatus {
    return this.simpleId(HvCall.HvCallDeletePartition, partitionId)
  }

  HvGetPartitionProperty(partitionId: bigint, propertyCode: number): { status: HvStatus; value: bigint } {
    this.id(0, partitionId)
    this.in.setUint32(8, propertyCode >>> 0, true)
    this.in.setUint32(12, 0, true)
    const r = this.call(HvCall.HvCallGetPartitionProperty)
    return { status: r.status, value: r.status === HV_STATUS_SUCCESS ? this.out.getBigUint64(0, true) : 0n }
  }

  HvSetPartitionProperty(partitionId: bigint, propertyCode: number, value: bigint): HvStatus {
    this.id(0, partitionId)
    this.in.setUint32(8, propertyCode >>> 0, true)
    this.in.setUint32(12, 0, true)
    this.id(16, value)
    return this.call(HvCall.HvCallSetPartitionProperty).status
  }

  HvGetPartitionId(): { status: HvStatus; partitionId: bigint } {
    const r = this.call(HvCall.HvCallGetPartitionId)
    return { status: r.status, partitionId: r.status === HV_STATUS_SUCCESS ? this.out.getBigUint64(0, true) : 0n }
  }

  HvGetNextChildPartition(parentId: bigint, previousChildId: bigint): { status: HvStatus; nextChildId: bigint } {
    this.id(0, parentId)
    this.id(8, previousChildId)
    const r = this.call(HvCall.HvCallGetNextChildPartition)
    return { status: r.status, nextChildId: r.status === HV_STATUS_SUCCESS ? this.out.getBigUint64(0, true) : 0n }
  }

  /** Split a list of `n` elements into rep calls of at most 4095; `each(first, count)` fills one. */
  private reps(n: number, code: number, each: (first: number, count: number) => void): { status: HvStatus; repsCompleted: number } {
    let done = 0
    while (done < n || n === 0) {
      const count = Math.min(MAX_REPS, n - done)
      each(done, count)
      const r = this.call(code, count)
      done += r.repsCompleted
      if (r.status !== HV_STATUS_SUCCESS || n === 0) return { status: r.status, repsCompleted: done }
    }
    return { status: HV_STATUS_SUCCESS, repsCompleted: done }
  }

  HvDepositMemory(partitionId: bigint, gpaPages: ArrayLike<number>): { status: HvStatus; repsCompleted: number } {
    return this.reps(gpaPages.length, HvCall.HvCallDepositMemory, (first, count) => {
      this.id(0, partitionId)
      for (let i = 0; i < count; i++) this.in.setBigUint64(8 + 8 * i, BigInt(gpaPages[first + i]), true)
    })
  }

  HvWithdrawMemory(partitionId: bigint, count: number, proximity = ANY_NODE): { status: HvStatus; repsCompleted: number; gpaPages: number[] } {
    const gpaPages: number[] = []
    let status: HvStatus = HV_STATUS_SUCCESS
    while (gpaPages.length < count) {
      const n = Math.min(MAX_REPS, count - gpaPages.length)
      this.id(0, partitionId)
      this.prox(8, proximity)
      const r = this.call(HvCall.HvCallWithdrawMemory, n)
      for (let i = 0; i < r.repsCompleted; i++) gpaPages.push(Number(this.out.getBigUint64(8 * i, true)))
      status = r.status
      if (status !== HV_STATUS_SUCCESS) break
    }
    if (count === 0) status = this.call(HvCall.HvCallWithdrawMemory, 0).status
    return { status, repsCompleted: gpaPages.length, gpaPages }
  }

  HvGetMemoryBalance(partitionId: bigint, proximity = ANY_NODE): { status: HvStatus; pagesAvailable: bigint; pagesInUse: bigint } {
    this.id(0, partitionId)
    this.prox(8, proximity)
    const r = this.call(HvCall.HvCallGetMemoryBalance)
    const ok = r.status === HV_STATUS_SUCCESS
    return { status: r.status, pagesAvailable: ok ? this.out.getBigUint64(0, true) : 0n, pagesInUse: ok ? this.out.getBigUint64(8, true) : 0n }
  }

  HvMapGpaPages(partitionId: bigint, targetGpaBase: number, mapFlags: number, sourcePages: ArrayLike<number>): { status: HvStatus; repsCompleted: number } {
    return this.reps(sourcePages.length, HvCall.HvCallMapGpaPages, (first, count) => {
      this.id(0, partitionId)
      this.in.setBigUint64(8, BigInt(targetGpaBase + first), true)
      this.in.setUint32(16, mapFlags >>> 0, true)
      this.in.setUint32(20, 0, true)
      for (let i = 0; i < count; i++) this.in.setBigUint64(24 + 8 * i, BigInt(sourcePages[first + i]), true)
    })
  }

  HvMapSparseGpaPages(partitionId: bigint, mapFlags: number, mappings: ArrayLike<{ target: number; source: number }>): { status: HvStatus; repsCompleted: number } {
    return this.reps(mappings.length, HvCall.HvCallMapSparseGpaPages, (first, count) => {
      this.id(0, partitionId)
      this.in.setUint32(8, mapFlags >>> 0, true)
      this.in.setUint32(12, 0, true)
      for (let i = 0; i < count; i++) {
        this.in.setBigUint64(16 + 16 * i, BigInt(mappings[first + i].target), true)
        this.in.setBigUint64(24 + 16 * i, BigInt(mappings[first + i].source), true)
      }
    })
  }

  HvUnmapGpaPages(partitionId: bigint, targetGpaBase: number, count: number): { status: HvStatus; repsCompleted: number } {
    return this.reps(count, HvCall.HvCallUnmapGpaPages, (first) => {
      this.id(0, partitionId)
      this.in.setBigUint64(8, BigInt(targetGpaBase + first), true)
    })
  }

  HvInstallIntercept(partitionId: bigint, accessType: number, interceptType: number, interceptParameter: bigint): HvStatus {
    this.id(0, partitionId)
    this.in.setUint32(8, accessType >>> 0, true)
    this.in.setUint32(12, interceptType >>> 0, true)
    this.id(16, interceptParameter)
    return this.call(HvCall.HvCallInstallIntercept).status
  }

  HvCreateVp(partitionId: bigint, vpIndex: number, proximity = ANY_NODE, flags = 0n): HvStatus {
    this.id(0, partitionId)
    this.in.setUint32(8, vpIndex >>> 0, true)
    this.in.setUint32(12, 0, true)
    this.prox(16, proximity)
    this.id(24, flags)
    return this.call(HvCall.HvCallCreateVp).status
  }

  HvDeleteVp(partitionId: bigint, vpIndex: number): HvStatus {
    this.id(0, partitionId)
    this.in.setUint32(8, vpIndex >>> 0, true)
    this.in.setUint32(12, 0, true)
    return this.call(HvCall.HvCallDeleteVp).status
  }

  HvGetVpRegisters(partitionId: bigint, vpIndex: number, names: ArrayLike<number>): { status: HvStatus; repsCompleted: number; values: RegValue[] } {
    const values: RegValue[] = []
    const r = this.reps(names.length, HvCall.HvCallGetVpRegisters, (first, count) => {
      this.id(0, partitionId)
      this.in.setUint32(8, vpIndex >>> 0, true)
      this.in.setUint32(12, 0, true)
      for (let i = 0; i < count; i++) this.in.setUint32(16 + 4 * i, names[first + i] >>> 0, true)
    })
    // The last batch's output holds its elements; earlier batches were already complete (small lists in practice).
    const lastFirst = Math.max(0, Math.floor((names.length - 1) / MAX_REPS) * MAX_REPS)
    for (let i = 0; i < r.repsCompleted - lastFirst; i++) {
      values.push({ lo: this.out.getBigUint64(16 * i, true), hi: this.out.getBigUint64(16 * i + 8, true) })
    }
    return { status: r.status, repsCompleted: r.repsCompleted, values }
  }

  /** Convenience: read one register's low 64 bits (status-checked by the caller through `status`). */
  HvGetVpRegister(partitionId: bigint, vpIndex: number, name: number): { status: HvStatus; value: bigint; hi: bigint } {
    const r = this.HvGetVpRegisters(partitionId, vpIndex, [name])
    return { status: r.status, value: r.values[0]?.lo ?? 0n, hi: r.values[0]?.hi ?? 0n }
  }

  HvSetVpRegisters(partitionId: bigint, vpIndex: number, regs: ArrayLike<{ name: number; value: bigint | RegValue }>, reserved = 0): { status: HvStatus; repsCompleted: number } {
    return this.reps(regs.length, HvCall.HvCallSetVpRegisters, (first, count) => {
      this.id(0, partitionId)
      this.in.setUint32(8, vpIndex >>> 0, true)
      this.in.setUint32(12, reserved >>> 0, true)
      for (let i = 0; i < count; i++) {
        const { name, value } = regs[first + i]
        const v = typeof value === 'bigint' ? { lo: value, hi: 0n } : value
        const off = 16 + 32 * i
        this.in.setUint32(off, name >>> 0, true)
        this.in.setUint32(off + 4, 0, true)
        this.in.setBigUint64(off + 8, 0n, true)
        this.in.setBigUint64(off + 16, BigInt.asUintN(64, v.lo), true)
        this.in.setBigUint64(off + 24, BigInt.asUintN(64, v.hi), true)
      }
    })
  }

  HvTranslateVirtualAddress(partitionId: bigint, vpIndex: number, controlFlags: bigint, gvaPage: bigint): { status: HvStatus; resultCode: number; cacheType: number; overlayPage: boolean; gpaPage: bigint } {
    this.id(0, partitionId)
    this.in.setUint32(8, vpIndex >>> 0, true)
    this.in.setUint32(12, 0, true)
    this.id(16, controlFlags)
    this.id(24, gvaPage)
    const r = this.call(HvCall.HvCallTranslateVirtualAddress)
    const info = this.out.getUint32(4, true)
    return { status: r.status, resultCode: this.out.getUint32(0, true), cacheType: info & 0xff, overlayPage: (info & 0x100) !== 0, gpaPage: this.out.getBigUint64(8, true) }
  }

  HvReadGpa(partitionId: bigint, vpIndex: number, baseGpa: bigint, byteCount: number, controlFlags = 6n): { status: HvStatus; accessResult: number; data: Uint8Array } {
    this.id(0, partitionId)
    this.in.setUint32(8, vpIndex >>> 0, true)
    this.in.setUint32(12, byteCount >>> 0, true)
    this.id(16, baseGpa)
    this.id(24, controlFlags)
    const r = this.call(HvCall.HvCallReadGpa)
    const data = new Uint8Array(16)
    for (let i = 0; i < 16; i++) data[i] = this.out.getUint8(8 + i)
    return { status: r.status, accessResult: this.out.getUint32(0, true), data }
  }

  HvWriteGpa(partitionId: bigint, vpIndex: number, baseGpa: bigint, data: Uint8Array, controlFlags = 6n): { status: HvStatus; accessResult: number } {
    this.id(0, partitionId)
    this.in.setUint32(8, vpIndex >>> 0, true)
    this.in.setUint32(12, data.length >>> 0, true)
    this.id(16, baseGpa)
    this.id(24, controlFlags)
    for (let i = 0; i < 16; i++) this.in.setUint8(32 + i, i < data.length ? data[i] : 0)
    const r = this.call(HvCall.HvCallWriteGpa)
    return { status: r.status, accessResult: this.out.getUint32(0, true) }
  }

  HvGetLogicalProcessorRunTime(): { status: HvStatus; globalTime: bigint; localRunTime: bigint; groupRunTime: bigint; hypervisorTime: bigint } {
    const r = this.call(HvCall.HvCallGetLogicalProcessorRunTime)
    const o = this.out
    return { status: r.status, globalTime: o.getBigUint64(0, true), localRunTime: o.getBigUint64(8, true), groupRunTime: o.getBigUint64(16, true), hypervisorTime: o.getBigUint64(24, true) }
  }

  HvParkLogicalProcessors(processorMask: bigint): HvStatus {
    this.id(0, processorMask)
    return this.call(HvCall.HvCallParkLogicalProcessors).status
  }
}
