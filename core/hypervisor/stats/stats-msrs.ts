/**
 * The stats-page MSRs HV_X64_MSR_STATS_{PARTITION,VP}_{RETAIL,INTERNAL}_PAGE (TLFS 21.3.3,
 * appendix H): a partition maps its own partition or VP stats page. Bits 63:12 GPA page,
 * 11:1 RsvdP (kept as written), 0 enable. Per VP, 0 at creation. DECISION (inventory §8.6):
 * retail pages hold the architected group (PA/VPA), internal pages the release-specific one
 * (PV/VPV). A base beyond the GPA space or on another overlay maps nothing, without a fault.
 */
import type { Hypervisor } from '../hypervisor'
import { HvPrivilege } from '../privileges'
import {
  HV_X64_MSR_STATS_PARTITION_INTERNAL_PAGE, HV_X64_MSR_STATS_PARTITION_RETAIL_PAGE, HV_X64_MSR_STATS_VP_INTERNAL_PAGE,
  HV_X64_MSR_STATS_VP_RETAIL_PAGE, MSR_WRITE_OK,
} from '../synthetic-msrs'
import type { VirtualProcessor } from '../virtual-processor'
import { StatsGroups, type StatsObject } from './statistics'
import { HvStatsObjectType as T } from './stats-types'

const MSRS = [
  { index: HV_X64_MSR_STATS_PARTITION_RETAIL_PAGE, name: 'HV_X64_MSR_STATS_PARTITION_RETAIL_PAGE', vp: false, groups: StatsGroups.Retail },
  { index: HV_X64_MSR_STATS_PARTITION_INTERNAL_PAGE, name: 'HV_X64_MSR_STATS_PARTITION_INTERNAL_PAGE', vp: false, groups: StatsGroups.Internal },
  { index: HV_X64_MSR_STATS_VP_RETAIL_PAGE, name: 'HV_X64_MSR_STATS_VP_RETAIL_PAGE', vp: true, groups: StatsGroups.Retail },
  { index: HV_X64_MSR_STATS_VP_INTERNAL_PAGE, name: 'HV_X64_MSR_STATS_VP_INTERNAL_PAGE', vp: true, groups: StatsGroups.Internal },
] as const

export function registerStatsMsrs(hv: Hypervisor): void {
  const values = new WeakMap<VirtualProcessor, bigint[]>()
  const get = (vp: VirtualProcessor) => {
    let a = values.get(vp)
    if (!a) values.set(vp, (a = [0n, 0n, 0n, 0n]))
    return a
  }
  MSRS.forEach((def, slot) => {
    const objectOf = (vp: VirtualProcessor): StatsObject =>
      def.vp ? { type: T.HvStatsObjectVp, vp } : { type: T.HvStatsObjectPartition, partition: vp.partition }
    hv.msrs.register({
      index: def.index, name: def.name, privilege: HvPrivilege.AccessStatsMsr,
      read: (vp) => get(vp)[slot],
      write: (vp, value) => {
        const a = get(vp)
        const obj = objectOf(vp)
        const old = hv.stats.findMapping(vp.partition, obj, def.groups)
        if (old && (a[slot] & 1n) === 1n) hv.stats.unmap(old)
        a[slot] = BigInt.asUintN(64, value)
        if ((value & 1n) === 1n) {
          const existing = hv.stats.findMapping(vp.partition, obj, def.groups)
          if (!existing) hv.stats.map(vp.partition, obj, Number(BigInt.asUintN(52, value >> 12n)), def.groups)
        }
        return MSR_WRITE_OK
      },
    })
  })
}
