/**
 * The hypervisor's statistics service (TLFS ch. 21, appendix J). Counters live where events
 * happen — `VirtualProcessor.counters` (VPV slots), a per-LP block here, per-partition blocks
 * here, the hypercall-by-code table — and are incremented on the run path without
 * allocation. A stats page is rendered from those counters: on map, before each guest slice
 * and hypercall return for pages overlaid in a child's RAM, and on each read for pages the
 * root (the host app) maps. Mappings made by HvMapStatsPage and by the stats MSRs are
 * tracked here and removed when their object or their viewer goes away (21.1).
 */
import { PAGE_SIZE } from '../../memory/guest-memory'
import { ChildGpaSpace } from '../gpa-space'
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import { HvPartitionProperty as P } from '../partition-properties'
import type { VirtualProcessor } from '../virtual-processor'
import { StatsPageWriter, STATS_PAGE_SIZE } from './stats-page'
import {
  HCA_COUNTERS, HV_ENTRY_COST_100NS, HV_STATISTICS_TYPE_HCA_ID, HV_STATISTICS_TYPE_LPA_ID, HV_STATISTICS_TYPE_LPV_ID,
  HV_STATISTICS_TYPE_PA_ID, HV_STATISTICS_TYPE_PV_ID, HV_STATISTICS_TYPE_VPA_ID, HV_STATISTICS_TYPE_VPV_ID, HvStatsObjectType as T,
  LP_COUNTER_SLOTS, LPA_COUNTERS, LpCounter, PV_COUNTERS, VPV_COUNTERS,
} from './stats-types'

/** Which groups a page shows: all (HvMapStatsPage), the architected ones (retail MSRs), the release-specific ones (internal MSRs). */
export const StatsGroups = { All: 3, Retail: 1, Internal: 2 } as const
export type StatsGroups = (typeof StatsGroups)[keyof typeof StatsGroups]

/** A resolved stats object. */
export type StatsObject =
  | { type: typeof T.HvStatsObjectHypervisor }
  | { type: typeof T.HvStatsObjectLogicalProcessor; lpIndex: number }
  | { type: typeof T.HvStatsObjectPartition; partition: Partition }
  | { type: typeof T.HvStatsObjectVp; vp: VirtualProcessor }

/** Slots of the per-partition block (PV counter i is slot i). */
const PV_GPA_MODIFICATIONS = 5
const PV_TLB_FLUSH_ENTRIES = 6

interface StatsMapping {
  readonly object: StatsObject
  readonly viewer: Partition
  readonly page: number
  readonly groups: StatsGroups
  /** Null when the target page lies beyond the viewer's GPA space (mapped but inaccessible). */
  readonly view: DataView | null
}

/**
 * DECISION: hypervisor time is modelled: HV_ENTRY_COST_100NS per hypervisor entry, at most the
 * VP's whole run time — the run-time source measures the VP's slices, which already include
 * the hypervisor's work, so this is the hypervisor's share of them, never more than all of it.
 */
export function hypervisorRunTime(vp: VirtualProcessor): number {
  return Math.min(vp.counters[0] * HV_ENTRY_COST_100NS, vp.runTime)
}

export class HvStatistics {
  /** LPA counters, LP_COUNTER_SLOTS per LP. */
  readonly lp: Float64Array
  /** Hypercalls dispatched, by call code (every caller, root included). */
  readonly hypercallsByCode = new Float64Array(0x100)
  private readonly lastVpOnLp: Array<VirtualProcessor | null>
  private readonly partitionCounters = new Map<Partition, Float64Array>()
  private readonly mappings: StatsMapping[] = []
  /** Child partitions with stats pages overlaid in their RAM → how many. */
  private readonly guestViewers = new Map<Partition, number>()
  private readonly writer = new StatsPageWriter()

  constructor(private readonly hv: Hypervisor) {
    const n = hv.config.logicalProcessorCount
    this.lp = new Float64Array(n * LP_COUNTER_SLOTS)
    this.lastVpOnLp = new Array<VirtualProcessor | null>(n).fill(null)
  }

  /** DECISION: VP v runs on LP (v.index mod LP count) — the affinity the stats attribute it to. */
  lpOf(vp: VirtualProcessor): number {
    return vp.index % this.hv.config.logicalProcessorCount
  }

  // ---------------------------------------------------------------- hot-path events

  /** A run slice of `vp` starts: context switches and live page refresh. */
  onRunStart(vp: VirtualProcessor): void {
    const lp = this.lpOf(vp)
    if (this.lastVpOnLp[lp] !== vp) {
      this.lastVpOnLp[lp] = vp
      this.lp[lp * LP_COUNTER_SLOTS + LpCounter.ContextSwitches]++
    }
    if (this.guestViewers.size > 0) this.refreshViewer(vp.partition)
  }

