/**
 * Saved-state section `hv.stats` (TLFS 17.1.5 "all VP registers" covers the stats-page MSRs
 * of 21.3.3; the counters of appendix J are state the hypervisor owns): per VP the four
 * HV_X64_MSR_STATS_* values and the VP's event counters, plus the partition's counter block.
 * Restore writes the MSRs through the MSR table, so the stats pages are overlaid again exactly
 * as a guest write would do it, then puts the counters back so a guest reading its stats page
 * across a save sees them continue. Hypervisor-wide counters (LP, by-code) are not the
 * partition's and are not saved.
 */
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import {
  HV_X64_MSR_STATS_PARTITION_INTERNAL_PAGE, HV_X64_MSR_STATS_PARTITION_RETAIL_PAGE, HV_X64_MSR_STATS_VP_INTERNAL_PAGE,
  HV_X64_MSR_STATS_VP_RETAIL_PAGE,
} from '../synthetic-msrs'
import { ByteReader, ByteWriter } from './byte-stream'
import { registerSaveSection } from './save-sections'
import { HvSaveRestoreStateResult as R } from './save-restore-types'

const STATS_MSRS = [
  HV_X64_MSR_STATS_PARTITION_RETAIL_PAGE, HV_X64_MSR_STATS_PARTITION_INTERNAL_PAGE,
  HV_X64_MSR_STATS_VP_RETAIL_PAGE, HV_X64_MSR_STATS_VP_INTERNAL_PAGE,
] as const

interface SavedVp { index: number; msrs: bigint[]; counters: Float64Array }
interface SavedStats { vps: SavedVp[]; partition: Float64Array }

function f64s(r: ByteReader, n: number): Float64Array {
  const a = new Float64Array(n)
  for (let i = 0; i < n; i++) a[i] = r.f64('counter')
  return a
}

function parse(p: Partition, data: Uint8Array): SavedStats | null {
  const r = new ByteReader(data)
  const partition = f64s(r, r.u16('partition counters'))
  const vps: SavedVp[] = []
  for (let n = r.u16('vp count'); n > 0; n--) {
    const index = r.u32('vp index')
    const msrs = STATS_MSRS.map(() => r.u64('stats msr'))
    const counters = f64s(r, r.u16('vp counters'))
    const vp = p.vp(index)
    if (!vp || counters.length > vp.counters.length || vps.some((v) => v.index === index)) return null
    vps.push({ index, msrs, counters })
  }
  const valid = (a: Float64Array): boolean => a.every((x) => Number.isFinite(x) && x >= 0)
  if (r.remaining !== 0 || !valid(partition) || !vps.every((v) => valid(v.counters))) return null
  return { vps, partition }
}

registerSaveSection('hv.stats', {
  version: 1,
  save(p: Partition, hv: Hypervisor) {
    const vps = p.liveVps()
    const block = hv.stats.partitionCountersOf(p)
    const w = new ByteWriter().u16(block.length)
    block.forEach((x) => w.f64(x))
    w.u16(vps.length)
    for (const vp of vps) {
      w.u32(vp.index)
      for (const index of STATS_MSRS) {
        const v = hv.msrs.get(index)?.read(vp)
        w.u64(typeof v === 'bigint' ? v : 0n)
      }
      w.u16(vp.counters.length)
      vp.counters.forEach((x) => w.f64(x))
    }
    return w.finish()
  },
  check: (p, data) => (parse(p, data) ? R.HvStateComplete : R.HvStateCorruptData),
  restore(p, data, _version, hv) {
    const s = parse(p, data)
    if (!s) return
    for (const v of s.vps) {
      const vp = p.vp(v.index)!
      STATS_MSRS.forEach((index, i) => {
        const msr = hv.msrs.get(index)
        // The write maps (or unmaps) the page as the guest's own WRMSR did before the save.
        if (msr && msr.read(vp) !== v.msrs[i]) msr.write(vp, v.msrs[i])
      })
      vp.counters.fill(0)
      vp.counters.set(v.counters)
    }
    const block = hv.stats.partitionCountersOf(p)
    block.fill(0)
    block.set(s.partition.subarray(0, block.length))
  },
})
