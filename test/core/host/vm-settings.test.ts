/**
 * The Settings dialog's Processor, Checkpoints and Automatic Start/Stop Action pages as the
 * host applies them (fake machine, in-process runner): processor settings reach the machine
 * and need the VM Off; CPU reserves are admitted against the host's logical processors;
 * checkpoints follow enabled/type/fallback/location; stop actions run when the service
 * closes and start actions when it opens again.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HostService } from '../../../core/host/host-service'
import { inProcessRunner } from '../../../core/host/vm-runner'
import type { CheckpointList, VmConfig, VmSummary } from '../../../contract'
import { fakeMachineFactory, type FakeMachineLog } from './fake-machine'
import { errorOf, helloConfig, makeFixture, recorder, value, type Fixture } from './helpers'

let f: Fixture
let host: HostService
let log: FakeMachineLog

const open = (extra: Partial<Parameters<typeof HostService.open>[0]> = {}): Promise<HostService> =>
  HostService.open({
    dataDir: f.dataDir, guestsDir: f.guestsDir, runner: inProcessRunner(fakeMachineFactory({ capture: true }, log)), ...extra,
  })

beforeEach(async () => {
  f = makeFixture()
  log = { configs: [], inputs: [], ops: [] }
  host = await open()
})

afterEach(async () => {
  await host.close()
  f.cleanup()
})

const create = async (config: Partial<VmConfig> = {}, name = 'VM'): Promise<VmSummary> =>
  value<VmSummary>(await host.invoke('vm:create', { config: { ...helloConfig(name), ...config } }))
const update = (vm: VmSummary, config: Partial<VmConfig>) => host.invoke('vm:update', { id: vm.id, config: { ...vm.config, ...config } })
const start = async (vm: VmSummary): Promise<VmSummary> => value<VmSummary>(await host.invoke('vm:start', { id: vm.id }))
const state = async (vm: VmSummary): Promise<string> => value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).state

describe('Processor settings', () => {
  const processor = { reserve: 10, limit: 50, weight: 300, compatibilityMode: true }

  it('reach the machine, and can change only while the VM is Off', async () => {
    const vm = await create({ processor })
    await start(vm)
    expect(log.configs.at(-1)!.processor).toEqual(processor)
    const e = errorOf(await update(vm, { processor: { ...processor, limit: 80 } }))
    expect(e.code).toBe('INVALID_STATE')
    expect(e.message).toMatch(/Processor \(reserve, limit, weight, compatibility\) can only be changed while the VM is Off/)
    // Spelling out the defaults is no change.
    const plain = await create({}, 'Plain')
    await start(plain)
    expect(log.configs.at(-1)!.processor).toBeUndefined()
    value(await update(plain, { processor: { reserve: 0, limit: 100, weight: 100, compatibilityMode: false } }))
    value(await host.invoke('vm:turnOff', { id: vm.id }))
    expect(value<VmSummary>(await update(vm, { processor: { ...processor, limit: 80 } })).config.processor?.limit).toBe(80)
  })

  it('refuses to start a VM whose CPU reserve does not fit beside the running VMs', async () => {
    await host.close()
    host = await open({ hostProcessors: 2 })
    const a = await create({ cpus: 2, processor: { reserve: 60, limit: 100, weight: 100, compatibilityMode: false } }, 'A')
    const b = await create({ cpus: 1, processor: { reserve: 90, limit: 100, weight: 100, compatibilityMode: false } }, 'B')
    await start(a) // 120 % of 200 %
    const e = errorOf(await host.invoke('vm:start', { id: b.id }))
    expect(e.code).toBe('INVALID_STATE')
    expect(e.message).toMatch(/"B" reserves 90 % .* running VMs already reserve 120 % of this computer's 200 % \(2 logical processors\)/)
    expect(await state(b)).toBe('Off')
    value(await host.invoke('vm:turnOff', { id: a.id }))
    await start(b)
    expect(await state(b)).toBe('Running')
  })
})

describe('Checkpoint settings', () => {
  const take = (vm: VmSummary, name = '') => host.invoke('vm:checkpoint', { id: vm.id, name })

  it('refuses checkpoints when they are turned off, saying where to turn them on', async () => {
    const vm = await create({ checkpoints: { enabled: false, type: 'standard', fallbackToStandard: true } })
    await start(vm)
    const e = errorOf(await take(vm))
    expect(e.code).toBe('INVALID_STATE')
    expect(e.message).toBe('Checkpoints are turned off for "VM"; turn on "Enable checkpoints" in Settings › Checkpoints to create one')
  })

  it('production without fallback refuses a running VM and says why; with fallback it takes a standard one', async () => {
    const vm = await create({ checkpoints: { enabled: true, type: 'production', fallbackToStandard: false } })
    await start(vm)
    const e = errorOf(await take(vm))
    expect(e.message).toMatch(/production checkpoints, which need a backup service inside the guest \(VSS\)/)
    value(await host.invoke('vm:turnOff', { id: vm.id }))
    value(await update(vm, { checkpoints: { enabled: true, type: 'production', fallbackToStandard: true } }))
    await start(vm)
    const list = value<CheckpointList>(await take(vm, 'running'))
    expect(list.checkpoints.map((c) => [c.name, c.kind])).toEqual([['running', 'standard']])
  })

  it('of an Off VM records the configuration; applying it restores the machine settings and leaves the VM Off', async () => {
    const vm = await create({ memoryMiB: 64, notes: 'kept' })
    const list = value<CheckpointList>(await take(vm, 'small'))
    expect(list.checkpoints.map((c) => [c.name, c.kind])).toEqual([['small', 'configuration']])
    value(await update(vm, { memoryMiB: 256, cpus: 2, notes: 'new notes' }))
    await start(vm)
    value(await host.invoke('checkpoint:apply', { id: vm.id, checkpointId: list.checkpoints[0]!.id, createFirst: false }))
    const after = value<VmSummary>(await host.invoke('vm:get', { id: vm.id }))
    expect(after.state).toBe('Off')
    expect([after.config.memoryMiB, after.config.cpus, after.config.notes]).toEqual([64, 1, 'new notes'])
  })

  it('keeps checkpoint files in the chosen location; refuses to change it while checkpoints exist', async () => {
    const location = join(f.root, 'elsewhere')
    const vm = await create({ checkpoints: { enabled: true, type: 'standard', fallbackToStandard: true, location } })
    expect(existsSync(join(location, vm.id))).toBe(true) // created and checked on the way in
    const list = value<CheckpointList>(await take(vm, 'one'))
    expect(readdirSync(join(location, vm.id)).sort()).toEqual([expect.stringMatching(/^config-.*\.json$/), 'tree.json'])
    expect(existsSync(join(f.dataDir, 'files', vm.id, 'checkpoints'))).toBe(false)
    const e = errorOf(await update(vm, { checkpoints: { enabled: true, type: 'standard', fallbackToStandard: true } }))
    expect(e.code).toBe('INVALID_STATE')
    expect(e.message).toBe(`"VM" has 1 checkpoint in ${join(location, vm.id)}; delete them before changing the checkpoint file location (checkpoint files are not moved)`)
    // A restarted host finds them there.
    await host.close()
    host = await open()
    expect(value<CheckpointList>(await host.invoke('checkpoint:list', { id: vm.id })).checkpoints).toHaveLength(1)
    value(await host.invoke('checkpoint:delete', { id: vm.id, checkpointId: list.checkpoints[0]!.id, subtree: false }))
    value(await update(vm, { checkpoints: { enabled: true, type: 'standard', fallbackToStandard: true } }))
    value(await take(vm, 'two'))
    expect(readdirSync(join(f.dataDir, 'files', vm.id, 'checkpoints'))).toContain('tree.json')
    // Deleting a VM takes its checkpoints in another location too.
    const other = await create({ checkpoints: { enabled: true, type: 'standard', fallbackToStandard: true, location } }, 'Other')
    value(await take(other))
    value(await host.invoke('vm:delete', { id: other.id }))
    expect(existsSync(join(location, other.id))).toBe(false)
  })
})

describe('Checkpoint settings across export and import', () => {
  it('exports checkpoints from their location and imports them into the new VM\'s own folder', async () => {
    const location = join(f.root, 'cp-elsewhere')
    const vm = await create({ checkpoints: { enabled: true, type: 'production', fallbackToStandard: true, location } })
    value(await host.invoke('vm:checkpoint', { id: vm.id, name: 'config' }))
    const out = value<{ path: string }>(await host.invoke('vm:export', { id: vm.id, path: join(f.root, 'exports') }))
    value(await host.invoke('vm:delete', { id: vm.id }))
    const copy = value<VmSummary>(await host.invoke('vm:import', { path: out.path }))
    expect(copy.config.checkpoints).toEqual({ enabled: true, type: 'production', fallbackToStandard: true })
    const list = value<CheckpointList>(await host.invoke('checkpoint:list', { id: copy.id }))
    expect(list.checkpoints.map((c) => [c.name, c.kind])).toEqual([['config', 'configuration']])
    expect(readdirSync(join(f.dataDir, 'files', copy.id, 'checkpoints'))).toContain('tree.json')
  })
})

describe('Automatic Start and Stop Actions', () => {
  it('stop actions run when the service closes; start actions when it opens', async () => {
    await host.close()
    host = await open({ automaticActions: true })
    const a = await create({ automaticStartAction: 'always-start', automaticStopAction: 'turn-off' }, 'A')
    const b = await create({ automaticStartAction: 'start-if-running', automaticStopAction: 'save' }, 'B')
    const c = await create({ automaticStartAction: 'nothing', automaticStopAction: 'turn-off' }, 'C')
    const d = await create({}, 'D') // defaults: start if running, save; never started
    const e = await create({ automaticStopAction: 'shut-down' }, 'E')
    for (const vm of [b, c, e]) await start(vm)
    value(await host.invoke('console:input', { id: b.id, port: 0, data: 'half-typed' }))
    log.ops = []
    await host.close()
    expect(log.ops).toEqual(expect.arrayContaining(['save', 'shutDown']))
    expect(existsSync(join(f.dataDir, 'files', b.id, 'saved-state.hvs'))).toBe(true)
    expect(existsSync(join(f.dataDir, 'autostart.json'))).toBe(true)

    host = await open({ automaticActions: true })
    const rec = recorder(host)
    await rec.until(() => ['A', 'B', 'E'].every((n) => rec.events.some((ev) => ev.channel === 'vm:changed' && ev.payload.vm?.config.name === n && ev.payload.vm.state === 'Running')))
    expect([await state(a), await state(b), await state(c), await state(d), await state(e)]).toEqual(['Running', 'Running', 'Off', 'Off', 'Running'])
    // B continued from its saved state, not a fresh boot.
    expect(rec.consoleText(b.id)).toContain('Restored fake-state:half-typed')
    expect(existsSync(join(f.dataDir, 'autostart.json'))).toBe(false)

    // Killed instead of closed: nothing recorded, so only "always-start" VMs start next time.
    host = await open({ automaticActions: true })
    const rec2 = recorder(host)
    await rec2.until(() => rec2.events.some((ev) => ev.channel === 'vm:changed' && ev.payload.vm?.config.name === 'A' && ev.payload.vm.state === 'Running'))
    await new Promise((r) => setTimeout(r, 50))
    expect([await state(b), await state(e)]).toEqual(['Off', 'Off'])
  })

  it('waits the start delay before starting', async () => {
    await host.close()
    host = await open({ automaticActions: true })
    const a = await create({ automaticStartAction: 'always-start', automaticStartDelaySeconds: 1 }, 'Later')
    await host.close()
    const opened = Date.now()
    host = await open({ automaticActions: true })
    expect(await state(a)).toBe('Off')
    const rec = recorder(host)
    await rec.until(() => rec.events.some((ev) => ev.channel === 'vm:changed' && ev.payload.vm?.state === 'Running'), 3000)
    expect(Date.now() - opened).toBeGreaterThanOrEqual(950)
  })
})
