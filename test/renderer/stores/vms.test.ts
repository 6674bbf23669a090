import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ErrorCode, HvError, type VmState, type VmSummary } from '../../../contract'
import { useVmStore } from '../../../renderer/src/stores/vms'
import { useErrorStore } from '../../../renderer/src/stores/errors'
import { fakeClient } from './fake-client'

function vm(id: string, state: VmState = 'Off'): VmSummary {
  return {
    id,
    config: { name: `VM ${id}`, memoryMiB: 64, cpus: 1, boot: { kind: 'bundled', guest: 'hello' }, clock: 'host', comPorts: 2, onTripleFault: 'stop', notes: '' },
    state,
    createdAt: 1,
    startedAt: state === 'Running' ? 2 : null,
    cpuUsagePercent: null,
    instructionsPerSecond: null,
    assignedMemoryMiB: state === 'Running' ? 64 : 0,
    status: '',
    lastStop: null,
  }
}

const info = { version: '1.2.3', platform: 'linux-x64', guests: [{ name: 'hello', description: 'hello.elf' }], problems: ['bad file'] }

beforeEach(() => setActivePinia(createPinia()))

describe('vm store', () => {
  it('loads the list and host info when the connection opens', async () => {
    const f = fakeClient({ 'vm:list': () => [vm('a'), vm('b')], 'host:info': () => info })
    const store = useVmStore()
    store.attach(f.client)
    expect(store.loaded).toBe(false)
    f.connection('connected')
    await expect.poll(() => store.loaded).toBe(true)
    expect(store.vms.map((v) => v.id)).toEqual(['a', 'b'])
    expect(store.selectedId).toBe('a')
    expect(store.guests).toEqual(info.guests)
    expect(store.hostProblems).toEqual(['bad file'])
    expect(store.connection).toBe('connected')
  })

  it('applies vm:changed events: update, add, and delete moving the selection', async () => {
    const f = fakeClient({ 'vm:list': () => [vm('a'), vm('b')], 'host:info': () => info })
    const store = useVmStore()
    store.attach(f.client)
    await store.refresh()
    f.emit('vm:changed', { id: 'a', vm: vm('a', 'Running') })
    expect(store.vms[0]!.state).toBe('Running')
    f.emit('vm:changed', { id: 'c', vm: vm('c') })
    expect(store.vms.map((v) => v.id)).toEqual(['a', 'b', 'c'])
    f.emit('vm:changed', { id: 'a', vm: null })
    expect(store.vms.map((v) => v.id)).toEqual(['b', 'c'])
    expect(store.selectedId).toBe('b')
  })

  it('enables actions by state, like the host rules', async () => {
    const f = fakeClient({ 'vm:list': () => [vm('a'), vm('r', 'Running')], 'host:info': () => info })
    const store = useVmStore()
    store.attach(f.client)
    await store.refresh()
    expect([store.canStart, store.canTurnOff, store.canDelete, store.canConnect]).toEqual([true, false, true, true])
    store.select('r')
    expect([store.canStart, store.canTurnOff, store.canDelete, store.canConnect]).toEqual([false, true, false, true])
    store.select(null)
    expect([store.canStart, store.canTurnOff, store.canDelete, store.canConnect]).toEqual([false, false, false, false])
  })

  it('reports a refused command as an error toast with its code, and clears busy', async () => {
    const f = fakeClient({
      'vm:list': () => [vm('a')],
      'host:info': () => info,
      'vm:start': () => {
        throw new HvError(ErrorCode.INVALID_STATE, '"VM a" is already Running')
      },
    })
    const store = useVmStore()
    store.attach(f.client)
    await store.refresh()
    await store.start('a')
    const errors = useErrorStore()
    expect(errors.toasts).toHaveLength(1)
    expect(errors.toasts[0]).toMatchObject({ title: 'Starting "VM a" failed', code: 'INVALID_STATE', message: '"VM a" is already Running' })
    expect(store.busy).toEqual({})
    expect(f.calls.filter((c) => c.channel === 'vm:start')).toEqual([{ channel: 'vm:start', args: { id: 'a' } }])
  })

  it('creates a VM and selects it', async () => {
    const f = fakeClient({ 'vm:create': (args) => ({ ...vm('n'), config: (args as { config: VmSummary['config'] }).config }) })
    const store = useVmStore()
    store.attach(f.client)
    const config = { ...vm('x').config, name: 'Fresh' }
    const created = await store.create(config)
    expect(created?.config.name).toBe('Fresh')
    expect(store.selectedId).toBe('n')
    expect(store.vms.map((v) => v.config.name)).toEqual(['Fresh'])
  })
})

