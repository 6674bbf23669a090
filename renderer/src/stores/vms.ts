/**
 * The VM list, the selection and the lifecycle actions. The list is loaded once and then
 * kept current by `vm:changed` events; actions report contract errors to the error store
 * instead of throwing, and `can*` getters mirror the host's state rules so the Actions pane
 * enables only what the host would accept.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { BundledGuest, VmConfig, VmSummary } from '../../../contract'
import type { ConnectionState, HvClient } from '../transport/hv-client'
import { useErrorStore } from './errors'

export const useVmStore = defineStore('vms', () => {
  const client = shallowRef<HvClient | null>(null)
  const vms = ref<VmSummary[]>([])
  const selectedId = ref<string | null>(null)
  const guests = ref<BundledGuest[]>([])
  const hostProblems = ref<string[]>([])
  const hostVersion = ref('')
  const connection = ref<ConnectionState>('connecting')
  const loaded = ref(false)
  /** VM ids with a command in flight (buttons disable meanwhile). */
  const busy = ref<Record<string, boolean>>({})

  const selected = computed(() => vms.value.find((v) => v.id === selectedId.value) ?? null)
  const canStart = computed(() => selected.value?.state === 'Off' && !busy.value[selected.value.id])
  const canTurnOff = computed(() => {
    const s = selected.value?.state
    return (s === 'Running' || s === 'Starting' || s === 'Paused') && !busy.value[selected.value!.id]
  })
  const canDelete = computed(() => selected.value?.state === 'Off' && !busy.value[selected.value.id])
  const canConnect = computed(() => selected.value !== null)

  function api(): HvClient {
    if (!client.value) throw new Error('The VM store is not attached to a host')
    return client.value
  }

  function upsert(vm: VmSummary): void {
    const i = vms.value.findIndex((v) => v.id === vm.id)
    if (i >= 0) vms.value.splice(i, 1, vm)
    else vms.value.push(vm)
  }

  function remove(id: string): void {
    vms.value = vms.value.filter((v) => v.id !== id)
    if (selectedId.value === id) selectedId.value = vms.value[0]?.id ?? null
  }

  /** Connects the store to a host; returns a function that detaches it. */
  function attach(c: HvClient): () => void {
    client.value = c
    const offs = [
      c.on('vm:changed', ({ id, vm }) => (vm ? upsert(vm) : remove(id))),
      c.onConnection((s) => {
        const was = connection.value
        connection.value = s
        if (s === 'connected' && was !== 'connected') void refresh()
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
      if (!vms.value.some((v) => v.id === selectedId.value)) selectedId.value = vms.value[0]?.id ?? null
      loaded.value = true
    } catch (e) {
      useErrorStore().report('Loading the virtual machines', e)
    }
  }

  function select(id: string | null): void {
    selectedId.value = id
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

  async function create(config: VmConfig): Promise<VmSummary | null> {
    const vm = await run(null, `Creating "${config.name}"`, () => api().invoke('vm:create', { config }))
    if (vm) {
      upsert(vm)
      selectedId.value = vm.id
    }
    return vm
  }

  const nameOf = (id: string): string => vms.value.find((v) => v.id === id)?.config.name ?? id

  async function start(id: string): Promise<void> {
    const vm = await run(id, `Starting "${nameOf(id)}"`, () => api().invoke('vm:start', { id }))
    if (vm) upsert(vm)
  }

  async function turnOff(id: string): Promise<void> {
    const vm = await run(id, `Turning off "${nameOf(id)}"`, () => api().invoke('vm:turnOff', { id }))
    if (vm) upsert(vm)
  }

  async function deleteVm(id: string): Promise<void> {
    const r = await run(id, `Deleting "${nameOf(id)}"`, () => api().invoke('vm:delete', { id }))
    if (r) remove(id)
  }

  return {
    client, vms, selectedId, selected, guests, hostProblems, hostVersion, connection, loaded, busy,
    canStart, canTurnOff, canDelete, canConnect,
    attach, refresh, select, create, start, turnOff, deleteVm,
  }
})