  onHalt(vp: VirtualProcessor): void {
    this.lp[this.lpOf(vp) * LP_COUNTER_SLOTS + LpCounter.ProcessorHalts]++
  }

  /** GPA-space modifications and virtual-TLB flushes charged to partition `p`. */
  countPartition(p: Partition, slot: number, n: number): void {
    this.partitionBlock(p)[slot] += n
  }
  static readonly PV_GPA_MODIFICATIONS = PV_GPA_MODIFICATIONS
  static readonly PV_TLB_FLUSH_ENTRIES = PV_TLB_FLUSH_ENTRIES

  /** The per-partition counter block of `p` (PV slots; saved and restored with the partition, ch. 17). */
  partitionCountersOf(p: Partition): Float64Array {
    return this.partitionBlock(p)
  }

  private partitionBlock(p: Partition): Float64Array {
    let b = this.partitionCounters.get(p)
    if (!b) this.partitionCounters.set(p, (b = new Float64Array(8)))
    return b
  }

  // ---------------------------------------------------------------- rendering

  /** Fill `view` (one page) with the counters of `obj`. */
  render(obj: StatsObject, view: DataView, groups: StatsGroups = StatsGroups.All): void {
    const w = this.writer.begin(view)
    const hv = this.hv
    switch (obj.type) {
      case T.HvStatsObjectHypervisor: {
        let vps = 0, pages = 0
        for (const p of hv.partitions.values()) {
          vps += p.liveVps().length
          pages += p.pool.length
        }
        w.group(HV_STATISTICS_TYPE_HCA_ID, HCA_COUNTERS.length)
          .counter(1, hv.config.logicalProcessorCount).counter(2, hv.partitions.size).counter(3, pages).counter(4, vps).counter(5, 0)
        break
      }
      case T.HvStatsObjectLogicalProcessor: {
        let total = 0, hvTime = 0
        for (const p of hv.partitions.values()) {
          for (const vp of p.liveVps()) {
            if (this.lpOf(vp) !== obj.lpIndex) continue
            hvTime += hypervisorRunTime(vp)
            total += vp.runTime
          }
        }
        if (groups & StatsGroups.Retail) {
          w.group(HV_STATISTICS_TYPE_LPA_ID, LPA_COUNTERS.length)
          const base = obj.lpIndex * LP_COUNTER_SLOTS
          for (let i = 4; i <= LPA_COUNTERS.length; i++) w.counter(i, this.lp[base + i])
          const global = hv.referenceTime()
          // DECISION: an LP that runs no VP waits in HLT (C1), so '% C1 Time' holds the LP's
          // idle time in 100 ns units (cumulative, like the /sec counters): global minus run time.
          w.counter(1, global).counter(2, total).counter(3, hvTime).counter(LpCounter.C1Time, Math.max(0, global - total))
        }
        if (groups & StatsGroups.Internal) w.group(HV_STATISTICS_TYPE_LPV_ID, 0)
        break
      }
      case T.HvStatsObjectPartition: {
        const p = obj.partition
        if (groups & StatsGroups.Retail) w.group(HV_STATISTICS_TYPE_PA_ID, 1).counter(1, p.liveVps().length)
        if (groups & StatsGroups.Internal) {
          const b = this.partitionBlock(p)
          const tlb = Number(p.properties.get(P.HvPartitionPropertyVirtualTlbPageCount) ?? 0n)
          w.group(HV_STATISTICS_TYPE_PV_ID, PV_COUNTERS.length)
            .counter(1, p.isRoot ? 0 : tlb).counter(2, 0).counter(3, p.pool.length)
            .counter(4, p.isRoot ? 0 : p.space?.pageCount ?? 0)
            .counter(5, b[PV_GPA_MODIFICATIONS]).counter(6, b[PV_TLB_FLUSH_ENTRIES]).counter(7, p.isRoot ? 0 : tlb)
        }
        break
      }
      case T.HvStatsObjectVp: {
        const vp = obj.vp
        // Total Run Time is HV_X64_MSR_VP_RUNTIME: guest and hypervisor code (10.3.2, appendix J).
        if (groups & StatsGroups.Retail) w.group(HV_STATISTICS_TYPE_VPA_ID, 2).counter(1, vp.runTime).counter(2, hypervisorRunTime(vp))
        if (groups & StatsGroups.Internal) {
          w.group(HV_STATISTICS_TYPE_VPV_ID, VPV_COUNTERS.length)
          for (let i = 1; i <= VPV_COUNTERS.length; i++) w.counter(i, vp.counters[i])
        }
        break
      }
    }
    w.end()
  }

