/**
 * A partition's reference time (TLFS 12.x reference counter, saved per 17.1.5): the
 * hypervisor's global reference time plus a per-partition offset that a restore sets so the
 * guest's counter continues from the saved value. Timer code (ch. 15) should read
 * `partitionReferenceTime` rather than `hv.referenceTime()` so restored guests see no jump.
 */
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'

const offsets = new WeakMap<Partition, number>()

/** Reference time of `p` in 100 ns units. */
export function partitionReferenceTime(hv: Hypervisor, p: Partition): number {
  return Math.max(0, hv.referenceTime() + (offsets.get(p) ?? 0))
}

/** Make `p`'s reference time read `value` now. */
export function setPartitionReferenceTime(hv: Hypervisor, p: Partition, value: number): void {
  offsets.set(p, value - hv.referenceTime())
}
