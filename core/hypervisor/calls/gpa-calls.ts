/**
 * GPA mapping hypercalls (TLFS 8.4): HvMapGpaPages, HvMapSparseGpaPages, HvUnmapGpaPages.
 * A child's mapping changes its GuestMemory `pageAccess` (which bumps `generation` so CPUs
 * drop cached translations); the root may only change rights on its identity mappings.
 */
import { ChildGpaSpace, HV_MAP_GPA_TLFS_MASK, type GpaSpace } from '../gpa-space'
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_INSUFFICIENT_MEMORY, HV_STATUS_INVALID_PARAMETER, HV_STATUS_OBJECT_IN_USE, HV_STATUS_OPERATION_DENIED, HV_STATUS_SUCCESS,
  type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionState as S, type Partition } from '../partition'
import { resolveTarget, u64 } from './target'

/** 8.2: R is required whenever W or X is given; no bits beyond R/W/X. */
export function validMapFlags(flags: number): boolean {
  if ((flags & ~HV_MAP_GPA_TLFS_MASK) !== 0) return false
  if (flags !== 0 && (flags & 1) === 0) return false
  return true
}

function releaseSource(owner: GpaSpace, source: number): void {
  if (source < 0) return
  const n = (owner.shared.get(source) ?? 0) - 1
  if (n > 0) owner.shared.set(source, n)
  else owner.shared.delete(source)
}

/** One element of a map call; `target`/`source` are page numbers already range-checked. */
function mapOne(f: HypercallFrame, t: Partition, target: number, source: bigint, flags: number): HvStatus {
  const callerSpace = f.caller.space!
  if (source >= BigInt(callerSpace.pageCount)) return HV_STATUS_INVALID_PARAMETER
  const src = Number(source)
  // 8.4.1: the source must be mapped in the caller and not sit in a pool.
  if (callerSpace.rights(src) < 0 || callerSpace.pooled.has(src)) return HV_STATUS_OPERATION_DENIED
  if (t === f.caller) {
    // Root naming itself: rights change on the identity mapping only.
    if (src !== target || callerSpace.pooled.has(target)) return HV_STATUS_ACCESS_DENIED
    callerSpace.setRights(target, flags)
    return HV_STATUS_SUCCESS
  }
  const space = t.space as ChildGpaSpace
  if (space.pooled.has(target)) return HV_STATUS_OBJECT_IN_USE
  // 7.1: the page table of a newly mapped 2 MiB region comes from the target's pool.
  const region = target >>> 9
  if (!space.tableRegions.has(region)) {
    if (!t.allocate(f.hv.config.costs.gpaPageTable)) return HV_STATUS_INSUFFICIENT_MEMORY
    space.tableRegions.add(region)
  }
  const old = space.map(target, src, flags)
  releaseSource(callerSpace, old)
  callerSpace.shared.set(src, (callerSpace.shared.get(src) ?? 0) + 1)
  return HV_STATUS_SUCCESS
}

export function HvMapGpaPages(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent-or-root-self', [S.Active])
  if (typeof t === 'number') return t
  const base = u64(f.input, 8)
  const flags = f.input.getUint32(16, true)
  if (!validMapFlags(flags)) return HV_STATUS_INVALID_PARAMETER
  if (base + BigInt(f.repCount) > BigInt(t.space!.pageCount)) return HV_STATUS_INVALID_PARAMETER
  if (t === f.caller) {
    // 8.4.1 root-self: TargetGpaBase = list[0] and the list contiguous and increasing.
    for (let i = 0; i < f.repCount; i++) {
      if (f.input.getBigUint64(24 + 8 * i, true) !== base + BigInt(i)) return HV_STATUS_ACCESS_DENIED
    }
  }
  for (let i = f.repStart; i < f.repLimit; i++) {
    f.repsCompleted = i
    const st = mapOne(f, t, Number(base) + i, f.input.getBigUint64(24 + 8 * i, true), flags)
    if (st !== HV_STATUS_SUCCESS) return st
  }
  f.repsCompleted = f.repLimit
  return HV_STATUS_SUCCESS
}

export function HvMapSparseGpaPages(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent-or-root-self', [S.Active])
  if (typeof t === 'number') return t
  const flags = f.input.getUint32(8, true)
  if (!validMapFlags(flags)) return HV_STATUS_INVALID_PARAMETER
  const pages = BigInt(t.space!.pageCount)
  for (let i = f.repStart; i < f.repLimit; i++) {
    f.repsCompleted = i
    const target = f.input.getBigUint64(16 + 16 * i, true)
    const source = f.input.getBigUint64(24 + 16 * i, true)
    if (target >= pages) return HV_STATUS_INVALID_PARAMETER
    // DECISION (U38): root-self needs target == source per element.
    if (t === f.caller && target !== source) return HV_STATUS_ACCESS_DENIED
    const st = mapOne(f, t, Number(target), source, flags)
    if (st !== HV_STATUS_SUCCESS) return st
  }
  f.repsCompleted = f.repLimit
  return HV_STATUS_SUCCESS
}

export function HvUnmapGpaPages(f: HypercallFrame): HvStatus {
  // 8.4.2: parent only; the root cannot unmap its own identity mappings.
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active])
  if (typeof t === 'number') return t
  const base = u64(f.input, 8)
  const space = t.space as ChildGpaSpace
  if (base + BigInt(f.repCount) > BigInt(space.pageCount)) return HV_STATUS_INVALID_PARAMETER
  const callerSpace = f.caller.space!
  for (let i = f.repStart; i < f.repLimit; i++) {
    f.repsCompleted = i
    const page = Number(base) + i
    if (space.pooled.has(page)) return HV_STATUS_OBJECT_IN_USE // DECISION U40
    releaseSource(callerSpace, space.unmap(page))
  }
  f.repsCompleted = f.repLimit
  return HV_STATUS_SUCCESS
}

/** Drop every mapping of a finalized child (its sources are no longer shared). */
export function unmapAll(t: Partition): void {
  const space = t.space
  const owner = t.parent?.space
  if (!(space instanceof ChildGpaSpace) || !owner) return
  for (let p = 0; p < space.pageCount; p++) if (space.mapped[p]) releaseSource(owner, space.unmap(p))
  space.tableRegions.clear()
}
