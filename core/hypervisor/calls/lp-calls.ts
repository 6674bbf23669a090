/**
 * Logical-processor hypercalls (TLFS 6.5): HvGetLogicalProcessorRunTime and
 * HvParkLogicalProcessors, plus HvNotifyLongSpinWait (a hint with no effect here).
 * The emulator has one LP per running VP slice; times are in 100 ns units.
 */
import { HV_STATUS_ACCESS_DENIED, HV_STATUS_SUCCESS, type HvStatus } from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { hasPrivilege, HvPrivilege } from '../privileges'

export function HvGetLogicalProcessorRunTime(f: HypercallFrame): HvStatus {
  if (!hasPrivilege(f.caller.privileges, HvPrivilege.CpuPowerManagement)) return HV_STATUS_ACCESS_DENIED
  const global = BigInt(f.hv.referenceTime())
  // The LP the calling VP runs on; the root (no VP) asks about LP 0.
  const local = BigInt(f.hv.logicalProcessorRunTime(f.callerVp ? f.hv.stats.lpOf(f.callerVp) : 0))
  f.output.setBigUint64(0, global, true)
  f.output.setBigUint64(8, local, true)
  f.output.setBigUint64(16, local, true) // DECISION U13: GroupRunTime = LocalRunTime
  f.output.setBigUint64(24, 0n, true)
  return HV_STATUS_SUCCESS
}

export function HvParkLogicalProcessors(f: HypercallFrame): HvStatus {
  if (!hasPrivilege(f.caller.privileges, HvPrivilege.CpuPowerManagement)) return HV_STATUS_ACCESS_DENIED
  f.hv.parkedLogicalProcessors = f.input.getBigUint64(0, true) // DECISION U34: recorded only
  return HV_STATUS_SUCCESS
}

export function HvNotifyLongSpinWait(_f: HypercallFrame): HvStatus {
  return HV_STATUS_SUCCESS
}
