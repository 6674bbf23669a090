/**
 * Automatic Start and Stop Actions across a real restart of the BUILT `hv-manager serve`
 * (SIGTERM, then a new process on the same data folder), driven over its WebSocket:
 * A (always start) and B (start if running, running at the stop) come back Running, C
 * (nothing) stays Off, and B — stop action Save — continues from its saved state: its
 * partition reference counter (hvshell `uptime`) goes on from where it was, and its console
 * shows no new boot banner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { VmConfig, VmSummary } from '../../contract'
import { assertBuilt } from './serve-process'
import { spawnHost, type Host } from './persistence-host'

let tmp: string
let dataDir: string
let h: Host | null = null

const shell = (name: string, extra: Partial<VmConfig>): VmConfig => ({
  name, memoryMiB: 16, cpus: 1, boot: { kind: 'bundled', guest: 'hvshell' }, clock: 'virtual', comPorts: 1, onTripleFault: 'stop', notes: '', ...extra,
})

/** COM1 text the host sent since `from` events, for one VM. */
const consoleText = (host: Host, id: string): string =>
  host.client.events.filter((e) => e.channel === 'console:output' && e.payload.id === id).map((e) => (e.payload as { data: string }).data).join('')

async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; serve output:\n${h?.output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Types `uptime` and reads the reference counter the guest prints. */
async function uptime(host: Host, id: string): Promise<number> {
  const seen = consoleText(host, id).length
  await host.client.call('console:input', { id, port: 0, data: 'uptime\r' })
  let m: RegExpExecArray | null = null
  await until('uptime output', () => !!(m = /reference counter (\d+)\)/.exec(consoleText(host, id).slice(seen))))
  return Number(m![1])
}

const stateOf = async (host: Host, id: string): Promise<string> => (await host.client.call('vm:get', { id })).state

beforeAll(() => {
  assertBuilt()
  tmp = mkdtempSync(join(tmpdir(), 'hv-autostart-'))
  dataDir = join(tmp, 'data')
})

afterAll(async () => {
  await h?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('automatic actions across a serve restart', () => {
  it('starts A and B again, leaves C Off, and B continues from its saved state', async () => {
    h = await spawnHost(dataDir)
    const create = (c: VmConfig): Promise<VmSummary> => h!.client.call('vm:create', { config: c })
    const a = await create(shell('A', { automaticStartAction: 'always-start', automaticStopAction: 'turn-off' }))
    const b = await create(shell('B', { automaticStartAction: 'start-if-running', automaticStopAction: 'save' }))
    const c = await create(shell('C', { automaticStartAction: 'nothing', automaticStopAction: 'turn-off' }))
    for (const vm of [b, c]) await h.client.call('vm:start', { id: vm.id })
    await until('B prompt', () => consoleText(h!, b.id).includes('hv> '))
    const before = await uptime(h, b.id)
    expect(before).toBeGreaterThan(0)

    expect(await h.stop()).toBe('0')
    expect(existsSync(join(dataDir, 'files', b.id, 'saved-state.hvs'))).toBe(true) // Save ran on the way out
    expect(existsSync(join(dataDir, 'files', c.id, 'saved-state.hvs'))).toBe(false)

    h = await spawnHost(dataDir)
    await until('A and B Running', async () => (await stateOf(h!, a.id)) === 'Running' && (await stateOf(h!, b.id)) === 'Running')
    expect(await stateOf(h, c.id)).toBe('Off')
    const after = await uptime(h, b.id)
    expect(after).toBeGreaterThan(before) // the guest's clock went on: no fresh boot
    const history = await h.client.call('console:history', { id: b.id, port: 0 })
    expect(history.data).not.toContain('HV Manager hvshell') // no new boot banner
    expect(existsSync(join(dataDir, 'files', b.id, 'saved-state.hvs'))).toBe(false)
  }, 90_000)
})
