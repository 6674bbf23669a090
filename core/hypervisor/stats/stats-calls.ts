/**
 * HvMapStatsPage and HvUnmapStatsPage (TLFS 21.3) and the identity rules they share: global
 * objects (hypervisor, LP) are the root's alone; local objects (partition, VP) may be mapped
 * by the partition's parent (DECISION: and by the root for itself, which has no parent). The
 * caller needs AccessStats. Reserved identity fields must be zero. A TargetGpaPage beyond
 * the caller's GPA space succeeds but maps nothing visible (21.3.1).
 */
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_PARTITION_STATE,
  HV_STATUS_INVALID_VP_INDEX, HV_STATUS_OPERATION_DENIED, HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionState } from '../partition'
import { hasPrivilege, HvPrivilege } from '../privileges'
import { StatsGroups, type StatsObject } from './statistics'
import { HvStatsObjectSelfStats, HvStatsObjectType as T } from './stats-types'

/** Resolve the HV_STATS_OBJECT_IDENTITY at `off` of the input for `type`, with the permission checks. */
export function resolveStatsObject(f: HypercallFrame, type: number, off: number): StatsObject | HvStatus {
  const v = f.input
  if (!hasPrivilege(f.caller.privileges, HvPrivilege.AccessStats)) return HV_STATUS_ACCESS_DENIED
  const lo = v.getBigUint64(off, true)
  const hi = v.getBigUint64(off + 8, true)
  switch (type) {
    case T.HvStatsObjectHypervisor:
    case T.HvStatsObjectLogicalProcessor: {
      if (!f.caller.isRoot) return HV_STATUS_ACCESS_DENIED // global objects: root only
      if (type === T.HvStatsObjectHypervisor) return lo !== 0n || hi !== 0n ? HV_STATUS_INVALID_PARAMETER : { type }
      if ((lo >> 32n) !== 0n || hi !== 0n) return HV_STATUS_INVALID_PARAMETER
      const lpIndex = Number(lo)
      if (lpIndex >= f.hv.config.logicalProcessorCount) return HV_STATUS_INVALID_PARAMETER
      return { type, lpIndex }
    }
    case T.HvStatsObjectPartition:
    case T.HvStatsObjectVp: {
      const flag = v.getUint16(off + 12, true)
      // DECISION (inventory §8.3): StatsObjectFlag u16 at identity offset 12; every other byte RsvdZ.
      if ((flag & ~HvStatsObjectSelfStats) !== 0 || v.getUint16(off + 14, true) !== 0) return HV_STATUS_INVALID_PARAMETER
      if (type === T.HvStatsObjectPartition && v.getUint32(off + 8, true) !== 0) return HV_STATUS_INVALID_PARAMETER
      const target = f.hv.partitions.get(lo)
      if (!target) return HV_STATUS_INVALID_PARTITION_ID
      if (target.parent !== f.caller && !(target === f.caller && f.caller.isRoot)) return HV_STATUS_ACCESS_DENIED
      if (target.state !== HvPartitionState.Active) return HV_STATUS_INVALID_PARTITION_STATE
      if (type === T.HvStatsObjectPartition) return { type, partition: target }
      const vp = target.vp(v.getUint32(off + 8, true))
      if (!vp) return HV_STATUS_INVALID_VP_INDEX
      return { type, vp }
    }
    default:
      return HV_STATUS_INVALID_PARAMETER
  }
}

/** Input: 0 StatsType u32 | 4 pad | 8 ObjectIdentity (16) | 24 TargetGpaPage u64. No output. */
export function HvMapStatsPage(f: HypercallFrame): HvStatus {
  const obj = resolveStatsObject(f, f.input.getUint32(0, true), 8)
  if (typeof obj === 'number') return obj
  const stats = f.hv.stats
  if (stats.findMapping(f.caller, obj, StatsGroups.All)) return HV_STATUS_OPERATION_DENIED
  const page = f.input.getBigUint64(24, true)
  const pageNo = page > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(page)
  if (!stats.map(f.caller, obj, pageNo, StatsGroups.All)) return HV_STATUS_OPERATION_DENIED
  return HV_STATUS_SUCCESS
}

/** Input: 0 StatsType u32 | 4 pad | 8 ObjectIdentity (16). No output. */
export function HvUnmapStatsPage(f: HypercallFrame): HvStatus {
  const obj = resolveStatsObject(f, f.input.getUint32(0, true), 8)
  if (typeof obj === 'number') return obj
  const m = f.hv.stats.findMapping(f.caller, obj, StatsGroups.All)
  if (!m) return HV_STATUS_OPERATION_DENIED
  f.hv.stats.unmap(m)
  return HV_STATUS_SUCCESS
}
