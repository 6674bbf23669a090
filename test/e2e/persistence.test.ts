/**
 * Persistence under kill -9 (issue 8 Proof: "kill the host process in the middle of a save or
 * settings change; on restart every VM and its last acknowledged state are intact"). Real
 * `hv-manager serve` processes on a real data folder: HV_TEST_CRASH_AT (core/host/
 * crash-seam.ts) makes the host SIGKILL itself at a named point of a write — a torn temp
 * file, a complete temp file before its rename, a rename before the folder's fsync, a delete
 * between its index and its files — and random-timing kills hit a stream of settings
 * changes. After every crash a fresh host must list exactly the acknowledged VMs with their
 * acknowledged settings, Saved VMs must restore, checkpoints must match, and no temp or
 * orphan file may remain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { VmConfig, VmSummary } from '../../contract'
import { assertBuilt } from './serve-process'
import { spawnHost, type Host } from './persistence-host'

let tmp: string
let dataDir: string

interface Expected {
  config: VmConfig
  saved: boolean
  checkpoints: string[]
}
/** What the hosts acknowledged so far, by VM id. */
const model = new Map<string, Expected>()

const config = (name: string, notes = ''): VmConfig => ({
  name, memoryMiB: 16, cpus: 1, boot: { kind: 'bundled', guest: 'hello' }, clock: 'virtual', comPorts: 2, onTripleFault: 'stop', notes,
})

beforeAll(() => {
  assertBuilt()
  tmp = mkdtempSync(join(tmpdir(), 'hv-persist-'))
  dataDir = join(tmp, 'data')
})

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

/** Every file under the data folder (relative paths). */
function files(dir = dataDir, prefix = ''): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  )
}

/** Runs `op` on a host that dies at `point`; resolves once the process is gone. */
async function crashDuring(point: string, op: (h: Host) => Promise<unknown>): Promise<void> {
  const h = await spawnHost(dataDir, { HV_TEST_CRASH_AT: point })
  await op(h).catch(() => undefined)
  const how = await Promise.race([h.exited, new Promise<string>((r) => setTimeout(() => r('alive'), 10_000))])
  if (how === 'alive') await h.kill()
  expect(how, `the host should have crashed at ${point}; output:\n${h.output()}`).toBe('SIGKILL')
  expect(h.output()).toContain(`crashing at ${point.split(':').slice(0, 2).join(':')}`)
}

/** A fresh host must show exactly the model; returns it running for more steps. */
async function verify(): Promise<Host> {
  const h = await spawnHost(dataDir)
  const info = await h.client.call('host:info', {})
  expect(info.problems).toEqual([])
  const list = await h.client.call('vm:list', {})
  expect(new Set(list.map((v) => v.id))).toEqual(new Set(model.keys()))
  for (const vm of list) {
    const want = model.get(vm.id)!
    expect(vm.config).toEqual(want.config)
    expect(vm.state).toBe(want.saved ? 'Saved' : 'Off')
    const cps = await h.client.call('checkpoint:list', { id: vm.id })
    expect(cps.checkpoints.map((c) => c.name)).toEqual(want.checkpoints)
  }
  const all = files()
  expect(all.filter((f) => f.endsWith('.tmp'))).toEqual([])
  // Every VM folder belongs to a VM; every checkpoint container is named by its tree.
  const folders = new Set(all.filter((f) => f.startsWith('files/')).map((f) => f.split('/')[1]))
  for (const id of folders) expect(model.has(id!)).toBe(true)
  expect(all.filter((f) => /checkpoints\/.*\.hvs$/.test(f)).length).toBe([...model.values()].reduce((n, e) => n + e.checkpoints.length, 0))
  return h
}

async function startRunning(h: Host, id: string): Promise<void> {
  const vm = await h.client.call('vm:start', { id })
  expect(vm.state).toBe('Running')
}

let a: VmSummary
let b: VmSummary

