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
import { HvGetLogicalProcessorRunTime, HvParkLogicalProcessors } from './calls/lp-calls'
import { HvFlushVirtualAddressList, HvFlushVirtualAddressSpace, HvReadGpa, HvSwitchVirtualAddressSpace,
  HvTranslateVirtualAddress, HvWriteGpa } from './calls/mmu-calls'
import { HvSavePartitionState, HvRestorePartitionState } from './save-restore/save-restore-calls'
import { HvCall as C } from './hypercall-codes'
import { HvCreateEventLogBuffer, HvDeleteEventLogBuffer, HvFinalizeEventLogBufferGroup, HvFlushEventLogBuffer,
  HvInitializeEventLogBufferGroup, HvMapEventLogBuffer, HvReleaseEventLogBuffer, HvSetEventLogGroupSources,
  HvUnmapEventLogBuffer } from './event-log/event-log-calls'
import { HvPostDebugData, HvResetDebugSession, HvRetrieveDebugData } from './debug/debug-calls'
import { HvNotifyLongSpinWait } from './scheduler/partition-policy'
import { HvMapStatsPage, HvUnmapStatsPage } from './stats/stats-calls'
import { HvCallGetSystemProperty, HvGetSystemProperty, HvSetSystemProperty } from './system/system-properties'
import type { HypercallDef, HypercallHandler } from './hypercall-frame'
import { HvAssertVirtualInterrupt, HvClearVirtualInterrupt } from './apic/virtual-interrupt-calls'
import { HvConnectPort, HvCreatePort, HvDeletePort, HvDisconnectPort, HvGetPortProperty, HvPostMessage, HvSetPortProperty,
  HvSignalEvent } from './ports/port-calls'

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
  simple(C.HvCallAssertVirtualInterrupt, 'HvAssertVirtualInterrupt', 32, 0, HvAssertVirtualInterrupt),
  simple(C.HvCallClearVirtualInterrupt, 'HvClearVirtualInterrupt', 8, 0, HvClearVirtualInterrupt, true),
  simple(C.HvCallCreatePort, 'HvCreatePort', 48, 0, HvCreatePort),
  simple(C.HvCallDeletePort, 'HvDeletePort', 16, 0, HvDeletePort),
  simple(C.HvCallConnectPort, 'HvConnectPort', 48, 0, HvConnectPort),
  simple(C.HvCallGetPortProperty, 'HvGetPortProperty', 24, 8, HvGetPortProperty),
  simple(C.HvCallDisconnectPort, 'HvDisconnectPort', 16, 0, HvDisconnectPort, true),
  simple(C.HvCallPostMessage, 'HvPostMessage', 256, 0, HvPostMessage),
  simple(C.HvCallSignalEvent, 'HvSignalEvent', 8, 0, HvSignalEvent, true),
  simple(C.HvCallSavePartitionState, 'HvSavePartitionState', 16, 8 + 4080, HvSavePartitionState),
  simple(C.HvCallRestorePartitionState, 'HvRestorePartitionState', 16 + 4080, 8, HvRestorePartitionState),
  // ch. 19-21 (sizes: inventory §6.5, §7.3, §8.4; debug blocks are one page, see debug-calls.ts)
  simple(C.HvCallInitializeEventLogBufferGroup, 'HvInitializeEventLogBufferGroup', 32, 0, HvInitializeEventLogBufferGroup),
  simple(C.HvCallFinalizeEventLogBufferGroup, 'HvFinalizeEventLogBufferGroup', 8, 0, HvFinalizeEventLogBufferGroup, true),
  simple(C.HvCallCreateEventLogBuffer, 'HvCreateEventLogBuffer', 16, 0, HvCreateEventLogBuffer, true),
  simple(C.HvCallDeleteEventLogBuffer, 'HvDeleteEventLogBuffer', 8, 0, HvDeleteEventLogBuffer, true),
  simple(C.HvCallMapEventLogBuffer, 'HvMapEventLogBuffer', 8, 4096, HvMapEventLogBuffer),
  simple(C.HvCallUnmapEventLogBuffer, 'HvUnmapEventLogBuffer', 8, 0, HvUnmapEventLogBuffer, true),
  simple(C.HvCallSetEventLogGroupSources, 'HvSetEventLogGroupSources', 16, 0, HvSetEventLogGroupSources, true),
  simple(C.HvCallReleaseEventLogBuffer, 'HvReleaseEventLogBuffer', 8, 0, HvReleaseEventLogBuffer, true),
  simple(C.HvCallFlushEventLogBuffer, 'HvFlushEventLogBuffer', 8, 0, HvFlushEventLogBuffer, true),
  simple(C.HvCallPostDebugData, 'HvPostDebugData', 4096, 8, HvPostDebugData),
  simple(C.HvCallRetrieveDebugData, 'HvRetrieveDebugData', 16, 4096, HvRetrieveDebugData),
  simple(C.HvCallResetDebugSession, 'HvResetDebugSession', 8, 0, HvResetDebugSession, true),
  simple(C.HvCallMapStatsPage, 'HvMapStatsPage', 32, 0, HvMapStatsPage),
  simple(C.HvCallUnmapStatsPage, 'HvUnmapStatsPage', 24, 0, HvUnmapStatsPage),
  rep(C.HvCallMapSparseGpaPages, 'HvMapSparseGpaPages', 16, 16, 0, HvMapSparseGpaPages),
  simple(C.HvCallSetSystemProperty, 'HvSetSystemProperty', 24, 0, HvSetSystemProperty),
  simple(C.HvCallSetPortProperty, 'HvSetPortProperty', 32, 8, HvSetPortProperty),
  // 23.4.2: HvGetSystemProperty is missing from appendix B; its code comes from ch. 23.
  simple(HvCallGetSystemProperty, 'HvGetSystemProperty', 8, 16, HvGetSystemProperty),
]

/** Lookup by call code (dense array; undefined for codes appendix B does not define). */
export const HYPERCALLS_BY_CODE: ReadonlyArray<HypercallDef | undefined> = (() => {
  const a: Array<HypercallDef | undefined> = new Array(0x100).fill(undefined)
  for (const d of HYPERCALL_TABLE) a[d.code] = d
  return a
})()
