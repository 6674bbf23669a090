/**
 * The hosts in the navigation tree: "This computer" (the transport this window started with)
 * and remote servers added with "Connect to Server…" (a `hv-manager serve` URL and its
 * token). Selecting a host re-attaches the VM and console stores to that host's client. A
 * server that refuses the token is not added, and the user is told why.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { ErrorCode, HvError, type HostSettings, type HostSettingsResult, type StopAllMode, type StopAllResult } from '../../../contract'
import type { ConnectionState, HvClient } from '../transport/hv-client'
import { useConsoleStore } from './consoles'
import { useErrorStore } from './errors'
import { useVmStore } from './vms'
import { useTransferStore } from './transfers'

export interface HostEntry {
  id: string
  label: string
  client: HvClient
  state: ConnectionState
  close?: () => void
}

export type ClientFactory = (wsUrl: string) => { client: HvClient; close(): void }

const CONNECT_TIMEOUT_MS = 10_000

/** The contract's WebSocket URL for a server address (http(s)://host:port/… or host:port) and token. */
export function serverWsUrl(address: string, token: string): string {
  const text = address.trim()
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `http://${text}`
  const url = new URL(withScheme)
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) throw new Error('The address must start with http:// or https://')
  const fromUrl = url.searchParams.get('token')
  const t = token.trim() || fromUrl || ''
  if (!t) throw new Error('Enter the token printed by "hv-manager serve" (the part after ?token=)')
  const proto = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:'
  return `${proto}//${url.host}/ws?token=${encodeURIComponent(t)}`
}

export const useHostStore = defineStore('hosts', () => {
  const hosts = ref<HostEntry[]>([])
  const currentId = ref('local')
  const factory = shallowRef<ClientFactory | null>(null)
  let detach: (() => void) | null = null
  let nextId = 1

  const current = computed(() => hosts.value.find((h) => h.id === currentId.value) ?? null)

  function watchState(entry: HostEntry): void {
    entry.client.onConnection((s) => {
      const h = hosts.value.find((x) => x.id === entry.id)
      if (h) h.state = s
    })
  }

  /** Registers the window's own host and shows it. */
  function init(local: HvClient, f: ClientFactory): void {
    factory.value = f
    const entry: HostEntry = { id: 'local', label: 'This computer', client: local, state: 'connecting' }
    hosts.value = [entry]
    watchState(entry)
    show('local')
  }

  function show(id: string): void {
    const h = hosts.value.find((x) => x.id === id)
    if (!h) return
    detach?.()
    currentId.value = id
    const vms = useVmStore()
    const consoles = useConsoleStore()
    const offConsoles = consoles.attach(h.client)
    const offVms = vms.attach(h.client)
    const offTransfers = useTransferStore().attach(h.client)
    detach = () => {
      offConsoles()
      offVms()
      offTransfers()
    }
  }

  /** Connects to a server; resolves true once it is listed (and shown). */
  async function addServer(address: string, token: string): Promise<boolean> {
    const errors = useErrorStore()
    let url: string
    try {
      url = serverWsUrl(address, token)
    } catch (e) {
      errors.report('Connecting to the server', new HvError(ErrorCode.INVALID_ARGUMENT, (e as Error).message))
      return false
    }
    const made = factory.value!(url)
    // A wrong token is accepted at the WebSocket level and closed at once (4401), so "open"
    // proves nothing: only an answered request does.
    let last = 'connecting' as ConnectionState
    const off = made.client.onConnection((s) => (last = s))
    const answered = await Promise.race([
      made.client.invoke('host:info', {}).then(() => true, () => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS)),
    ])
    off()
    if (!answered) {
      made.close()
      const why =
        last === 'unauthorized'
          ? 'The server refused the token. Copy the exact token printed by "hv-manager serve" on that computer.'
          : `No HV Manager host answered at ${new URL(url).host}. Check the address and that "hv-manager serve" is running there.`
      errors.report('Connecting to the server', new HvError(ErrorCode.TRANSPORT, why))
      return false
    }
    const state: ConnectionState = 'connected'
    const label = new URL(url.replace(/^ws/, 'http')).host
    const entry: HostEntry = { id: `remote-${nextId++}`, label, client: made.client, state, close: made.close }
    hosts.value.push(entry)
    watchState(entry)
    show(entry.id)
    errors.notify(`Connected to ${label}`)
    return true
  }

  function removeServer(id: string): void {
    if (id === 'local') return
    const h = hosts.value.find((x) => x.id === id)
    h?.close?.()
    hosts.value = hosts.value.filter((x) => x.id !== id)
    if (currentId.value === id) show('local')
  }

  /** Hypervisor Settings of the shown host; null when they could not be read (reported). */
  async function loadSettings(): Promise<HostSettingsResult | null> {
    try {
      return await current.value!.client.invoke('host:getSettings', {})
    } catch (e) {
      useErrorStore().report('Reading the Hypervisor Settings', e)
      return null
    }
  }

  async function saveSettings(settings: HostSettings): Promise<HostSettingsResult | null> {
    try {
      return await current.value!.client.invoke('host:setSettings', { settings })
    } catch (e) {
      useErrorStore().report('Saving the Hypervisor Settings', e)
      return null
    }
  }

  /** Stop All on the shown host; the VMs it refused or could not stop are reported with their reason. */
  async function stopAll(mode: StopAllMode): Promise<StopAllResult | null> {
    const errors = useErrorStore()
    let r: StopAllResult
    try {
      r = await current.value!.client.invoke('host:stopAll', { mode })
    } catch (e) {
      errors.report('Stop All', e)
      return null
    }
    for (const v of r.vms) {
      if (v.result === 'refused' || v.result === 'failed') errors.report(`Stopping "${v.name}"`, new HvError(v.result === 'refused' ? ErrorCode.INVALID_STATE : ErrorCode.MACHINE, v.message))
    }
    return r
  }

  return { hosts, currentId, current, init, show, addServer, removeServer, loadSettings, saveSettings, stopAll }
})
