/**
 * Per-second rates and short histories for the Statistics view: stats pages hold cumulative
 * counts ("…/sec" counters, TLFS appendix J); the reader derives rates from two samples.
 */
import type { HvStatsResult } from '../../../contract'

export interface CounterRow {
  key: string
  object: string
  group: string
  name: string
  value: number
  /** Change per second since the previous sample; null for the first. */
  rate: number | null
  history: number[]
}

const HISTORY = 60

export function objectLabel(kind: string, index: number): string {
  if (kind === 'hypervisor') return 'Hypervisor'
  if (kind === 'partition') return 'Partition'
  return `${kind === 'lp' ? 'Logical processor' : 'Virtual processor'} ${index}`
}

/** Folds a new sample into the rows (keyed by object + group + counter), keeping histories. */
export function foldSample(prev: Map<string, CounterRow>, prevAt: number | null, s: HvStatsResult): Map<string, CounterRow> {
  const next = new Map<string, CounterRow>()
  const dt = prevAt === null ? 0 : (s.at - prevAt) / 1000
  for (const o of s.objects) {
    const object = objectLabel(o.kind, o.index)
    for (const c of o.counters) {
      const key = `${object}|${c.group}|${c.name}`
      const old = prev.get(key)
      const rate = old && dt > 0 ? Math.max(0, (c.value - old.value) / dt) : null
      const history = [...(old?.history ?? []), rate ?? 0].slice(-HISTORY)
      next.set(key, { key, object, group: c.group, name: c.name, value: c.value, rate, history })
    }
  }
  return next
}
