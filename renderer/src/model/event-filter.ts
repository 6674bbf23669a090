/** Filters and exports of the Event Log view (entries of TLFS ch. 19 decoded by the host). */
import type { HvEventLogEntry } from '../../../contract'

export interface EventFilter {
  partition: string
  vp: string
  type: string
  search: string
}

export function matches(e: HvEventLogEntry, f: EventFilter): boolean {
  if (f.partition && e.partitionId !== f.partition) return false
  if (f.vp && String(e.vp ?? '') !== f.vp) return false
  if (f.type && e.name !== f.type) return false
  if (f.search) {
    const hay = `${e.name} ${e.params.join(' ')} ${e.log}`.toLowerCase()
    if (!hay.includes(f.search.toLowerCase())) return false
  }
  return true
}

const csvCell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)

export function toCsv(entries: HvEventLogEntry[]): string {
  const head = 'seq,log,timeStamp,partition,vp,lp,type,name,params'
  const rows = entries.map((e) =>
    [String(e.seq), e.log, String(e.timeStamp), e.partitionId, e.vp === null ? '' : String(e.vp), String(e.lp), '0x' + e.type.toString(16), e.name, e.params.join(' ')].map(csvCell).join(','),
  )
  return [head, ...rows].join('\n') + '\n'
}
