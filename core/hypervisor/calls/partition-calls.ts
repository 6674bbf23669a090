/**
 * Partition management hypercalls (TLFS 5.8): HvCreatePartition, HvInitializePartition,
 * HvFinalizePartition, HvDeletePartition, HvGetPartitionProperty, HvSetPartitionProperty,
 * HvGetPartitionId, HvGetNextChildPartition. Checks follow the DECISION order of 4.8.
 */
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_INSUFFICIENT_MEMORY, HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARTITION_ID,
  HV_STATUS_NO_RESOURCES, HV_STATUS_OPERATION_DENIED, HV_STATUS_PARTITION_TOO_DEEP, HV_STATUS_SUCCESS, HV_STATUS_UNKNOWN_PROPERTY, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionState as S } from '../partition'
import { isKnownProperty } from '../partition-properties'
import { hasPrivilege, HvPrivilege } from '../privileges'
import { validatePropertyWrite } from './partition-property-rules'
import { checkProximity, resolveTarget, u64 } from './target'

export function HvCreatePartition(f: HypercallFrame): HvStatus {
  if (!hasPrivilege(f.caller.privileges, HvPrivilege.CreatePartitions)) return HV_STATUS_ACCESS_DENIED
  const flags = u64(f.input, 0)
  if (flags !== 0n) return HV_STATUS_INVALID_PARAMETER // 5.4: creation flags are reserved
  const prox = checkProximity(f.input, 8)
  if (prox) return prox
  if (f.caller.depth + 1 > f.hv.config.maxPartitionDepth) return HV_STATUS_PARTITION_TOO_DEEP
  if (!f.caller.allocate(f.hv.config.costs.createPartition)) return HV_STATUS_INSUFFICIENT_MEMORY
  if (f.hv.partitions.size >= f.hv.config.limits.maxPartitions) {
    f.caller.release(f.hv.config.costs.createPartition)
    return HV_STATUS_NO_RESOURCES // 5.8.1: an implementation limit
  }
  const child = f.hv.newChildPartition(f.caller, flags)
  f.output.setBigUint64(0, child.id, true)
  return HV_STATUS_SUCCESS
}

export function HvInitializePartition(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Uninitialized])
  if (typeof t === 'number') return t
  if (!t.allocate(f.hv.config.costs.initializePartition)) return HV_STATUS_INSUFFICIENT_MEMORY
  f.hv.activatePartition(t)
  return HV_STATUS_SUCCESS
}

export function HvFinalizePartition(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active, S.Finalizing])
  if (typeof t === 'number') return t
  // DECISION (U9): follow the status table: a partition with children cannot be finalized.
  if (t.children.length > 0) return HV_STATUS_OPERATION_DENIED
  if (t.state === S.Active && f.hv.config.finalizeContinues) {
    // Test knob (4.6): pass through the externally visible Finalizing state once.
    t.state = S.Finalizing
    f.continueCall = true
    return HV_STATUS_SUCCESS
  }
  f.hv.finalizePartition(t)
  return HV_STATUS_SUCCESS
}

export function HvDeletePartition(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Uninitialized, S.Finalized])
  if (typeof t === 'number') return t
  if (t.pool.length > 0) return HV_STATUS_OPERATION_DENIED
  f.hv.deletePartition(t)
  return HV_STATUS_SUCCESS
}

export function HvGetPartitionProperty(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent-or-root-self', [S.Active])
  if (typeof t === 'number') return t
  const code = f.input.getUint32(8, true)
  if (!isKnownProperty(code)) return HV_STATUS_UNKNOWN_PROPERTY
  f.output.setBigUint64(0, f.hv.readProperty(t, code), true)
  return HV_STATUS_SUCCESS
}

export function HvSetPartitionProperty(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent-or-root-self', [S.Active])
  if (typeof t === 'number') return t
  const code = f.input.getUint32(8, true)
  if (!isKnownProperty(code)) return HV_STATUS_UNKNOWN_PROPERTY
  return validatePropertyWrite(f.hv, t, code, u64(f.input, 16))
}

export function HvGetPartitionId(f: HypercallFrame): HvStatus {
  if (!hasPrivilege(f.caller.privileges, HvPrivilege.AccessPartitionId)) return HV_STATUS_ACCESS_DENIED
  f.output.setBigUint64(0, f.caller.id, true)
  return HV_STATUS_SUCCESS
}

export function HvGetNextChildPartition(f: HypercallFrame): HvStatus {
  const parent = f.hv.partitions.get(u64(f.input, 0))
  if (!parent) return HV_STATUS_INVALID_PARTITION_ID
  // DECISION (U31): only a partition may enumerate its own children.
  if (parent !== f.caller) return HV_STATUS_ACCESS_DENIED
  const prev = u64(f.input, 8)
  let next = 0n
  if (prev === 0n) {
    next = parent.children[0]?.id ?? 0n
  } else {
    const i = parent.children.findIndex((c) => c.id === prev)
    if (i < 0) return HV_STATUS_INVALID_PARTITION_ID
    next = parent.children[i + 1]?.id ?? 0n
  }
  f.output.setBigUint64(0, next, true)
  return HV_STATUS_SUCCESS
}
