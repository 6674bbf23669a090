/**
 * The statistics page format of TLFS 21.1 / appendix J: tightly packed groups, each an 8-byte
 * packed header {Type u16, Version u32, Length u16} followed by u64 counters, ended by a
 * header of type HV_STATISTICS_TYPE_END_OF_LIST. Rendering writes counters as two u32 halves
 * (no BigInt); `decodeStatsPage` turns a page back into named counters for the UI, accepting
 * a group when its major version matches and its minor version is at least the expected one.
 */
import {
  HCA_COUNTERS, HV_STATISTICS_TYPE_END_OF_LIST, HV_STATISTICS_VERSION_1_0, HvStatsObjectType as T, LPA_COUNTERS,
  PA_COUNTERS, PV_COUNTERS, VPA_COUNTERS, VPV_COUNTERS,
} from './stats-types'

export const STATS_PAGE_SIZE = 4096
const TWO32 = 0x100000000

/** Writes groups into one page; reuse one instance per page (no allocation per refresh). */
export class StatsPageWriter {
  private off = 0
  private groupStart = 0
  view!: DataView

  begin(view: DataView): this {
    this.view = view
    this.off = 0
    return this
  }

  /** Start a group of `count` counters; counters are then set with `counter(i, v)`, i from 1. */
  group(id: number, count: number): this {
    const v = this.view
    this.groupStart = this.off
    v.setUint16(this.off, id, true)
    v.setUint32(this.off + 2, HV_STATISTICS_VERSION_1_0, true)
    v.setUint16(this.off + 6, count * 8, true)
    this.off += 8 + count * 8
    return this
  }

  counter(i: number, value: number): this {
    const at = this.groupStart + 8 * i
    const n = value > 0 ? Math.floor(value) : 0
    this.view.setUint32(at, n % TWO32, true)
    this.view.setUint32(at + 4, Math.floor(n / TWO32), true)
    return this
  }

  /** Write the END_OF_LIST header {0, 0, 0} and zero the rest of the page. */
  end(): void {
    const v = this.view
    v.setUint16(this.off, HV_STATISTICS_TYPE_END_OF_LIST, true)
    v.setUint32(this.off + 2, 0, true)
    v.setUint16(this.off + 6, 0, true)
    for (let i = this.off + 8; i < v.byteLength; i++) v.setUint8(i, 0)
  }
}

export interface StatsCounter {
  /** Group short name of appendix J: HCA, LPA, LPV, PA, PV, VPA, VPV. */
  group: string
  index: number
  name: string
  value: number
}

interface GroupInfo {
  name: string
  counters: readonly string[]
}
const GROUPS: Record<number, Record<number, GroupInfo>> = {
  [T.HvStatsObjectHypervisor]: { 2: { name: 'HCA', counters: HCA_COUNTERS } },
  [T.HvStatsObjectLogicalProcessor]: { 2: { name: 'LPA', counters: LPA_COUNTERS }, 3: { name: 'LPV', counters: [] } },
  [T.HvStatsObjectPartition]: { 2: { name: 'PA', counters: PA_COUNTERS }, 3: { name: 'PV', counters: PV_COUNTERS } },
  [T.HvStatsObjectVp]: { 2: { name: 'VPA', counters: VPA_COUNTERS }, 3: { name: 'VPV', counters: VPV_COUNTERS } },
}

/** 21.1: a reader accepts a group whose major version equals and whose minor is at least the expected. */
export function acceptsStatsVersion(expected: number, actual: number): boolean {
  return actual >>> 16 === expected >>> 16 && (actual & 0xffff) >= (expected & 0xffff)
}

/**
 * Decode a stats page of object type `type`. Groups with an unknown ID or an unacceptable
 * version are skipped; counters appended by a newer minor version get the name "Counter i".
 */
export function decodeStatsPage(type: number, bytes: Uint8Array): StatsCounter[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, STATS_PAGE_SIZE))
  const known = GROUPS[type] ?? {}
  const out: StatsCounter[] = []
  let off = 0
  while (off + 8 <= v.byteLength) {
    const id = v.getUint16(off, true)
    const version = v.getUint32(off + 2, true)
    const length = v.getUint16(off + 6, true)
    if (id === HV_STATISTICS_TYPE_END_OF_LIST) break
    const info = known[id]
    if (info && acceptsStatsVersion(HV_STATISTICS_VERSION_1_0, version)) {
      const count = Math.floor(length / 8)
      for (let i = 1; i <= count && off + 8 * i + 8 <= v.byteLength; i++) {
        const at = off + 8 * i
        const value = v.getUint32(at + 4, true) * TWO32 + v.getUint32(at, true)
        out.push({ group: info.name, index: i, name: info.counters[i - 1] ?? `Counter ${i}`, value })
      }
    }
    off += 8 + length
  }
  return out
}
