/**
 * Reads a partition's scheduling policy from its properties (TLFS 5.2, ch. 18:
 * HvPartitionPropertyCpuReserve / CpuCap / CpuWeight) for the scheduler, and the
 * HvNotifyLongSpinWait handler (18.5.1): advisory, always HV_STATUS_SUCCESS; it asks the
 * run loop to end the caller's slice (`vp.yieldRequested`) so the scheduler can run others.
 */
import { HV_STATUS_SUCCESS, type HvStatus } from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import type { Partition } from '../partition'
import { HvPartitionProperty as P } from '../partition-properties'
import type { SchedulingPolicy } from './scheduler'

export function partitionPolicy(p: Partition): SchedulingPolicy {
  return {
    reserve: Number(p.properties.get(P.HvPartitionPropertyCpuReserve) ?? 0n),
    cap: Number(p.properties.get(P.HvPartitionPropertyCpuCap) ?? 0x10000n),
    weight: Number(p.properties.get(P.HvPartitionPropertyCpuWeight) ?? 100n),
  }
}

/** Input: 0 SpinwaitInfo (u64; any value). */
export function HvNotifyLongSpinWait(f: HypercallFrame): HvStatus {
  if (f.callerVp) f.callerVp.yieldRequested = true
  return HV_STATUS_SUCCESS
}
