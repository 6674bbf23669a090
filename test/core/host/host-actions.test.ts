/**
 * HostService's issue-8 commands with the in-process runner and the fake machine: Pause,
 * Resume, Reset and Shut Down in each state, settings that need the VM Off, uploads adopted
 * into the VM's folder, NOT_AVAILABLE for features whose core is missing, the default VM on
 * first run only, and live stats.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HostService } from '../../../core/host/host-service'
import { HostService as Host } from '../../../core/host/host-service'
import { inProcessRunner } from '../../../core/host/vm-runner'
import { defaultVmConfig } from '../../../core/host/default-vm'
import type { Result, VmSummary } from '../../../contract'
import { FAKE_BANNER, fakeMachineFactory, type FakeMachineLog } from './fake-machine'
import { helloConfig, makeFixture, openHost, recorder, type Fixture, value, errorOf } from './helpers'

let f: Fixture
let host: HostService
let log: FakeMachineLog

beforeEach(async () => {
  f = makeFixture()
  log = { configs: [], inputs: [], ops: [] }
  host = await openHost(f, inProcessRunner(fakeMachineFactory({}, log)))
})

afterEach(async () => {
  await host.close()
  f.cleanup()
})

async function created(name = 'VM'): Promise<VmSummary> {
  return value<VmSummary>(await host.invoke('vm:create', { config: helloConfig(name) }))
}

async function running(name = 'VM'): Promise<VmSummary> {
  const vm = await created(name)
  return value<VmSummary>(await host.invoke('vm:start', { id: vm.id }))
}

describe('pause, resume, reset, shut down', () => {
  it('refuses each of them while Off, naming the VM and the states that allow it', async () => {
    const vm = await created('Idle')
    for (const [channel, verb] of [['vm:pause', 'paused'], ['vm:resume', 'resumed'], ['vm:reset', 'reset'], ['vm:shutDown', 'shut down']] as const) {
      const e = errorOf(await host.invoke(channel, { id: vm.id }))
      expect(e.code).toBe('INVALID_STATE')
      expect(e.message).toMatch(new RegExp(`^"Idle" is Off; only a VM that is .* can be ${verb}$`))
    }
    expect(log.ops).toEqual([])
  })

  it('pauses and resumes the machine, refusing pause twice and console input while paused', async () => {
    const vm = await running()
    const paused = value<VmSummary>(await host.invoke('vm:pause', { id: vm.id }))
    expect(paused.state).toBe('Paused')
    expect(paused.status).toBe('Paused')
    expect(errorOf(await host.invoke('vm:pause', { id: vm.id })).code).toBe('INVALID_STATE')
    expect(errorOf(await host.invoke('vm:shutDown', { id: vm.id })).message).toContain('is Paused')
    expect(errorOf(await host.invoke('console:input', { id: vm.id, port: 0, data: 'x' })).code).toBe('INVALID_STATE')
    expect(value<VmSummary>(await host.invoke('vm:resume', { id: vm.id })).state).toBe('Running')
    expect(log.ops).toEqual(['pause', 'resume'])
  })

  it('turns off a paused VM', async () => {
    const vm = await running()
    await host.invoke('vm:pause', { id: vm.id })
    expect(value<VmSummary>(await host.invoke('vm:turnOff', { id: vm.id })).state).toBe('Off')
  })

  it('resets a running or paused VM: the guest boots again and uptime restarts', async () => {
    let t = 1000
    await host.close()
    host = await Host.open({ dataDir: f.dataDir, guestsDir: f.guestsDir, runner: inProcessRunner(fakeMachineFactory({}, log)), now: () => t })
    const rec = recorder(host)
    const vm = await running()
    t = 5000
    const r = value<VmSummary>(await host.invoke('vm:reset', { id: vm.id }))
    expect(r.state).toBe('Running')
    expect(r.startedAt).toBe(5000)
    await rec.until(() => rec.consoleText(vm.id) === FAKE_BANNER + FAKE_BANNER)
    await host.invoke('vm:pause', { id: vm.id })
    expect(value<VmSummary>(await host.invoke('vm:reset', { id: vm.id })).state).toBe('Paused')
    expect(log.ops).toEqual(['reset', 'pause', 'reset'])
  })

  it('asks the guest to shut down; the guest powering off ends in Off with its reason', async () => {
    const rec = recorder(host)
    const vm = await running()
    expect(value<VmSummary>(await host.invoke('vm:shutDown', { id: vm.id })).state).toBe('Running')
    await rec.until((ev) => ev.some((e) => e.channel === 'vm:changed' && e.payload.vm?.lastStop?.kind === 'poweroff'))
    const off = value<VmSummary>(await host.invoke('vm:get', { id: vm.id }))
    expect(off.status).toBe('Guest powered off')
    expect(log.ops).toEqual(['shutDown'])
  })

  it('answers NOT_AVAILABLE for Shut Down when the host says the machine cannot do it', async () => {
    await host.close()
    host = await Host.open({ dataDir: f.dataDir, guestsDir: f.guestsDir, runner: inProcessRunner(fakeMachineFactory({}, log)), features: { shutDown: false } })
    const vm = await running()
    const e = errorOf(await host.invoke('vm:shutDown', { id: vm.id }))
    expect(e.code).toBe('NOT_AVAILABLE')
    expect(e.message).toContain('use Turn Off')
    expect(log.ops).toEqual([])
  })
})

describe('save and restore', () => {
  it('saves a running VM into its folder, keeps it Saved across host restarts, and restores it on Start', async () => {
    const rec = recorder(host)
    const vm = await running('Keep')
    value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'abc' }))
    const saved = value<VmSummary>(await host.invoke('vm:save', { id: vm.id }))
    expect([saved.state, saved.status, saved.startedAt, saved.assignedMemoryMiB]).toEqual(['Saved', 'Saved', null, 0])
    const file = join(f.dataDir, 'files', vm.id, 'saved-state.hvs')
    expect(readFileSync(file, 'utf8')).toBe('fake-state:abc')
    // Machine settings and Delete are refused while Saved; Start restores.
    expect(errorOf(await host.invoke('vm:update', { id: vm.id, config: { ...vm.config, memoryMiB: 8 } })).code).toBe('INVALID_STATE')
    expect(errorOf(await host.invoke('vm:delete', { id: vm.id })).message).toContain('is Saved')
    await host.close()
    host = await openHost(f, inProcessRunner(fakeMachineFactory({}, log)))
    const rec2 = recorder(host)
    expect(value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).state).toBe('Saved')
    const restored = value<VmSummary>(await host.invoke('vm:start', { id: vm.id }))
    expect(restored.state).toBe('Running')
    expect(rec2.events.some((e) => e.channel === 'vm:changed' && e.payload.vm?.state === 'Restoring')).toBe(true)
    await rec2.until(() => rec2.consoleText(vm.id).includes('Restored fake-state:abc'))
    expect(existsSync(file)).toBe(false)
    expect(log.configs.at(-1)!.restoreFrom).toBeDefined()
    expect(rec.events.some((e) => e.channel === 'vm:changed' && e.payload.vm?.state === 'Saving')).toBe(true)
  })

  it('keeps a saved state that fails to restore, and Turn Off discards it', async () => {
    const vm = await running('Broken')
    value(await host.invoke('vm:save', { id: vm.id }))
    const file = join(f.dataDir, 'files', vm.id, 'saved-state.hvs')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, 'garbage')
    const e = errorOf(await host.invoke('vm:start', { id: vm.id }))
    expect(e.message).toMatch(/could not be restored: the saved state is not a container\. Turn it off to discard the saved state\./)
    const after = value<VmSummary>(await host.invoke('vm:get', { id: vm.id }))
    expect([after.state, after.status]).toEqual(['Saved', 'Saved; restoring failed: the saved state is not a container'])
    const off = value<VmSummary>(await host.invoke('vm:turnOff', { id: vm.id }))
    expect([off.state, off.lastStop?.message]).toEqual(['Off', 'Turned off; the saved state was discarded'])
    expect(existsSync(file)).toBe(false)
  })

  it('refuses Save unless Running or Paused', async () => {
    const vm = await created('Cold')
    expect(errorOf(await host.invoke('vm:save', { id: vm.id }))).toEqual({ code: 'INVALID_STATE', message: '"Cold" is Off; only a VM that is Running or Paused can be saved' })
  })
})

describe('settings', () => {
  it('updates every setting while Off and persists it', async () => {
    const vm = await created('Old')
    const config = { ...helloConfig('New'), memoryMiB: 128, cpus: 4, clock: 'host' as const, comPorts: 1 as const, onTripleFault: 'reset' as const, notes: 'hi' }
    const r = value<VmSummary>(await host.invoke('vm:update', { id: vm.id, config }))
    expect(r.config).toEqual(config)
    const reopened = await openHost(f)
    expect(value<VmSummary>(await reopened.invoke('vm:get', { id: vm.id })).config).toEqual(config)
  })

  it('refuses machine settings while running but accepts Name and Notes', async () => {
    const vm = await running('Busy')
    const e = errorOf(await host.invoke('vm:update', { id: vm.id, config: { ...vm.config, memoryMiB: 256, cpus: 2 } }))
    expect(e.code).toBe('INVALID_STATE')
    expect(e.message).toBe('"Busy" is Running; Memory, Processors can only be changed while the VM is Off (Name and Notes can change any time)')
    const r = value<VmSummary>(await host.invoke('vm:update', { id: vm.id, config: { ...vm.config, name: 'Renamed', notes: 'n' } }))
    expect(r.config.name).toBe('Renamed')
    expect(r.state).toBe('Running')
  })

  it('passes the triple-fault action to the machine', async () => {
    const vm = await created()
    await host.invoke('vm:update', { id: vm.id, config: { ...vm.config, onTripleFault: 'reset' } })
    await host.invoke('vm:start', { id: vm.id })
    expect(log.configs.at(-1)!.onTripleFault).toBe('reset')
  })

  it('loads version-1 VM files that lack the newer settings, with defaults', async () => {
    const vm = await created()
    const file = join(f.dataDir, 'vms', `${vm.id}.json`)
    const old = JSON.parse(readFileSync(file, 'utf8'))
    delete old.config.notes
    delete old.config.comPorts
    delete old.config.onTripleFault
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, JSON.stringify(old))
    const reopened = await openHost(f)
    const c = value<VmSummary>(await reopened.invoke('vm:get', { id: vm.id })).config
    expect([c.notes, c.comPorts, c.onTripleFault]).toEqual(['', 2, 'stop'])
  })
})

describe('uploads', () => {
  it('stores chunks in order, moves the file into the VM folder on create, and deletes it with the VM', async () => {
    const bytes = Buffer.from('0123456789abcdef')
    const a = value<{ received: number; file: null }>(await host.invoke('file:upload', { uploadId: 'u1', name: 'k.elf', offset: 0, data: bytes.subarray(0, 10).toString('base64'), final: false }))
    expect(a).toMatchObject({ received: 10, file: null })
    const out = errorOf(await host.invoke('file:upload', { uploadId: 'u1', name: 'k.elf', offset: 3, data: 'QUJD', final: true }))
    expect(out.code).toBe('INVALID_ARGUMENT')
    const b = value<{ file: { path: string; size: number } }>(await host.invoke('file:upload', { uploadId: 'u1', name: 'k.elf', offset: 10, data: bytes.subarray(10).toString('base64'), final: true }))
    expect(b.file.size).toBe(16)
    expect(readFileSync(b.file.path)).toEqual(bytes)
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: { ...helloConfig('Up'), boot: { kind: 'kernel', kernelPath: b.file.path } } }))
    const boot = vm.config.boot
    if (boot.kind !== 'kernel') throw new Error('kernel boot expected')
    expect(boot.kernelPath).toBe(join(f.dataDir, 'files', vm.id, 'k.elf'))
    expect(existsSync(b.file.path)).toBe(false)
    expect(readFileSync(boot.kernelPath)).toEqual(bytes)
    await host.invoke('vm:start', { id: vm.id })
    expect(Buffer.from(log.configs.at(-1)!.kernel)).toEqual(bytes)
    await host.invoke('vm:turnOff', { id: vm.id })
    value(await host.invoke('vm:delete', { id: vm.id }))
    expect(existsSync(join(f.dataDir, 'files', vm.id))).toBe(false)
  })

  it('refuses names with folders and data that is not base64', async () => {
    expect(errorOf(await host.invoke('file:upload', { uploadId: 'u2', name: '../evil', offset: 0, data: '', final: true })).code).toBe('INVALID_ARGUMENT')
    expect(errorOf(await host.invoke('file:upload', { uploadId: 'u2', name: 'ok.bin', offset: 0, data: '%%%%', final: true })).code).toBe('INVALID_ARGUMENT')
    expect(errorOf(await host.invoke('file:upload', { uploadId: '../x', name: 'ok.bin', offset: 0, data: '', final: true })).code).toBe('INVALID_ARGUMENT')
  })
})

describe('features whose core is missing', () => {
  it('answers NOT_AVAILABLE with a reason, never fake data', async () => {
    const vm = await created()
    // Live views need a running VM.
    expect(errorOf(await host.invoke('vm:hvStats', { id: vm.id })).code).toBe('INVALID_STATE')
    value(await host.invoke('vm:start', { id: vm.id }))
    // The fake machine has no hypervisor services and cannot capture its state.
    for (const [channel, args] of [
      ['vm:checkpoint', { id: vm.id, name: 'c1' }],
      ['vm:hvStats', { id: vm.id }],
      ['vm:eventLog', { id: vm.id, cursor: 0 }],
      ['shell:openFile', { title: 'Kernel' }],
      ['shell:openFolder', { title: 'Export to' }],
      ['shell:openConnect', { id: vm.id }],
    ] as const) {
      const e = errorOf(await host.invoke(channel, args))
      expect(e.code, channel).toBe('NOT_AVAILABLE')
      expect(e.message, channel).toMatch(/is not available: .+\.$|^This machine /)
    }
    const info = value<{ features: Record<string, boolean> }>(await host.invoke('host:info', {}))
    expect(info.features).toMatchObject({ shutDown: true, save: true, checkpoints: true, hypervisorStats: true, nativeShell: false })
  })
})

describe('default VM', () => {
  it('is created on the first run only, and not again after it is deleted', async () => {
    await host.close()
    f.cleanup()
    f = makeFixture()
    const open = () => Host.open({ dataDir: f.dataDir, guestsDir: f.guestsDir, runner: inProcessRunner(fakeMachineFactory()), defaultVm: defaultVmConfig() })
    host = await open()
    const list = value<VmSummary[]>(await host.invoke('vm:list', {}))
    expect(list.map((v) => [v.config.name, v.config.boot])).toEqual([['Hello VM', { kind: 'bundled', guest: 'hello' }]])
    value(await host.invoke('vm:delete', { id: list[0]!.id }))
    await host.close()
    host = await open()
    expect(value<VmSummary[]>(await host.invoke('vm:list', {}))).toEqual([])
  })

  it('is not created when the bundled guest is missing', async () => {
    await host.close()
    host = await Host.open({ dataDir: join(f.root, 'other'), guestsDir: join(f.root, 'nowhere'), runner: inProcessRunner(fakeMachineFactory()), defaultVm: defaultVmConfig() })
    expect(value<VmSummary[]>(await host.invoke('vm:list', {}))).toEqual([])
  })
})
