/**
 * Memory pool hypercalls (TLFS 7.3): HvDepositMemory, HvWithdrawMemory, HvGetMemoryBalance.
 * Pool pages are page numbers of the depositor's GPA space; once deposited nobody can
 * access them (7.1 invariant 3) until they are withdrawn, zero-filled, with R/W/X again.
 */
import { ChildGpaSpace, HV_MAP_GPA_TLFS_MASK } from '../gpa-space'
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_NO_RESOURCES, HV_STATUS_OBJECT_IN_USE, HV_STATUS_OPERATION_DENIED, HV_STATUS_SUCCESS,
  type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionState as S, type Partition } from '../partition'
import { hasPrivilege, HvPrivilege } from '../privileges'
import { checkProximity, resolveTarget, u64 } from './target'

/** (parent with AccessMemoryPool) or (root naming itself) — DECISION U41. */
function poolTarget(f: HypercallFrame, states: readonly S[] | null): Partition | number {
  if (!hasPrivilege(f.caller.privileges, HvPrivilege.AccessMemoryPool)) return HV_STATUS_ACCESS_DENIED
  return resolveTarget(f, u64(f.input, 0), 'parent-or-root-self', states)
}


export function HvDepositMemory(f: HypercallFrame): HvStatus {
  const t = poolTarget(f, [S.Uninitialized, S.Active])
  if (typeof t === 'number') return t
  const space = f.caller.space!
  for (let i = f.repStart; i < f.repLimit; i++) {
    const page = f.input.getBigUint64(8 + 8 * i, true)
    f.repsCompleted = i
    if (page >= BigInt(space.pageCount)) return HV_STATUS_OPERATION_DENIED
    const p = Number(page)
    if (space instanceof ChildGpaSpace && space.isOverlay(p)) return HV_STATUS_OBJECT_IN_USE
    // 7.3.1: mapped in the caller with R, W and X; not visible to anyone else; not already pooled.
    if (space.rights(p) !== HV_MAP_GPA_TLFS_MASK) return HV_STATUS_OPERATION_DENIED
    if (space.pooled.has(p) || (space.shared.get(p) ?? 0) > 0) return HV_STATUS_OPERATION_DENIED
    if (space instanceof ChildGpaSpace) space.setPooled(p, true)
    else space.pooled.add(p)
    t.pool.push(p)
  }
  f.repsCompleted = f.repLimit
  return HV_STATUS_SUCCESS
}

export function HvWithdrawMemory(f: HypercallFrame): HvStatus {
  const t = poolTarget(f, null)
  if (typeof t === 'number') return t
  const prox = checkProximity(f.input, 8)
  if (prox) return prox
  const space = t.poolOwner.space!
  for (let i = f.repStart; i < f.repLimit; i++) {
    f.repsCompleted = i
    if (t.pagesAvailable <= 0) return HV_STATUS_NO_RESOURCES
    const p = t.pool.pop()!
    if (space instanceof ChildGpaSpace) space.setPooled(p, false)
    else space.pooled.delete(p)
    f.output.setBigUint64(8 * i, BigInt(p), true)
  }
  f.repsCompleted = f.repLimit
  return HV_STATUS_SUCCESS
}

export function HvGetMemoryBalance(f: HypercallFrame): HvStatus {
  const t = poolTarget(f, null)
  if (typeof t === 'number') return t
  const prox = checkProximity(f.input, 8)
  if (prox) return prox
  f.output.setBigUint64(0, BigInt(t.pagesAvailable), true)
  f.output.setBigUint64(8, BigInt(t.pagesInUse), true)
  return HV_STATUS_SUCCESS
}
