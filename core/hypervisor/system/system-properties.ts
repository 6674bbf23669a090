/**
 * System properties (TLFS ch. 23): HvSetSystemProperty (0x006F) and HvGetSystemProperty
 * (0x0071, absent from appendix B; code from 23.4.2). The one property is the performance
 * counter configuration used by the profiler: a profile source and a sampling period. Root
 * only (Set also needs ConfigureProfiler, appendix B). Setting it while the profiler runs —
 * DECISION: while the LocalDiagnostics group has HV_EVENTLOG_ENABLE_DIAG_PERF_GENERAL on —
 * gives OPERATION_DENIED. DECISION: ProfileSource 0 or > 3, Reserved ≠ 0 or Period 0 are
 * INVALID_PARAMETER.
 */
import { HvCall } from '../hypercall-codes'
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_INVALID_PARAMETER, HV_STATUS_OPERATION_DENIED, HV_STATUS_SUCCESS,
  HV_STATUS_UNKNOWN_PROPERTY, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { hasPrivilege, HvPrivilege } from '../privileges'

/** Call code of HvGetSystemProperty (23.4.2; missing from appendix B). */
export const HvCallGetSystemProperty = HvCall.HvCallGetSystemProperty

/** HV_SYSTEM_PROPERTY_CODE (spelling "Propery" as in the spec). */
export const HvSystemPropertyCode = {
  HvSystemProperyPerfCounterConfiguration: 0,
  HvSystemPropertyMax: 1,
} as const

export const HvProfileSource = {
  HvProfileInvalid: 0,
  HvProfileCyclesNotHalted: 1,
  HvProfileCacheMisses: 2,
  HvProfileBranchMispredictions: 3,
} as const

export class HvSystemProperties {
  profileSource = 0
  period = 0n
}

/** Input: 0 PropertyCode u32 | 4 pad | 8 PropertyValue (16 bytes). */
export function HvSetSystemProperty(f: HypercallFrame): HvStatus {
  if (!f.caller.isRoot || !hasPrivilege(f.caller.privileges, HvPrivilege.ConfigureProfiler)) return HV_STATUS_ACCESS_DENIED
  const code = f.input.getUint32(0, true)
  if (code !== HvSystemPropertyCode.HvSystemProperyPerfCounterConfiguration) return HV_STATUS_UNKNOWN_PROPERTY
  const source = f.input.getUint32(8, true)
  const reserved = f.input.getUint32(12, true)
  const period = f.input.getBigUint64(16, true)
  if (source === HvProfileSource.HvProfileInvalid || source > HvProfileSource.HvProfileBranchMispredictions) return HV_STATUS_INVALID_PARAMETER
  if (reserved !== 0 || period === 0n) return HV_STATUS_INVALID_PARAMETER
  if ((f.hv.eventLog.diagHi & 1) !== 0) return HV_STATUS_OPERATION_DENIED // profiler running
  f.hv.system.profileSource = source
  f.hv.system.period = period
  return HV_STATUS_SUCCESS
}

/** Input: 0 PropertyCode u32 | 4 pad. Output: 0 PropertyValue (16 bytes). */
export function HvGetSystemProperty(f: HypercallFrame): HvStatus {
  if (!f.caller.isRoot) return HV_STATUS_ACCESS_DENIED
  if (f.input.getUint32(0, true) !== HvSystemPropertyCode.HvSystemProperyPerfCounterConfiguration) return HV_STATUS_UNKNOWN_PROPERTY
  f.output.setUint32(0, f.hv.system.profileSource, true)
  f.output.setUint32(4, 0, true)
  f.output.setBigUint64(8, f.hv.system.period, true)
  return HV_STATUS_SUCCESS
}
