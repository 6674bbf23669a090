import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ErrorCode, HvError } from '../../../contract'
import { serverWsUrl, useHostStore } from '../../../renderer/src/stores/hosts'
import { useVmStore } from '../../../renderer/src/stores/vms'
import { useErrorStore } from '../../../renderer/src/stores/errors'
import { fakeClient } from './fake-client'

const info = { version: '1', platform: 'x', guests: [], problems: [], features: {}, dataDir: '/d' }

beforeEach(() => setActivePinia(createPinia()))

describe('serverWsUrl', () => {
  it('builds the contract URL from an address and token, or a pasted serve URL', () => {
    expect(serverWsUrl('http://10.0.0.2:8080/', 'abc')).toBe('ws://10.0.0.2:8080/ws?token=abc')
    expect(serverWsUrl('127.0.0.1:5', 'a b')).toBe('ws://127.0.0.1:5/ws?token=a%20b')
    expect(serverWsUrl('http://127.0.0.1:5/?token=T', '')).toBe('ws://127.0.0.1:5/ws?token=T')
    expect(() => serverWsUrl('http://127.0.0.1:5/', '')).toThrow(/token/)
  })
})

describe('hosts store', () => {
  function setup() {
    const local = fakeClient({ 'vm:list': () => [], 'host:info': () => info })
    const made: { url: string; closed: boolean }[] = []
    const remotes: ReturnType<typeof fakeClient>[] = []
    const hosts = useHostStore()
    hosts.init(local.client, (url) => {
      const r = remotes.shift()!
      const entry = { url, closed: false }
      made.push(entry)
      return { client: r.client, close: () => (entry.closed = true) }
    })
    return { hosts, local, made, remotes }
  }

  it('does not list a server that refuses the token, and says so', async () => {
    const { hosts, made, remotes } = setup()
    const bad = fakeClient({
      'host:info': () => {
        bad.connection('unauthorized')
        throw new HvError(ErrorCode.TRANSPORT, 'closed')
      },
    })
    remotes.push(bad)
    expect(await hosts.addServer('http://127.0.0.1:9/', 'wrong')).toBe(false)
    expect(hosts.hosts.map((h) => h.id)).toEqual(['local'])
    expect(made).toEqual([{ url: 'ws://127.0.0.1:9/ws?token=wrong', closed: true }])
    expect(useErrorStore().toasts[0]!.message).toMatch(/refused the token/)
  })

  it('lists a server that answers and shows its VMs, then switches back', async () => {
    const { hosts, local, remotes } = setup()
    const remoteVm = { id: 'r1', config: { name: 'remote' } }
    const good = fakeClient({ 'host:info': () => info, 'vm:list': () => [remoteVm] })
    remotes.push(good)
    expect(await hosts.addServer('127.0.0.1:9', 'tok')).toBe(true)
    expect(hosts.hosts.map((h) => h.label)).toEqual(['This computer', '127.0.0.1:9'])
    expect(hosts.currentId).toBe('remote-1')
    good.connection('connected')
    const vms = useVmStore()
    await expect.poll(() => vms.vms.map((v) => v.id)).toEqual(['r1'])
    hosts.show('local')
    local.connection('connected')
    await expect.poll(() => vms.vms).toEqual([])
    // Events from the host no longer shown do not reach the list.
    good.emit('vm:changed', { id: 'r2', vm: { ...remoteVm, id: 'r2' } as never })
    expect(vms.vms).toEqual([])
  })
})
