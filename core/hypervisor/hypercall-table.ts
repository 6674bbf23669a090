/**
 * The one declarative table of every hypercall code of TLFS appendix B: class (simple/rep),
 * fast-capability, input/output block sizes and handler. Dispatch (both the native ABI and
 * the wrapper interface) reads only this table. Rows without a handler belong to chapters
 * not written yet and answer HV_STATUS_INVALID_HYPERCALL_CODE until they are.
 */
import { HvCreatePartition, HvDeletePartition, HvFinalizePartition, HvGetNextChildPartition, HvGetPartitionId,
  HvGetPartitionProperty, HvInitializePartition, HvSetPartitionProperty } from './calls/partition-calls'
import { HvDepositMemory, HvGetMemoryBalance, HvWithdrawMemory } from './calls/memory-pool-calls'
import { HvMapGpaPages, HvMapSparseGpaPages, HvUnmapGpaPages } from './calls/gpa-calls'
import { HvInstallIntercept } from './calls/intercept-calls'
import { HvCreateVp, HvDeleteVp, HvGetVpRegisters, HvSetVpRegisters } from './calls/vp-calls'
import { HvGetLogicalProcessorRunTime, HvNotifyLongSpinWait, HvParkLogicalProcessors } from './calls/lp-calls'
import { HvFlushVirtualAddressList, HvFlushVirtualAddressSpace, HvReadGpa, HvSwitchVirtualAddressSpace,
  HvTranslateVirtualAddress, HvWriteGpa } from './calls/mmu-calls'
import { HvSavePartitionState, HvRestorePartitionState } from './save-restore/save-restore-calls'
import { HvCall as C } from './hypercall-codes'
import type { HypercallDef, HypercallHandler } from './hypercall-frame'

function simple(code: number, name: string, input: number, output: number, handler?: HypercallHandler, fast = false): HypercallDef {
  return { code, name, rep: false, fast, inputHeader: input, inputElement: 0, outputHeader: output, outputElement: 0, handler }
}
function rep(code: number, name: string, header: number, inElem: number, outElem: number, handler?: HypercallHandler): HypercallDef {
  return { code, name, rep: true, fast: false, inputHeader: header, inputElement: inElem, outputHeader: 0, outputElement: outElem, handler }
}