  /** Root API for the UI: a fresh copy of the page of `obj`. */
  readPage(obj: StatsObject): Uint8Array {
    const bytes = new Uint8Array(STATS_PAGE_SIZE)
    this.render(obj, new DataView(bytes.buffer))
    return bytes
  }

  // ---------------------------------------------------------------- mappings

  private sameObject(a: StatsObject, b: StatsObject): boolean {
    if (a.type !== b.type) return false
    switch (a.type) {
      case T.HvStatsObjectHypervisor: return true
      case T.HvStatsObjectLogicalProcessor: return a.lpIndex === (b as typeof a).lpIndex
      case T.HvStatsObjectPartition: return a.partition === (b as typeof a).partition
      case T.HvStatsObjectVp: return a.vp === (b as typeof a).vp
    }
  }

  findMapping(viewer: Partition, obj: StatsObject, groups: StatsGroups): StatsMapping | undefined {
    return this.mappings.find((m) => m.viewer === viewer && m.groups === groups && this.sameObject(m.object, obj))
  }

  /** True when `page` of child `p` is a stats overlay (guest writes raise #MC, 21.1). */
  isGuestStatsPage(p: Partition, page: number): boolean {
    if (!this.guestViewers.has(p)) return false
    return this.mappings.some((m) => m.viewer === p && m.page === page && m.view !== null)
  }

  /**
   * Map the page of `obj` at `page` of `viewer`'s GPA space. False when the page is already
   * an overlay (hypercall page, another stats page). Beyond the space: recorded, not visible.
   */
  map(viewer: Partition, obj: StatsObject, page: number, groups: StatsGroups): boolean {
    const hv = this.hv
    let view: DataView | null = null
    if (viewer.isRoot) {
      if (hv.rootOverlays.isMapped(page)) return false
      const bytes = new Uint8Array(STATS_PAGE_SIZE)
      view = new DataView(bytes.buffer)
      const v = view
      hv.rootOverlays.map(page, bytes, () => this.render(obj, v, groups))
    } else {
      const space = viewer.space
      if (space instanceof ChildGpaSpace && page >= 0 && page < space.pageCount) {
        if (space.isOverlay(page)) return false
        space.installOverlay(page, new Uint8Array(PAGE_SIZE))
        const ram = space.memory.ram
        view = new DataView(ram.buffer, ram.byteOffset + page * PAGE_SIZE, PAGE_SIZE)
        this.guestViewers.set(viewer, (this.guestViewers.get(viewer) ?? 0) + 1)
      }
    }
    const m: StatsMapping = { object: obj, viewer, page, groups, view }
    this.mappings.push(m)
    if (view && !viewer.isRoot) this.renderGuest(m)
    return true
  }

  unmap(m: StatsMapping): void {
    const i = this.mappings.indexOf(m)
    if (i < 0) return
    this.mappings.splice(i, 1)
    if (m.viewer.isRoot) this.hv.rootOverlays.unmap(m.page)
    else if (m.view) {
      const space = m.viewer.space
      if (space instanceof ChildGpaSpace) space.removeOverlay(m.page)
      const n = (this.guestViewers.get(m.viewer) ?? 1) - 1
      if (n > 0) this.guestViewers.set(m.viewer, n)
      else this.guestViewers.delete(m.viewer)
    }
  }

  private renderGuest(m: StatsMapping): void {
    this.render(m.object, m.view!, m.groups)
    const space = m.viewer.space as ChildGpaSpace
    space.memory.notifyWrite(m.page * PAGE_SIZE, PAGE_SIZE)
  }

  /** Re-render every stats page overlaid in `viewer`'s RAM. */
  refreshViewer(viewer: Partition): void {
    if (!this.guestViewers.has(viewer)) return
    for (const m of this.mappings) if (m.viewer === viewer && m.view) this.renderGuest(m)
  }

  /** 21.1: deleting an object removes every mapping of its page; a finalized viewer loses its mappings. */
  onVpDeleted(vp: VirtualProcessor): void {
    for (const m of [...this.mappings]) if (m.object.type === T.HvStatsObjectVp && m.object.vp === vp) this.unmap(m)
  }
  onPartitionFinalized(p: Partition): void {
    for (const m of [...this.mappings]) {
      if (m.viewer === p || (m.object.type === T.HvStatsObjectPartition && m.object.partition === p) ||
        (m.object.type === T.HvStatsObjectVp && m.object.vp.partition === p)) this.unmap(m)
    }
  }
  onPartitionDeleted(p: Partition): void {
    this.onPartitionFinalized(p)
    this.partitionCounters.delete(p)
  }
}
