// @vitest-environment happy-dom
/**
 * The Event Log view mounted in a DOM against a fake host that logs new entries as time
 * passes: polling by cursor (newest first), the partition / VP / type filters and search,
 * Pause (no polling, nothing new shown) and Resume, the lost count, and CSV export.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { HvEventLogEntry, HvEventLogResult } from '../../../contract'
import type { HvClient } from '../../../renderer/src/transport/hv-client'
import EventLogView from '../../../renderer/src/components/hv/EventLogView.vue'

function entry(seq: number, name: string, vp: number | null, params: string[] = [], partitionId = '2'): HvEventLogEntry {
  return { seq, log: name.startsWith('HV_TR_OB_') ? 'GlobalSystemEvents' : 'LocalDiagnostics', type: 0x100 + seq, name, timeStamp: seq * 1000, lp: 0, partitionId, vp, params }
}

/** A host whose log grows by `batches[i]` before the i-th call; records every cursor asked for. */
function fakeHost(batches: HvEventLogEntry[][], lost = 0) {
  const log: HvEventLogEntry[] = []
  const cursors: number[] = []
  const client = {
    invoke: vi.fn(async (channel: string, args: { id: string; cursor: number }): Promise<HvEventLogResult> => {
      expect(channel).toBe('vm:eventLog')
      expect(args.id).toBe('vm1')
      cursors.push(args.cursor)
      log.push(...(batches.shift() ?? []))
      const entries = log.filter((e) => e.seq > args.cursor)
      return { id: args.id, entries, cursor: entries.length ? entries[entries.length - 1]!.seq : args.cursor, lost }
    }),
    on: () => () => {},
    onConnection: () => () => {},
  }
  return { client: client as unknown as HvClient, cursors, calls: () => client.invoke.mock.calls.length }
}

let wrapper: VueWrapper | null = null
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.useRealTimers()
})

async function open(host: ReturnType<typeof fakeHost>) {
  wrapper = mount(EventLogView, { props: { vmId: 'vm1', client: host.client }, attachTo: document.body })
  await flushPromises()
  return wrapper
}
const names = (w: VueWrapper) => w.findAll('[data-testid="event-row"] td:nth-child(6)').map((c) => c.text())
const seqs = (w: VueWrapper) => w.findAll('[data-testid="event-row"] td:nth-child(1)').map((c) => Number(c.text()))
const tick = async () => {
  await vi.advanceTimersByTimeAsync(1000)
  await flushPromises()
}

const first = [
  entry(1, 'HV_TR_OB_CREATE_PARTITION', null, ['0x2', '0x0']),
  entry(2, 'HV_TR_VP_CREATE_VP', 0, ['0x2', '0x0', '0x0']),
  entry(3, 'HV_TR_IM_IO_PORT_READ', 0, ['0x3fd']),
  entry(4, 'HV_TR_IM_IO_PORT_WRITE', 1, ['0x3f8']),
]

describe('EventLogView', () => {
  it('polls by cursor and shows new entries first, with their decoded columns', async () => {
    const host = fakeHost([first, [entry(5, 'HV_TR_HC_POST_MESSAGE', 0, ['0x5c'])]])
    const w = await open(host)
    expect(seqs(w)).toEqual([4, 3, 2, 1])
    const row = w.findAll('[data-testid="event-row"]')[3]!.findAll('td').map((c) => c.text())
    expect(row).toEqual(['1', '1000', 'System', '2', '', 'HV_TR_OB_CREATE_PARTITION', '0x2 0x0'])
    await tick()
    expect(host.cursors).toEqual([0, 4])
    expect(seqs(w)).toEqual([5, 4, 3, 2, 1])
    expect(w.text()).toContain('5 entries')
  })

  it('filters by event type, VP and partition, and searches names and parameters', async () => {
    const host = fakeHost([[...first, entry(5, 'HV_TR_OB_CREATE_PARTITION', null, ['0x3', '0x0'], '3')]])
    const w = await open(host)
    const typeOptions = w.findAll('select[aria-label="Event type"] option').map((o) => o.text())
    expect(typeOptions).toEqual(['All events', 'HV_TR_IM_IO_PORT_READ', 'HV_TR_IM_IO_PORT_WRITE', 'HV_TR_OB_CREATE_PARTITION', 'HV_TR_VP_CREATE_VP'])
    await w.get('select[aria-label="Event type"]').setValue('HV_TR_IM_IO_PORT_READ')
    expect(names(w)).toEqual(['HV_TR_IM_IO_PORT_READ'])
    await w.get('select[aria-label="Event type"]').setValue('')
    await w.get('select[aria-label="Virtual processor"]').setValue('1')
    expect(seqs(w)).toEqual([4])
    await w.get('select[aria-label="Virtual processor"]').setValue('')
    await w.get('select[aria-label="Partition"]').setValue('3')
    expect(seqs(w)).toEqual([5])
    await w.get('select[aria-label="Partition"]').setValue('')
    await w.get('input[aria-label="Search"]').setValue('0X3F')
    expect(seqs(w)).toEqual([4, 3])
    await w.get('input[aria-label="Search"]').setValue('create')
    expect(seqs(w)).toEqual([5, 2, 1])
  })

  it('Pause stops polling and the list; Resume catches up from the cursor', async () => {
    const host = fakeHost([first, [entry(5, 'HV_TR_IM_IO_PORT_READ', 0)], [entry(6, 'HV_TR_IM_IO_PORT_READ', 0)]])
    const w = await open(host)
    const pause = w.findAll('button').find((b) => b.text() === 'Pause')!
    await pause.trigger('click')
    expect(pause.text()).toBe('Resume')
    const calls = host.calls()
    await tick()
    await tick()
    expect(host.calls()).toBe(calls)
    expect(seqs(w)).toEqual([4, 3, 2, 1])
    await pause.trigger('click')
    expect(pause.text()).toBe('Pause')
    await tick()
    await tick()
    expect(seqs(w)).toEqual([6, 5, 4, 3, 2, 1])
    expect(host.cursors).toEqual([0, 4, 5])
  })

  it('shows how many events the hypervisor lost', async () => {
    const w = await open(fakeHost([first], 7))
    expect(w.text()).toContain('4 entries, 7 lost')
  })

  it('exports the filtered entries as CSV', async () => {
    const w = await open(fakeHost([first]))
    await w.get('select[aria-label="Event type"]').setValue('HV_TR_IM_IO_PORT_WRITE')
    const blobs: Blob[] = []
    const create = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => (blobs.push(b as Blob), 'blob:x'))
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    await w.findAll('button').find((b) => b.text() === 'Export CSV')!.trigger('click')
    expect(blobs).toHaveLength(1)
    const csv = await blobs[0]!.text()
    expect(csv.split('\n')).toEqual(['seq,log,timeStamp,partition,vp,lp,type,name,params', '4,LocalDiagnostics,4000,2,1,0,0x104,HV_TR_IM_IO_PORT_WRITE,0x3f8', ''])
    create.mockRestore()
    revoke.mockRestore()
  })
})
