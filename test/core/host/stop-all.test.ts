/**
 * The host's Stop All (`host:stopAll`): every Running or Paused VM is saved, turned off or shut
 * down (turned off after the timeout if its guest ignores the power button); VMs in another
 * transition are reported as refused with the reason; Off and Saved VMs are left alone.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HostService } from '../../../core/host/host-service'
import { inProcessRunner } from '../../../core/host/vm-runner'
import type { MachineFactory } from '../../../core/vmm/machine-api'
import type { StopAllResult, VmConfig, VmSummary } from '../../../contract'
import { fakeMachineFactory, type FakeMachineLog } from './fake-machine'
import { errorOf, helloConfig, makeFixture, value, type Fixture } from './helpers'

let f: Fixture
let host: HostService
let log: FakeMachineLog
/** A VM with this much memory has a guest that ignores the power button. */
const STUBBORN_MIB = 96

beforeEach(async () => {
  f = makeFixture()
  log = { configs: [], inputs: [], ops: [] }
  const base = fakeMachineFactory({}, log)
  const factory: MachineFactory = (config, events) => {
    const m = base(config, events)
    if (config.memoryMiB === STUBBORN_MIB) m.shutDown = () => undefined
    return m
  }
  host = await HostService.open({ dataDir: f.dataDir, guestsDir: f.guestsDir, runner: inProcessRunner(factory) })
})

afterEach(async () => {
  await host.close()
  f.cleanup()
})

const create = async (name: string, config: Partial<VmConfig> = {}): Promise<VmSummary> =>
  value<VmSummary>(await host.invoke('vm:create', { config: { ...helloConfig(name), ...config } }))
const start = async (vm: VmSummary): Promise<void> => void value(await host.invoke('vm:start', { id: vm.id }))
const state = async (vm: VmSummary): Promise<string> => value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).state
const stopAll = async (mode: string, timeoutSeconds?: number): Promise<StopAllResult> =>
  value<StopAllResult>(await host.invoke('host:stopAll', timeoutSeconds === undefined ? { mode } : { mode, timeoutSeconds }))

describe('Stop All', () => {
  it('saves every running and paused VM and leaves Off ones alone', async () => {
    const a = await create('A')
    const b = await create('B')
    const off = await create('Off VM')
    await start(a)
    await start(b)
    value(await host.invoke('vm:pause', { id: b.id }))
    const r = await stopAll('save')
    expect(r.mode).toBe('save')
    expect(r.vms.map((v) => [v.name, v.result, v.state]).sort()).toEqual([['A', 'saved', 'Saved'], ['B', 'saved', 'Saved']])
    expect([await state(a), await state(b), await state(off)]).toEqual(['Saved', 'Saved', 'Off'])
    for (const vm of [a, b]) expect(existsSync(join(f.dataDir, 'files', vm.id, 'saved-state.hvs'))).toBe(true)
    // Nothing left to stop: a second Stop All lists nothing (Saved VMs are already stopped).
    expect((await stopAll('turnOff')).vms).toEqual([])
    expect(await state(a)).toBe('Saved')
  })

  it('turns every VM off', async () => {
    const a = await create('A')
    const b = await create('B')
    await start(a)
    await start(b)
    const r = await stopAll('turnOff')
    expect(r.vms.map((v) => v.result)).toEqual(['turned-off', 'turned-off'])
    expect([await state(a), await state(b)]).toEqual(['Off', 'Off'])
    expect(log.ops).not.toContain('save')
  })

  it('shuts guests down and turns off the ones still on after the timeout', async () => {
    const polite = await create('Polite')
    const stubborn = await create('Stubborn', { memoryMiB: STUBBORN_MIB })
    const paused = await create('Paused')
    for (const vm of [polite, stubborn, paused]) await start(vm)
    value(await host.invoke('vm:pause', { id: paused.id }))
    const t0 = Date.now()
    const r = await stopAll('shutDown', 1)
    const by = Object.fromEntries(r.vms.map((v) => [v.name, v]))
    expect(by.Polite!.result).toBe('shut-down')
    // A paused guest is resumed first so the power button reaches it.
    expect(by.Paused!.result).toBe('shut-down')
    expect(by.Stubborn!.result).toBe('turned-off')
    expect(by.Stubborn!.message).toMatch(/did not shut down within 1 s/)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950)
    expect(log.ops).toEqual(expect.arrayContaining(['shutDown', 'resume']))
    expect([await state(polite), await state(stubborn), await state(paused)]).toEqual(['Off', 'Off', 'Off'])
  })

  it('reports a VM in another transition as refused, with the reason, and still stops the others', async () => {
    const a = await create('A')
    const busy = await create('Busy')
    await start(a)
    await start(busy)
    // A Save in flight: Busy is Saving when Stop All looks at it.
    const saving = host.invoke('vm:save', { id: busy.id })
    const r = await stopAll('turnOff')
    await saving
    const refused = r.vms.find((v) => v.name === 'Busy')!
    expect(refused.result).toBe('refused')
    expect(refused.state).toBe('Saving')
    expect(refused.message).toMatch(/"Busy" is Saving; Stop All acts on Running or Paused VMs/)
    expect(r.vms.find((v) => v.name === 'A')!.result).toBe('turned-off')
    expect(await state(busy)).toBe('Saved')
  })

  it('reports a Save the machine cannot do as failed and leaves that VM running', async () => {
    await host.close()
    host = await HostService.open({
      dataDir: f.dataDir, guestsDir: f.guestsDir, runner: inProcessRunner(fakeMachineFactory({}, log)), features: { save: false },
    })
    const a = await create('A')
    await start(a)
    const r = await stopAll('save')
    expect(r.vms[0]!.result).toBe('failed')
    expect(r.vms[0]!.message).toMatch(/could not be saved: Save is not available/)
    expect(await state(a)).toBe('Running')
  })

  it('validates its arguments', async () => {
    expect(errorOf(await host.invoke('host:stopAll', { mode: 'hibernate' })).message).toMatch(/mode must be one of "shutDown", "save", "turnOff"/)
    expect(errorOf(await host.invoke('host:stopAll', { mode: 'save', timeoutSeconds: 600 })).code).toBe('INVALID_ARGUMENT')
    expect(errorOf(await host.invoke('host:stopAll', { mode: 'save', force: true })).message).toMatch(/unknown field "force"/)
    expect(errorOf(await host.invoke('host:stopAll', {})).code).toBe('INVALID_ARGUMENT')
  })
})
