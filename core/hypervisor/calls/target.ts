/**
 * Shared steps 6-8 of the DECISION check order (TLFS 4.8): look up the partition named by a
 * hypercall, check the caller's relationship to it and the target's state. Returns the
 * partition, or the HV_STATUS to fail with.
 */
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_PARTITION_STATE,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import type { HvPartitionState, Partition } from '../partition'

/** Who may name the target: its parent; the parent or the root naming itself; the parent or any partition naming itself. */
export type Relation = 'parent' | 'parent-or-root-self' | 'parent-or-self'

export function resolveTarget(
  f: HypercallFrame,
  id: bigint,
  relation: Relation,
  states: readonly HvPartitionState[] | null,
): Partition | number {
  const target = f.hv.partitions.get(id)
  if (!target) return HV_STATUS_INVALID_PARTITION_ID
  const self = target === f.caller
  const ok =
    target.parent === f.caller ||
    (relation === 'parent-or-root-self' && self && f.caller.isRoot) ||
    (relation === 'parent-or-self' && self)
  if (!ok) return HV_STATUS_ACCESS_DENIED
  if (states && !states.includes(target.state)) return HV_STATUS_INVALID_PARTITION_STATE
  return target
}

/** HV_PROXIMITY_DOMAIN_INFO (7.2): Flags bits 30:1 RsvdZ; with ProximityInfoValid the Id must name a node (we have node 0 only). */
export function checkProximity(view: DataView, offset: number): number {
  const id = view.getUint32(offset, true)
  const flags = view.getUint32(offset + 4, true)
  if ((flags & 0x7ffffffe) !== 0) return HV_STATUS_INVALID_PARAMETER
  if ((flags & 0x80000000) !== 0 && id !== 0) return HV_STATUS_INVALID_PARAMETER
  return 0
}

export function u64(view: DataView, offset: number): bigint {
  return view.getBigUint64(offset, true)
}