describe('persistence under kill -9', () => {
  it('keeps acknowledged creates and settings when killed right after the answer', async () => {
    const h = await spawnHost(dataDir)
    a = await h.client.call('vm:create', { config: config('alpha') })
    b = await h.client.call('vm:create', { config: config('beta', 'v1') })
    model.set(a.id, { config: a.config, saved: false, checkpoints: [] })
    model.set(b.id, { config: b.config, saved: false, checkpoints: [] })
    await h.kill()
    await (await verify()).kill()
  })

  it('a settings change or rename killed mid-write keeps the old settings; after the rename, the new', async () => {
    await crashDuring(`atomic:temp-partial:${b.id}.json`, (h) => h.client.call('vm:update', { id: b.id, config: config('beta', 'torn') }))
    await (await verify()).stop()
    await crashDuring(`atomic:before-rename:${b.id}.json`, (h) => h.client.call('vm:update', { id: b.id, config: config('beta renamed', 'v2') }))
    await (await verify()).stop()
    await crashDuring(`atomic:after-rename:${b.id}.json`, (h) => h.client.call('vm:update', { id: b.id, config: config('beta renamed', 'v3') }))
    model.get(b.id)!.config = config('beta renamed', 'v3')
    await (await verify()).stop()
  })

  it('a Save killed mid-write leaves the VM Off with no half-written state; a completed one restores', async () => {
    await crashDuring('atomic:temp-partial:saved-state.hvs', async (h) => {
      await startRunning(h, a.id)
      await h.client.call('vm:save', { id: a.id })
    })
    let h = await verify()
    expect(files().some((f) => f.includes('saved-state'))).toBe(false)
    await h.stop()
    await crashDuring('atomic:after-rename:saved-state.hvs', async (h) => {
      await startRunning(h, a.id)
      await h.client.call('vm:save', { id: a.id })
    })
    model.get(a.id)!.saved = true
    h = await verify()
    // The container on disk is whole: it restores.
    await startRunning(h, a.id)
    model.get(a.id)!.saved = false
    await h.client.call('vm:save', { id: a.id })
    model.get(a.id)!.saved = true
    await h.kill()
    await (await verify()).stop()
  })

  it('a checkpoint killed before its tree is written is absent (its container swept); after, present', async () => {
    await crashDuring('atomic:before-rename:tree.json', async (h) => {
      await startRunning(h, b.id)
      await h.client.call('vm:checkpoint', { id: b.id, name: 'lost' })
    })
    await (await verify()).stop()
    await crashDuring('atomic:after-rename:tree.json', async (h) => {
      await startRunning(h, b.id)
      await h.client.call('vm:checkpoint', { id: b.id, name: 'kept' })
    })
    model.get(b.id)!.checkpoints = ['kept']
    const h = await verify()
    await startRunning(h, b.id)
    await h.client.call('vm:checkpoint', { id: b.id, name: 'acked' })
    model.get(b.id)!.checkpoints.push('acked')
    await h.kill()
    await (await verify()).stop()
  })

  it('a delete killed between the index and the files keeps the VM whole; an acknowledged delete stays done', async () => {
    let h = await verify()
    const c = await h.client.call('vm:create', { config: config('gamma') })
    model.set(c.id, { config: c.config, saved: false, checkpoints: [] })
    await h.stop()
    await crashDuring(`inventory:after-index:${c.id}`, (h) => h.client.call('vm:delete', { id: c.id }))
    h = await verify()
    await h.client.call('vm:delete', { id: c.id })
    model.delete(c.id)
    await h.kill()
    await (await verify()).stop()
  })

  it('an import killed after staging adds nothing; a move killed before the source delete keeps both copies', { timeout: 60_000 }, async () => {
    let h = await verify()
    const exported = await h.client.call('vm:export', { id: a.id, path: join(tmp, 'exports') })
    await h.stop()
    await crashDuring('import:staged', (h) => h.client.call('vm:import', { path: exported.path }))
    h = await verify()
    expect(existsSync(join(dataDir, 'staging'))).toBe(false)
    // Move alpha to a second host; the source dies after the target acknowledged the import.
    const otherDir = join(tmp, 'other')
    const other = await spawnHost(otherDir)
    await h.stop()
    await crashDuring(`move:before-delete:${a.id}`, async (src) => {
      const pkg = await src.client.call('vm:package', { id: a.id })
      let offset = 0
      let path = ''
      for (;;) {
        const chunk = await src.client.call('package:read', { packageId: pkg.packageId, offset })
        const up = await other.client.call('file:upload', { uploadId: pkg.packageId, name: 'vm.hvmpkg', offset, data: chunk.data, final: chunk.final })
        offset = up.received
        if (chunk.final) {
          path = up.file!.path
          break
        }
      }
      const moved = await other.client.call('vm:import', { path })
      expect(moved).toMatchObject({ id: a.id, state: 'Saved' })
      await src.client.call('vm:completeMove', { id: a.id, packageId: pkg.packageId })
    })
    // Never lost: still here (the move was not acknowledged) and whole on the target.
    await (await verify()).stop()
    expect((await other.client.call('vm:list', {})).map((v) => [v.id, v.state])).toEqual([[a.id, 'Saved']])
    await startRunning(other, a.id)
    await other.stop()
  })

  it('random-timing kills during a stream of settings changes never lose an acknowledged one', { timeout: 60_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const h = await spawnHost(dataDir)
      let acked = model.get(b.id)!.config
      let sent = acked
      let stop = false
      const writer = (async () => {
        for (let i = 0; !stop; i++) {
          const next = config('beta renamed', `round ${round} change ${i}`)
          sent = next
          const r = await h.client.raw('vm:update', { id: b.id, config: next })
          if (!r.ok) break
          acked = next
        }
      })()
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 500))
      stop = true
      await h.kill()
      await writer
      const check = await spawnHost(dataDir)
      const vm = (await check.client.call('vm:list', {})).find((v) => v.id === b.id)!
      // The last acknowledged change, or the one in flight when the host died.
      expect([acked.notes, sent.notes]).toContain(vm.config.notes)
      expect(acked.notes).toMatch(/change \d+/)
      model.get(b.id)!.config = vm.config
      await check.stop()
    }
    await (await verify()).stop()
  })
})
