/**
 * HostService with the REAL Machine (in-process runner) booting hvshell: `vm:hvStats` and
 * `vm:eventLog` while the guest runs, the debug session round trip (`dbg` → `debug:output`,
 * `debug:input` accepted), checkpoints (default name, create, rename, apply with the choice
 * to checkpoint first, delete, delete subtree, persisted across host restarts), and a fresh
 * console history on each boot.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Machine } from '../../../core/vmm/machine'
import { HostService } from '../../../core/host/host-service'
import { inProcessRunner } from '../../../core/host/vm-runner'
import { findAppRoot, guestsDir } from '../../../core/host/app-paths'
import { defaultCheckpointName } from '../../../core/host/checkpoint-store'
import type { CheckpointList, HvEventLogResult, HvStatsResult, Result, VmSummary } from '../../../contract'
import { helloConfig, recorder } from './helpers'

let dataDir: string
let host: HostService
const guests = guestsDir(findAppRoot())
const open = (): Promise<HostService> =>
  HostService.open({ dataDir, guestsDir: guests, runner: inProcessRunner((c, e) => new Machine(c, e)) })

function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as T
}

beforeEach(async () => {
  if (!existsSync(join(guests, 'hvshell.elf'))) throw new Error(`${guests}/hvshell.elf is missing: run "npm run build:guests"`)
  dataDir = mkdtempSync(join(tmpdir(), 'hv-services-'))
  host = await open()
})

afterEach(async () => {
  await host.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function bootShell(rec: ReturnType<typeof recorder>): Promise<VmSummary> {
  const vm = value<VmSummary>(await host.invoke('vm:create', { config: { ...helloConfig('Shell'), boot: { kind: 'bundled', guest: 'hvshell' } } }))
  value(await host.invoke('vm:start', { id: vm.id }))
  await rec.until(() => rec.consoleText(vm.id).includes('hv> '), 30_000)
  return vm
}

const vpCounter = (s: HvStatsResult, name: string): number =>
  s.objects.find((o) => o.kind === 'vp' && o.index === 0)!.counters.find((c) => c.name === name)!.value

it('serves stats pages, event-log entries and the debug session of a running VM', { timeout: 60_000 }, async () => {
  const rec = recorder(host)
  const vm = await bootShell(rec)
  const a = value<HvStatsResult>(await host.invoke('vm:hvStats', { id: vm.id }))
  expect(a.objects.map((o) => o.kind)).toEqual(['hypervisor', 'lp', 'partition', 'vp'])
  value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'help\r' }))
  await rec.until(() => rec.consoleText(vm.id).includes('poweroff'), 10_000)
  const b = value<HvStatsResult>(await host.invoke('vm:hvStats', { id: vm.id }))
  expect(vpCounter(b, 'IO Instructions/sec')).toBeGreaterThan(vpCounter(a, 'IO Instructions/sec'))

  const log = value<HvEventLogResult>(await host.invoke('vm:eventLog', { id: vm.id, cursor: 0 }))
  expect(log.entries.some((e) => e.name === 'HV_TR_OB_CREATE_PARTITION' && e.partitionId === a.partitionId)).toBe(true)
  const next = value<HvEventLogResult>(await host.invoke('vm:eventLog', { id: vm.id, cursor: log.cursor }))
  expect(next.entries.every((e) => e.seq > log.cursor)).toBe(true)

  value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'dbg ping-42\r' }))
  await rec.until((ev) => ev.some((e) => e.channel === 'debug:output' && e.payload.data.includes('ping-42')), 10_000)
  expect(value<{ accepted: number }>(await host.invoke('debug:input', { id: vm.id, data: 'x' })).accepted).toBe(1)
})

it('takes, renames, applies and deletes checkpoints, persisted in the VM folder', { timeout: 90_000 }, async () => {
  const rec = recorder(host)
  const vm = await bootShell(rec)
  value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'cmdline\r' }))
  await rec.until(() => rec.consoleText(vm.id).includes('hvshell'), 10_000)
  const one = value<CheckpointList>(await host.invoke('vm:checkpoint', { id: vm.id, name: '' }))
  expect(one.checkpoints).toHaveLength(1)
  expect(one.checkpoints[0]!.name).toMatch(/^Shell \(\d\d\/\d\d\/\d{4} - \d\d:\d\d:\d\d [AP]M\)$/)
  expect(rec.events.some((e) => e.channel === 'vm:progress' && e.payload.operation === 'checkpoint' && e.payload.done)).toBe(true)
  const two = value<CheckpointList>(await host.invoke('vm:checkpoint', { id: vm.id, name: 'second' }))
  const [first, second] = [two.checkpoints.find((c) => c.id !== two.current)!, two.checkpoints.find((c) => c.id === two.current)!]
  expect(second.parentId).toBe(first.id)
  value(await host.invoke('checkpoint:rename', { id: vm.id, checkpointId: first.id, name: 'base' }))

  // Apply "base", checkpointing the current state first: the VM is Saved at base's state.
  const applied = value<CheckpointList>(await host.invoke('checkpoint:apply', { id: vm.id, checkpointId: first.id, createFirst: true }))
  expect(applied.checkpoints).toHaveLength(3)
  expect(applied.current).toBe(first.id)
  expect(value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).state).toBe('Saved')
  value(await host.invoke('vm:start', { id: vm.id }))
  value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'uptime\r' }))
  await rec.until(() => rec.consoleText(vm.id).includes('uptime'), 20_000)

  // Persisted: a new host sees the same tree.
  await host.close()
  host = await open()
  const again = value<CheckpointList>(await host.invoke('checkpoint:list', { id: vm.id }))
  expect(again.checkpoints.map((c) => c.name).sort()).toEqual(applied.checkpoints.map((c) => c.name).sort())
  expect(again.checkpoints.find((c) => c.id === first.id)!.name).toBe('base')
  const folder = join(dataDir, 'files', vm.id, 'checkpoints')
  expect(readdirSync(folder).filter((f) => f.endsWith('.hvs'))).toHaveLength(3)
  const left = value<CheckpointList>(await host.invoke('checkpoint:delete', { id: vm.id, checkpointId: first.id, subtree: true }))
  expect(left.checkpoints).toHaveLength(0)
  expect(readdirSync(folder).filter((f) => f.endsWith('.hvs'))).toHaveLength(0)
  expect((await host.invoke('checkpoint:delete', { id: vm.id, checkpointId: first.id, subtree: false })).ok).toBe(false)
})

it('starts each boot with a fresh console history', { timeout: 60_000 }, async () => {
  const rec = recorder(host)
  const vm = await bootShell(rec)
  value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'first-boot-marker\r' }))
  await rec.until(() => rec.consoleText(vm.id).includes('first-boot-marker'), 10_000)
  value(await host.invoke('vm:turnOff', { id: vm.id }))
  value(await host.invoke('vm:start', { id: vm.id }))
  await rec.until(() => rec.consoleText(vm.id).split('hv> ').length > 3, 30_000)
  const h = value<{ offset: number; data: string }>(await host.invoke('console:history', { id: vm.id, port: 0 }))
  expect(h.offset).toBe(0)
  expect(h.data).not.toContain('first-boot-marker')
  expect(h.data.startsWith('HV Manager hvshell')).toBe(true)
})

it('names checkpoints the Hyper-V way', () => {
  expect(defaultCheckpointName('Web', new Date(2024, 0, 5, 0, 7, 9))).toBe('Web (01/05/2024 - 12:07:09 AM)')
  expect(defaultCheckpointName('Web', new Date(2024, 11, 31, 13, 0, 0))).toBe('Web (12/31/2024 - 01:00:00 PM)')
})
