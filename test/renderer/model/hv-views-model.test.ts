/** The Statistics view's rate folding and the Event Log view's filters and CSV export. */
import { describe, expect, it } from 'vitest'
import { foldSample, objectLabel } from '../../../renderer/src/model/stats-rates'
import { matches, toCsv } from '../../../renderer/src/model/event-filter'
import type { HvEventLogEntry, HvStatsResult } from '../../../contract'

const sample = (at: number, io: number): HvStatsResult => ({
  id: 'v', at, partitionId: '2',
  objects: [{ kind: 'vp', index: 1, counters: [{ group: 'VPV', index: 7, name: 'IO Instructions/sec', value: io }] }],
})

describe('stats rates', () => {
  it('derives per-second rates from cumulative counts and keeps a history', () => {
    const a = foldSample(new Map(), null, sample(1000, 100))
    const row = a.get('Virtual processor 1|VPV|IO Instructions/sec')!
    expect(row.rate).toBeNull()
    const b = foldSample(a, 1000, sample(3000, 700))
    const r2 = b.get('Virtual processor 1|VPV|IO Instructions/sec')!
    expect(r2.rate).toBe(300)
    expect(r2.history).toEqual([0, 300])
    expect(objectLabel('lp', 3)).toBe('Logical processor 3')
  })
})

const entry = (over: Partial<HvEventLogEntry>): HvEventLogEntry => ({
  seq: 1, log: 'LocalDiagnostics', type: 0x29, name: 'HV_TR_IM_IO_PORT_WRITE', timeStamp: 5, lp: 0, partitionId: '2', vp: 0, params: ['0x3f8'], ...over,
})

describe('event filters', () => {
  it('filters by partition, VP, type and search text', () => {
    const f = { partition: '', vp: '', type: '', search: '' }
    const e = entry({})
    expect(matches(e, f)).toBe(true)
    expect(matches(e, { ...f, partition: '3' })).toBe(false)
    expect(matches(e, { ...f, vp: '0' })).toBe(true)
    expect(matches(e, { ...f, vp: '1' })).toBe(false)
    expect(matches(entry({ vp: null }), { ...f, vp: '0' })).toBe(false)
    expect(matches(e, { ...f, type: 'HV_TR_IM_HLT_INSTRUCTION' })).toBe(false)
    expect(matches(e, { ...f, search: '3F8' })).toBe(true)
    expect(matches(e, { ...f, search: 'cpuid' })).toBe(false)
  })

  it('exports CSV with a header and quoted cells', () => {
    const csv = toCsv([entry({ params: ['0x1', '0x2'] }), entry({ seq: 2, name: 'a,b' })])
    expect(csv.split('\n')).toEqual([
      'seq,log,timeStamp,partition,vp,lp,type,name,params',
      '1,LocalDiagnostics,5,2,0,0,0x29,HV_TR_IM_IO_PORT_WRITE,0x1 0x2',
      '2,LocalDiagnostics,5,2,0,0,0x29,"a,b",0x3f8',
      '',
    ])
  })
})
