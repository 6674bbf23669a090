/**
 * Hypervisor Settings (`host:getSettings` / `host:setSettings`, host-settings.json): defaults,
 * persistence across a restart, the Virtual Machines folder new VMs' files go to (and the
 * wizard's own Location), the Checkpoints folder new VMs get, the Automatic actions switch,
 * and a corrupt file read as the defaults with a problem (never a crash).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HostService } from '../../../core/host/host-service'
import { inProcessRunner } from '../../../core/host/vm-runner'
import type { CheckpointList, HostInfo, HostSettings, HostSettingsResult, VmSummary } from '../../../contract'
import { fakeMachineFactory } from './fake-machine'
import { errorOf, helloConfig, makeFixture, value, type Fixture } from './helpers'

let f: Fixture
let host: HostService

const open = (automaticActions = false): Promise<HostService> =>
  HostService.open({ dataDir: f.dataDir, guestsDir: f.guestsDir, runner: inProcessRunner(fakeMachineFactory({ capture: true })), automaticActions })

beforeEach(async () => {
  f = makeFixture()
  host = await open()
})

afterEach(async () => {
  await host.close()
  f.cleanup()
})

const get = async (): Promise<HostSettingsResult> => value<HostSettingsResult>(await host.invoke('host:getSettings', {}))
const set = async (s: Partial<HostSettings>): Promise<HostSettingsResult> =>
  value<HostSettingsResult>(await host.invoke('host:setSettings', { settings: { ...(await get()).settings, ...s } }))
const create = async (name: string, location?: string): Promise<VmSummary> =>
  value<VmSummary>(await host.invoke('vm:create', location ? { config: helloConfig(name), location } : { config: helloConfig(name) }))

describe('Hypervisor Settings', () => {
  it('starts from the defaults and keeps a change across a restart', async () => {
    const first = await get()
    expect(first.settings).toEqual({ virtualMachinesFolder: join(f.dataDir, 'files'), checkpointsFolder: '', automaticActions: true })
    expect(first.defaults).toEqual(first.settings)
    expect(existsSync(join(f.dataDir, 'host-settings.json'))).toBe(false)
    const vmFolder = join(f.root, 'my-vms')
    await set({ virtualMachinesFolder: vmFolder, checkpointsFolder: join(f.root, 'my-cps'), automaticActions: false })
    // The folders are created (checked usable) when the settings are saved.
    expect(existsSync(vmFolder) && existsSync(join(f.root, 'my-cps'))).toBe(true)
    await host.close()
    host = await open()
    const again = await get()
    expect(again.settings).toEqual({ virtualMachinesFolder: vmFolder, checkpointsFolder: join(f.root, 'my-cps'), automaticActions: false })
    expect(again.defaults.virtualMachinesFolder).toBe(join(f.dataDir, 'files'))
  })

  it('puts new VMs in the Virtual Machines folder, and a VM created with a Location there', async () => {
    const vmFolder = join(f.root, 'my-vms')
    await set({ virtualMachinesFolder: vmFolder })
    const vm = await create('Elsewhere')
    expect(existsSync(join(vmFolder, vm.id))).toBe(true)
    value(await host.invoke('vm:start', { id: vm.id }))
    value(await host.invoke('vm:save', { id: vm.id }))
    expect(existsSync(join(vmFolder, vm.id, 'saved-state.hvs'))).toBe(true)
    expect(existsSync(join(f.dataDir, 'files', vm.id))).toBe(false)
    // The VM file remembers its folder: after a restart it is still Saved, from there.
    await host.close()
    host = await open()
    expect(value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).state).toBe('Saved')
    // The wizard's Location wins over the setting.
    const own = join(f.root, 'picked')
    const other = await create('Picked', own)
    expect(existsSync(join(own, other.id))).toBe(true)
    // A VM in the default folder has no folder field in its file (older hosts read it as before).
    await set({ virtualMachinesFolder: join(f.dataDir, 'files') })
    const plain = await create('Plain')
    expect(JSON.parse(readFileSync(join(f.dataDir, 'vms', `${plain.id}.json`), 'utf8')).folder).toBeUndefined()
    expect(JSON.parse(readFileSync(join(f.dataDir, 'vms', `${vm.id}.json`), 'utf8')).folder).toBe(vmFolder)
    // Delete removes the VM's folder wherever it is.
    value(await host.invoke('vm:turnOff', { id: vm.id }))
    value(await host.invoke('vm:delete', { id: vm.id }))
    expect(existsSync(join(vmFolder, vm.id))).toBe(false)
  })

  it('gives new VMs the Checkpoints folder as their checkpoint location', async () => {
    const cps = join(f.root, 'cps')
    await set({ checkpointsFolder: cps })
    const vm = await create('With checkpoints')
    expect(vm.config.checkpoints?.location).toBe(cps)
    const list = value<CheckpointList>(await host.invoke('vm:checkpoint', { id: vm.id, name: 'first' }))
    expect(list.checkpoints).toHaveLength(1)
    expect(existsSync(join(cps, vm.id, 'tree.json'))).toBe(true)
    // A VM that names its own location keeps it.
    const own = join(f.root, 'own-cps')
    const mine = value<VmSummary>(await host.invoke('vm:create', {
      config: { ...helloConfig('Mine'), checkpoints: { enabled: true, type: 'standard', fallbackToStandard: true, location: own } },
    }))
    expect(mine.config.checkpoints?.location).toBe(own)
  })

  it('refuses unusable folders and invalid settings', async () => {
    writeFileSync(join(f.root, 'a-file'), 'x')
    const e = errorOf(await host.invoke('host:setSettings', { settings: { ...(await get()).settings, virtualMachinesFolder: join(f.root, 'a-file', 'sub') } }))
    expect(e.code).toBe('STORAGE')
    expect(e.message).toMatch(/Virtual Machines folder .* cannot be used/)
    expect(errorOf(await host.invoke('host:setSettings', { settings: { virtualMachinesFolder: 'relative', checkpointsFolder: '', automaticActions: true } })).message)
      .toMatch(/virtualMachinesFolder must be an absolute folder path/)
    expect(errorOf(await host.invoke('host:setSettings', { settings: { ...(await get()).settings, extra: 1 } })).code).toBe('INVALID_ARGUMENT')
    expect(errorOf(await host.invoke('vm:create', { config: helloConfig('x'), location: 'here' })).message).toMatch(/location must be an absolute folder path/)
    expect((await get()).settings.virtualMachinesFolder).toBe(join(f.dataDir, 'files'))
  })

  it('reads a corrupt file as the defaults and reports it as a problem', async () => {
    await host.close()
    for (const text of ['{ not json', JSON.stringify({ version: 1, virtualMachinesFolder: 'rel', checkpointsFolder: '', automaticActions: true }), '[]']) {
      writeFileSync(join(f.dataDir, 'host-settings.json'), text)
      host = await open()
      expect((await get()).settings).toEqual((await get()).defaults)
      const info = value<HostInfo>(await host.invoke('host:info', {}))
      expect(info.problems.join('\n')).toMatch(/host-settings.json is corrupt/)
      await host.close()
    }
    host = await open()
    // Saving again repairs it.
    await set({ automaticActions: false })
    await host.close()
    host = await open()
    expect(value<HostInfo>(await host.invoke('host:info', {})).problems).toEqual([])
  })

  it('applies Automatic Start/Stop Actions only while Automatic actions is on', async () => {
    await host.close()
    host = await open(true)
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: { ...helloConfig('Auto'), automaticStartAction: 'always-start', automaticStopAction: 'save' } }))
    value(await host.invoke('vm:start', { id: vm.id }))
    await set({ automaticActions: false })
    await host.close()
    // Off: the stop action (save) did not run, the host turned the VM off, and nothing starts.
    expect(existsSync(join(f.dataDir, 'files', vm.id, 'saved-state.hvs'))).toBe(false)
    host = await open(true)
    await new Promise((r) => setTimeout(r, 50))
    expect(value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).state).toBe('Off')
    // On again: the same VM starts by itself (always-start) and is saved on the way out.
    await set({ automaticActions: true })
    await host.close()
    host = await open(true)
    const deadline = Date.now() + 2000
    while (value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).state !== 'Running' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).state).toBe('Running')
    await host.close()
    expect(existsSync(join(f.dataDir, 'files', vm.id, 'saved-state.hvs'))).toBe(true)
    host = await open()
  })
})