export const HYPERCALL_TABLE: readonly HypercallDef[] = [
  simple(C.HvCallSwitchVirtualAddressSpace, 'HvSwitchVirtualAddressSpace', 8, 0, HvSwitchVirtualAddressSpace, true),
  simple(C.HvCallFlushVirtualAddressSpace, 'HvFlushVirtualAddressSpace', 24, 0, HvFlushVirtualAddressSpace),
  rep(C.HvCallFlushVirtualAddressList, 'HvFlushVirtualAddressList', 24, 8, 0, HvFlushVirtualAddressList),
  simple(C.HvCallGetLogicalProcessorRunTime, 'HvGetLogicalProcessorRunTime', 0, 32, HvGetLogicalProcessorRunTime),
  simple(C.HvCallNotifyLongSpinWait, 'HvNotifyLongSpinWait', 8, 0, HvNotifyLongSpinWait, true),
  simple(C.HvCallParkLogicalProcessors, 'HvParkLogicalProcessors', 8, 0, HvParkLogicalProcessors, true),
  simple(C.HvCallCreatePartition, 'HvCreatePartition', 16, 8, HvCreatePartition),
  simple(C.HvCallInitializePartition, 'HvInitializePartition', 8, 0, HvInitializePartition, true),
  simple(C.HvCallFinalizePartition, 'HvFinalizePartition', 8, 0, HvFinalizePartition, true),
  simple(C.HvCallDeletePartition, 'HvDeletePartition', 8, 0, HvDeletePartition, true),
  simple(C.HvCallGetPartitionProperty, 'HvGetPartitionProperty', 16, 8, HvGetPartitionProperty),
  simple(C.HvCallSetPartitionProperty, 'HvSetPartitionProperty', 24, 0, HvSetPartitionProperty),
  simple(C.HvCallGetPartitionId, 'HvGetPartitionId', 0, 8, HvGetPartitionId),
  simple(C.HvCallGetNextChildPartition, 'HvGetNextChildPartition', 16, 8, HvGetNextChildPartition),
  rep(C.HvCallDepositMemory, 'HvDepositMemory', 8, 8, 0, HvDepositMemory),
  rep(C.HvCallWithdrawMemory, 'HvWithdrawMemory', 16, 0, 8, HvWithdrawMemory),
  simple(C.HvCallGetMemoryBalance, 'HvGetMemoryBalance', 16, 16, HvGetMemoryBalance),
  rep(C.HvCallMapGpaPages, 'HvMapGpaPages', 24, 8, 0, HvMapGpaPages),
  rep(C.HvCallUnmapGpaPages, 'HvUnmapGpaPages', 16, 0, 0, HvUnmapGpaPages),
  simple(C.HvCallInstallIntercept, 'HvInstallIntercept', 24, 0, HvInstallIntercept),
  simple(C.HvCallCreateVp, 'HvCreateVp', 32, 0, HvCreateVp),
  simple(C.HvCallDeleteVp, 'HvDeleteVp', 16, 0, HvDeleteVp, true),
  rep(C.HvCallGetVpRegisters, 'HvGetVpRegisters', 16, 4, 16, HvGetVpRegisters),
  rep(C.HvCallSetVpRegisters, 'HvSetVpRegisters', 16, 32, 0, HvSetVpRegisters),
  simple(C.HvCallTranslateVirtualAddress, 'HvTranslateVirtualAddress', 32, 16, HvTranslateVirtualAddress),
  simple(C.HvCallReadGpa, 'HvReadGpa', 32, 24, HvReadGpa),
  simple(C.HvCallWriteGpa, 'HvWriteGpa', 48, 8, HvWriteGpa),
  simple(C.HvCallAssertVirtualInterrupt, 'HvAssertVirtualInterrupt', 32, 0),
  simple(C.HvCallClearVirtualInterrupt, 'HvClearVirtualInterrupt', 8, 0, undefined, true),
  simple(C.HvCallCreatePort, 'HvCreatePort', 48, 0),
  simple(C.HvCallDeletePort, 'HvDeletePort', 16, 0),
  simple(C.HvCallConnectPort, 'HvConnectPort', 48, 0),
  simple(C.HvCallGetPortProperty, 'HvGetPortProperty', 24, 8),
  simple(C.HvCallDisconnectPort, 'HvDisconnectPort', 16, 0, undefined, true),
  simple(C.HvCallPostMessage, 'HvPostMessage', 256, 0),
  simple(C.HvCallSignalEvent, 'HvSignalEvent', 8, 0, undefined, true),
  simple(C.HvCallSavePartitionState, 'HvSavePartitionState', 16, 8 + 4080, HvSavePartitionState),
  simple(C.HvCallRestorePartitionState, 'HvRestorePartitionState', 16 + 4080, 8, HvRestorePartitionState),
  simple(C.HvCallInitializeEventLogBufferGroup, 'HvInitializeEventLogBufferGroup', 16, 0),
  simple(C.HvCallFinalizeEventLogBufferGroup, 'HvFinalizeEventLogBufferGroup', 8, 0),
  simple(C.HvCallCreateEventLogBuffer, 'HvCreateEventLogBuffer', 16, 0),
  simple(C.HvCallDeleteEventLogBuffer, 'HvDeleteEventLogBuffer', 8, 0),
  rep(C.HvCallMapEventLogBuffer, 'HvMapEventLogBuffer', 8, 0, 8),
  simple(C.HvCallUnmapEventLogBuffer, 'HvUnmapEventLogBuffer', 8, 0),
  simple(C.HvCallSetEventLogGroupSources, 'HvSetEventLogGroupSources', 16, 0),
  simple(C.HvCallReleaseEventLogBuffer, 'HvReleaseEventLogBuffer', 8, 0),
  simple(C.HvCallFlushEventLogBuffer, 'HvFlushEventLogBuffer', 8, 0),
  simple(C.HvCallPostDebugData, 'HvPostDebugData', 16, 8),
  simple(C.HvCallRetrieveDebugData, 'HvRetrieveDebugData', 16, 16),
  simple(C.HvCallResetDebugSession, 'HvResetDebugSession', 8, 0),
  simple(C.HvCallMapStatsPage, 'HvMapStatsPage', 16, 8),
  simple(C.HvCallUnmapStatsPage, 'HvUnmapStatsPage', 16, 0),
  rep(C.HvCallMapSparseGpaPages, 'HvMapSparseGpaPages', 16, 16, 0, HvMapSparseGpaPages),
  simple(C.HvCallSetSystemProperty, 'HvSetSystemProperty', 16, 0),
  simple(C.HvCallSetPortProperty, 'HvSetPortProperty', 32, 8),
]

/** Lookup by call code (dense array; undefined for codes appendix B does not define). */
export const HYPERCALLS_BY_CODE: ReadonlyArray<HypercallDef | undefined> = (() => {
  const a: Array<HypercallDef | undefined> = new Array(0x100).fill(undefined)
  for (const d of HYPERCALL_TABLE) a[d.code] = d
  return a
})()
