/**
 * What the hypervisor records about each dispatched hypercall (appendix J VPV hypercall
 * classes, PV GPA-space modifications, appendix I HV_TR_HC_HYPERCALL and the object-lifecycle
 * failures of the GlobalSystemEvents log). Called once per handler invocation from
 * hypercall-dispatch.ts; a table lookup and a few increments, no allocation unless event
 * logging is enabled.
 */
import { HvEventLogGroup as G, HvTraceEvent as E } from '../event-log/event-log-types'
import { HV_STATUS_SUCCESS, type HvStatus } from '../hv-status'
import { HvCall as C } from '../hypercall-codes'
import type { HypercallDef, HypercallFrame } from '../hypercall-frame'
import { HvStatistics } from './statistics'
import { VpCounter as V } from './stats-types'

/** VPV class counter slot per call code (Other Hypercalls by default). */
const CLASS = (() => {
  const t = new Uint8Array(0x100).fill(V.OtherHypercalls)
  const set = (slot: number, ...codes: number[]) => codes.forEach((c) => (t[c] = slot))
  set(V.GpaSpaceHypercalls, C.HvCallDepositMemory, C.HvCallWithdrawMemory, C.HvCallGetMemoryBalance, C.HvCallMapGpaPages,
    C.HvCallUnmapGpaPages, C.HvCallMapSparseGpaPages, C.HvCallReadGpa, C.HvCallWriteGpa)
  set(V.LogicalProcessorHypercalls, C.HvCallGetLogicalProcessorRunTime, C.HvCallParkLogicalProcessors)
  set(V.LongSpinWaitHypercalls, C.HvCallNotifyLongSpinWait)
  set(V.SyntheticInterruptHypercalls, C.HvCallPostMessage, C.HvCallSignalEvent)
  set(V.VirtualInterruptHypercalls, C.HvCallAssertVirtualInterrupt, C.HvCallClearVirtualInterrupt)
  set(V.VirtualMmuHypercalls, C.HvCallSwitchVirtualAddressSpace, C.HvCallFlushVirtualAddressSpace,
    C.HvCallFlushVirtualAddressList, C.HvCallTranslateVirtualAddress)
  set(V.VirtualProcessorHypercalls, C.HvCallCreateVp, C.HvCallDeleteVp, C.HvCallGetVpRegisters, C.HvCallSetVpRegisters)
  return t
})()

export function accountHypercall(def: HypercallDef, f: HypercallFrame, status: HvStatus): void {
  const hv = f.hv
  const code = def.code
  hv.stats.hypercallsByCode[code]++
  const reps = def.rep ? f.repsCompleted - f.repStart : 0
  const vp = f.callerVp
  if (vp) {
    const c = vp.counters
    c[CLASS[code]]++
    if (code === C.HvCallSwitchVirtualAddressSpace) c[V.AddressSpaceSwitches]++
    else if (code === C.HvCallFlushVirtualAddressSpace) {
      c[V.AddressSpaceFlushes]++
      hv.stats.countPartition(vp.partition, HvStatistics.PV_TLB_FLUSH_ENTRIES, 1)
      hv.eventLog.diag(G.AddressManagerGva, vp, E.HV_TR_AM_GVA_FLUSH_VIRTUAL_TLB, vp.partition.id)
    } else if (code === C.HvCallFlushVirtualAddressList) c[V.LocalFlushedGvaRanges] += reps
    if (hv.eventLog.diagLo !== 0) {
      const input = BigInt(code) | (f.fast ? 1n << 16n : 0n) | (BigInt(f.repCount) << 32n) | (BigInt(f.repStart) << 48n)
      hv.eventLog.diag(G.Hypercall, vp, E.HV_TR_HC_HYPERCALL, vp.cpu.getRip(), input)
    }
  }
  if (reps > 0 && (code === C.HvCallMapGpaPages || code === C.HvCallUnmapGpaPages || code === C.HvCallMapSparseGpaPages)) {
    const target = hv.partitions.get(f.input.getBigUint64(0, true))
    if (target) hv.stats.countPartition(target, HvStatistics.PV_GPA_MODIFICATIONS, reps)
  }
  // Successful lifecycle events are logged by the Hypervisor's object hooks; failures here.
  if (status !== HV_STATUS_SUCCESS && (hv.eventLog.system | hv.eventLog.diagLo) !== 0) {
    const id = f.input.getBigUint64(0, true)
    if (code === C.HvCallCreatePartition) hv.eventLog.lifecycle(E.HV_TR_OB_CREATE_PARTITION, 0n, null, status)
    else if (code === C.HvCallDeletePartition) hv.eventLog.lifecycle(E.HV_TR_OB_DELETE_PARTITION, id, null, status)
    else if (code === C.HvCallCreateVp) hv.eventLog.lifecycle(E.HV_TR_VP_CREATE_VP, id, f.input.getUint32(8, true), status)
    else if (code === C.HvCallDeleteVp) hv.eventLog.lifecycle(E.HV_TR_VP_DELETE_VP, id, f.input.getUint32(8, true), status)
  }
}
