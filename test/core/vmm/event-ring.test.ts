import { describe, expect, it } from 'vitest'
import { EVENT_RING_CAPACITY, EventRing } from '../../../core/vmm/root-services'

const rec = (type: number) => ({
  log: 'LocalDiagnostics' as const, type, name: `e${type}`, timeStamp: type, lp: 0, partitionId: '2', vp: 0, params: [] as string[],
})

describe('EventRing (the machine\'s decoded event-log window)', () => {
  it('returns entries after a cursor, oldest first, at most `limit`', () => {
    const r = new EventRing()
    for (let i = 0; i < 5; i++) r.push(rec(i))
    expect(r.since(0, 10).entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    const page = r.since(2, 2)
    expect(page.entries.map((e) => e.type)).toEqual([2, 3])
    expect(page.cursor).toBe(4)
    expect(r.since(5, 10)).toEqual({ entries: [], cursor: 5 })
  })

  it('keeps the newest EVENT_RING_CAPACITY entries when it wraps', () => {
    const r = new EventRing()
    const n = EVENT_RING_CAPACITY + 123
    for (let i = 0; i < n; i++) r.push(rec(i))
    const all = r.since(0, Infinity).entries
    expect(all).toHaveLength(EVENT_RING_CAPACITY)
    expect(all[0].seq).toBe(124)
    expect(all[all.length - 1].seq).toBe(n)
    for (let i = 1; i < all.length; i++) expect(all[i].seq).toBe(all[i - 1].seq + 1)
    // a cursor older than the window starts at the oldest kept entry
    expect(r.since(3, 1).entries[0].seq).toBe(124)
  })
})

describe('EventRing keeps lifecycle events apart from per-instruction ones', () => {
  const named = (name: string, type: number) => ({ ...rec(type), name })

  it('a flood of intercept events does not push out partition creation', () => {
    const r = new EventRing()
    r.push(named('HV_TR_OB_CREATE_PARTITION', 1))
    for (let i = 0; i < EVENT_RING_CAPACITY * 2; i++) r.push(named('HV_TR_IM_IO_PORT_READ', 100))
    r.push(named('HV_TR_VP_CREATE', 2))
    const all = r.since(0, Infinity).entries
    expect(all).toHaveLength(EVENT_RING_CAPACITY + 2)
    expect(all[0].name).toBe('HV_TR_OB_CREATE_PARTITION')
    expect(all[all.length - 1].name).toBe('HV_TR_VP_CREATE')
    for (let i = 1; i < all.length; i++) expect(all[i].seq).toBeGreaterThan(all[i - 1].seq)
  })

  it('merges both kinds in sequence order across a cursor and a limit', () => {
    const r = new EventRing()
    const names = ['HV_TR_OB_CREATE_PARTITION', 'HV_TR_IM_CPUID', 'HV_TR_HC_CALL', 'HV_TR_VP_CREATE', 'HV_TR_IM_MSR_READ', 'HV_TR_SCH_X']
    names.forEach((n, i) => r.push(named(n, i)))
    expect(r.since(0, 10).entries.map((e) => e.name)).toEqual(names)
    const page = r.since(2, 3)
    expect(page.entries.map((e) => e.seq)).toEqual([3, 4, 5])
    expect(page.cursor).toBe(5)
  })
})
