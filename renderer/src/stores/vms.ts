/**
 * The VM list, the selection (one focused VM plus a multi-selection), sorting, live CPU
 * history and the lifecycle actions. The list is loaded once and then kept current by
 * `vm:changed` and `vm:stats` events; actions report contract errors to the error store
 * instead of throwing, and refuse up front (with the reason) what the host would refuse.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { BundledGuest, HostFeatures, VmConfig, VmSummary } from '../../../contract'
import type { ConnectionState, HvClient } from '../transport/hv-client'
import { actionState, type VmAction } from '../model/vm-actions'
import { useErrorStore } from './errors'

export type SortKey = 'name' | 'state' | 'cpu' | 'memory' | 'uptime' | 'status'
/** CPU samples kept per VM for the details pane's sparkline (one a second: two minutes). */
export const HISTORY_SAMPLES = 120

const stateOrder = ['Running', 'Starting', 'Paused', 'Saving', 'Restoring', 'Stopping', 'Saved', 'Off']

export const useVmStore = defineStore('vms', () => {
  const client = shallowRef<HvClient | null>(null)
  const vms = ref<VmSummary[]>([])
  const selectedId = ref<string | null>(null)
  const selectedIds = ref<string[]>([])
  const guests = ref<BundledGuest[]>([])
  const hostProblems = ref<string[]>([])
  const hostVersion = ref('')
  const features = ref<Partial<HostFeatures>>({})
  const dataDir = ref('')
  const connection = ref<ConnectionState>('connecting')
  const loaded = ref(false)
  const sortKey = ref<SortKey>('name')
  const sortAsc = ref(true)
  const cpuHistory = ref<Record<string, number[]>>({})
  /** VM ids with a command in flight (actions disable meanwhile). */
  const busy = ref<Record<string, boolean>>({})

  const selected = computed(() => vms.value.find((v) => v.id === selectedId.value) ?? null)
  const sorted = computed(() => {
    const key = (v: VmSummary): string | number => {
      switch (sortKey.value) {
        case 'name': return v.config.name.toLowerCase()
        case 'state': return stateOrder.indexOf(v.state)
        case 'cpu': return v.cpuUsagePercent ?? -1
        case 'memory': return v.assignedMemoryMiB
        case 'uptime': return v.startedAt === null ? Number.POSITIVE_INFINITY : v.startedAt
        case 'status': return v.status.toLowerCase()
      }
    }
    const dir = sortAsc.value ? 1 : -1
    // Uptime sorts by start time: earlier start = longer uptime, so invert.
    const flip = sortKey.value === 'uptime' ? -1 : 1
    return [...vms.value].sort((a, b) => {
      const x = key(a)
      const y = key(b)
      return (x < y ? -1 : x > y ? 1 : a.config.name.localeCompare(b.config.name)) * dir * flip
    })
  })

  function can(action: VmAction, vm: VmSummary | null = selected.value): boolean {
    return vm !== null && actionState(vm, action, !!busy.value[vm.id], features.value).enabled
  }
  const canStart = computed(() => can('start'))
  const canTurnOff = computed(() => can('turnOff'))
  const canDelete = computed(() => can('delete'))
  const canConnect = computed(() => can('connect'))

  function api(): HvClient {
    if (!client.value) throw new Error('The VM store is not attached to a host')
    return client.value
  }

  function upsert(vm: VmSummary): void {
    const i = vms.value.findIndex((v) => v.id === vm.id)
    if (i >= 0) vms.value.splice(i, 1, vm)
    else vms.value.push(vm)
    if (vm.state === 'Off' && cpuHistory.value[vm.id]) {
      const { [vm.id]: _, ...rest } = cpuHistory.value
      cpuHistory.value = rest
    }
  }

  function remove(id: string): void {
    vms.value = vms.value.filter((v) => v.id !== id)
    selectedIds.value = selectedIds.value.filter((x) => x !== id)
    if (selectedId.value === id) select(sorted.value[0]?.id ?? null)
  }

  function pushCpu(id: string, percent: number): void {
    const h = [...(cpuHistory.value[id] ?? []), percent]
    cpuHistory.value = { ...cpuHistory.value, [id]: h.slice(-HISTORY_SAMPLES) }
  }

  /** Connects the store to a host; returns a function that detaches it. */
  function attach(c: HvClient): () => void {
    client.value = c
    vms.value = []
    loaded.value = false
    cpuHistory.value = {}
    const offs = [
      c.on('vm:changed', ({ id, vm }) => (vm ? upsert(vm) : remove(id))),
      c.on('vm:stats', (s) => pushCpu(s.id, s.cpuUsagePercent)),
      c.onConnection((s) => {
        const was = connection.value
        connection.value = s
        if (s === 'connected' && (was !== 'connected' || !loaded.value)) void refresh()
      }),
    ]
    return () => offs.forEach((off) => off())
  }

  async function refresh(): Promise<void> {
    try {
      const [list, info] = await Promise.all([api().invoke('vm:list', {}), api().invoke('host:info', {})])
      vms.value = list
      guests.value = info.guests
      hostProblems.value = info.problems
      hostVersion.value = info.version
      features.value = info.features ?? {}
      dataDir.value = info.dataDir ?? ''
      if (!vms.value.some((v) => v.id === selectedId.value)) select(sorted.value[0]?.id ?? null)
      loaded.value = true
    } catch (e) {
      useErrorStore().report('Loading the virtual machines', e)
    }
  }

  /** Selects one VM; `mode` extends (shift) or toggles (ctrl/cmd) the multi-selection. */
  function select(id: string | null, mode: 'only' | 'toggle' | 'range' = 'only'): void {
    if (id === null) {
      selectedId.value = null
      selectedIds.value = []
      return
    }
    if (mode === 'toggle') {
      selectedIds.value = selectedIds.value.includes(id) ? selectedIds.value.filter((x) => x !== id) : [...selectedIds.value, id]
    } else if (mode === 'range' && selectedId.value) {
      const order = sorted.value.map((v) => v.id)
      const [a, b] = [order.indexOf(selectedId.value), order.indexOf(id)].sort((x, y) => x - y)
      selectedIds.value = order.slice(a, b + 1)
      return
    } else {
      selectedIds.value = [id]
    }
    selectedId.value = id
  }

  function sortBy(key: SortKey): void {
    if (sortKey.value === key) sortAsc.value = !sortAsc.value
    else {
      sortKey.value = key
      sortAsc.value = true
    }
  }

  async function run<T>(id: string | null, action: string, fn: () => Promise<T>): Promise<T | null> {
    if (id) busy.value = { ...busy.value, [id]: true }
    try {
      return await fn()
    } catch (e) {
      useErrorStore().report(action, e)
      return null
    } finally {
      if (id) {
        const { [id]: _, ...rest } = busy.value
        busy.value = rest
      }
    }
  }

  const nameOf = (id: string): string => vms.value.find((v) => v.id === id)?.config.name ?? id

  /** Refuses (with the reason, as a toast) an action the host would refuse in this state. */
  function refuse(id: string, action: VmAction, title: string): boolean {
    const vm = vms.value.find((v) => v.id === id)
    if (!vm) return false
    const s = actionState(vm, action, !!busy.value[id], features.value)
    if (s.enabled) return false
    useErrorStore().refused(title, s.reason)
    return true
  }

  /** `location`: the folder for the VM's files (the wizard's Location); absent = the host's default. */
  async function create(config: VmConfig, location?: string): Promise<VmSummary | null> {
    const vm = await run(null, `Creating "${config.name}"`, () => api().invoke('vm:create', location ? { config, location } : { config }))
    if (vm) {
      upsert(vm)
      select(vm.id)
      useErrorStore().notify(`"${vm.config.name}" was created`, 'Select it and choose Start to turn it on.')
    }
    return vm
  }

  const lifecycle = {
    start: { channel: 'vm:start', verb: 'Starting' },
    turnOff: { channel: 'vm:turnOff', verb: 'Turning off' },
    shutDown: { channel: 'vm:shutDown', verb: 'Shutting down' },
    save: { channel: 'vm:save', verb: 'Saving' },
    pause: { channel: 'vm:pause', verb: 'Pausing' },
    resume: { channel: 'vm:resume', verb: 'Resuming' },
    reset: { channel: 'vm:reset', verb: 'Resetting' },
  } as const
  type LifecycleAction = keyof typeof lifecycle

  async function act(action: LifecycleAction, id: string): Promise<void> {
    const { channel, verb } = lifecycle[action]
    const title = `${verb} "${nameOf(id)}"`
    if (refuse(id, action, title)) return
    const vm = await run(id, title, () => api().invoke(channel, { id }))
    if (vm) upsert(vm)
    if (vm && action === 'shutDown' && vm.state !== 'Off') {
      useErrorStore().notify(`Shut down requested for "${vm.config.name}"`, 'The guest was asked to power off; it decides when. Use Turn Off if it does not react.')
    }
  }

  const start = (id: string): Promise<void> => act('start', id)
  const turnOff = (id: string): Promise<void> => act('turnOff', id)
  const shutDown = (id: string): Promise<void> => act('shutDown', id)
  const save = (id: string): Promise<void> => act('save', id)
  const pause = (id: string): Promise<void> => act('pause', id)
  const resume = (id: string): Promise<void> => act('resume', id)
  const reset = (id: string): Promise<void> => act('reset', id)

  async function update(id: string, config: VmConfig): Promise<VmSummary | null> {
    const vm = await run(id, `Saving the settings of "${nameOf(id)}"`, () => api().invoke('vm:update', { id, config }))
    if (vm) upsert(vm)
    return vm
  }

  async function rename(id: string, name: string): Promise<VmSummary | null> {
    const vm = vms.value.find((v) => v.id === id)
    if (!vm) return null
    return update(id, { ...vm.config, name })
  }

  async function deleteVm(id: string): Promise<boolean> {
    if (refuse(id, 'delete', `Deleting "${nameOf(id)}"`)) return false
    const r = await run(id, `Deleting "${nameOf(id)}"`, () => api().invoke('vm:delete', { id }))
    if (r) remove(id)
    return r !== null
  }

  return {
    client, vms, sorted, selectedId, selectedIds, selected, guests, hostProblems, hostVersion, features, dataDir, connection, loaded,
    busy, sortKey, sortAsc, cpuHistory,
    canStart, canTurnOff, canDelete, canConnect, can,
    attach, refresh, select, sortBy, create, start, turnOff, shutDown, save, pause, resume, reset, update, rename, deleteVm, refuse,
  }
})