describe('vm store: issue 8 actions, sorting, selection, stats', () => {
  async function loaded(list: VmSummary[], handlers: Parameters<typeof fakeClient>[0] = {}) {
    const f = fakeClient({ 'vm:list': () => list, 'host:info': () => info, ...handlers })
    const store = useVmStore()
    store.attach(f.client)
    await store.refresh()
    return { f, store }
  }

  it('refuses an action the state forbids without asking the host, saying why', async () => {
    const { f, store } = await loaded([vm('a')])
    await store.pause('a')
    expect(f.calls.some((c) => c.channel === 'vm:pause')).toBe(false)
    expect(useErrorStore().toasts[0]).toMatchObject({ kind: 'refused', message: '"VM a" is Off; only a VM that is Running can be paused' })
  })

  it('sends pause, resume, reset and shut down for a running VM and applies the answers', async () => {
    const { f, store } = await loaded([vm('r', 'Running')], {
      'vm:pause': () => vm('r', 'Paused'),
      'vm:resume': () => vm('r', 'Running'),
      'vm:reset': () => vm('r', 'Running'),
      'vm:shutDown': () => vm('r', 'Running'),
    })
    await store.pause('r')
    expect(store.vms[0]!.state).toBe('Paused')
    await store.resume('r')
    await store.reset('r')
    await store.shutDown('r')
    expect(f.calls.map((c) => c.channel).filter((c) => c.startsWith('vm:') && c !== 'vm:list')).toEqual(['vm:pause', 'vm:resume', 'vm:reset', 'vm:shutDown'])
    expect(useErrorStore().toasts.at(-1)).toMatchObject({ kind: 'info', title: 'Shut down requested for "VM r"' })
  })

  it('renames through vm:update with the rest of the config unchanged', async () => {
    const { f, store } = await loaded([vm('a')], { 'vm:update': (args) => ({ ...vm('a'), config: (args as { config: VmSummary['config'] }).config }) })
    await store.rename('a', 'Better name')
    expect(f.calls.at(-1)).toEqual({ channel: 'vm:update', args: { id: 'a', config: { ...vm('a').config, name: 'Better name' } } })
    expect(store.vms[0]!.config.name).toBe('Better name')
  })

  it('sorts by a column, reversing on a second click, and by state in Hyper-V order', async () => {
    const b = { ...vm('b', 'Running'), config: { ...vm('b').config, name: 'beta' } }
    const a = { ...vm('a'), config: { ...vm('a').config, name: 'Alpha' } }
    const c = { ...vm('c', 'Paused'), config: { ...vm('c').config, name: 'charlie' } }
    const { store } = await loaded([b, c, a])
    expect(store.sorted.map((v) => v.id)).toEqual(['a', 'b', 'c'])
    store.sortBy('name')
    expect(store.sorted.map((v) => v.id)).toEqual(['c', 'b', 'a'])
    store.sortBy('state')
    expect(store.sorted.map((v) => v.state)).toEqual(['Running', 'Paused', 'Off'])
  })

  it('selects with toggle and range in the displayed order', async () => {
    const { store } = await loaded([vm('a'), vm('b'), vm('c'), vm('d')])
    store.select('b')
    store.select('d', 'range')
    expect(store.selectedIds).toEqual(['b', 'c', 'd'])
    store.select('c', 'toggle')
    expect(store.selectedIds).toEqual(['b', 'd'])
    store.select('a')
    expect(store.selectedIds).toEqual(['a'])
  })

  it('keeps a CPU history per VM from vm:stats and drops it when the VM turns off', async () => {
    const { f, store } = await loaded([vm('r', 'Running')])
    for (const p of [5, 7, 9]) f.emit('vm:stats', { id: 'r', at: p, instructions: p, instructionsPerSecond: p, cpuUsagePercent: p })
    expect(store.cpuHistory.r).toEqual([5, 7, 9])
    f.emit('vm:changed', { id: 'r', vm: vm('r', 'Off') })
    expect(store.cpuHistory.r).toBeUndefined()
  })
})
