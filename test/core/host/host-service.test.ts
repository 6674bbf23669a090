import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HostService } from '../../../core/host/host-service'
import { inProcessRunner } from '../../../core/host/vm-runner'
import type { Result, VmSummary } from '../../../contract'
import { FAKE_BANNER, fakeMachineFactory, type FakeMachineLog } from './fake-machine'
import { helloConfig, makeFixture, openHost, recorder, type Fixture, value, errorOf } from './helpers'

let f: Fixture
let host: HostService

beforeEach(async () => {
  f = makeFixture()
  host = await openHost(f)
})

afterEach(async () => {
  await host.close()
  f.cleanup()
})

describe('inventory', () => {
  it('persists created VMs and reloads them in order', async () => {
    const a = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('A') }))
    const b = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('B') }))
    expect(a.id).not.toBe(b.id)
    const index = JSON.parse(readFileSync(join(f.dataDir, 'index.json'), 'utf8'))
    expect(index.vms).toEqual([a.id, b.id])
    const reopened = await openHost(f)
    const list = value<VmSummary[]>(await reopened.invoke('vm:list', {}))
    expect(list.map((v) => v.config.name)).toEqual(['A', 'B'])
    expect(list[0]!.state).toBe('Off')
    expect(reopened.problems).toEqual([])
  })

  it('leaves no temporary files behind', async () => {
    await host.invoke('vm:create', { config: helloConfig() })
    const all = [...readdirSync(f.dataDir), ...readdirSync(join(f.dataDir, 'vms'))]
    expect(all.filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('reports a corrupt VM file, skips it and keeps the others', async () => {
    const a = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('A') }))
    const b = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('B') }))
    writeFileSync(join(f.dataDir, 'vms', `${a.id}.json`), '{"version":1, "id": trunc')
    const reopened = await openHost(f)
    const list = value<VmSummary[]>(await reopened.invoke('vm:list', {}))
    expect(list.map((v) => v.id)).toEqual([b.id])
    expect(reopened.problems.join('\n')).toContain(`vms/${a.id}.json is corrupt`)
    const info = value<{ problems: string[] }>(await reopened.invoke('host:info', {}))
    expect(info.problems.length).toBe(1)
    // The corrupt file is kept for the user to inspect, not overwritten.
    expect(readFileSync(join(f.dataDir, 'vms', `${a.id}.json`), 'utf8')).toContain('trunc')
  })

  it('rejects a VM file whose config is invalid', async () => {
    const a = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('A') }))
    const path = join(f.dataDir, 'vms', `${a.id}.json`)
    const rec = JSON.parse(readFileSync(path, 'utf8'))
    rec.config.memoryMiB = -5
    writeFileSync(path, JSON.stringify(rec))
    const reopened = await openHost(f)
    expect(value<VmSummary[]>(await reopened.invoke('vm:list', {}))).toEqual([])
    expect(reopened.problems[0]).toMatch(/memoryMiB/)
  })

  it('rebuilds the list from vms/ when index.json is corrupt', async () => {
    const a = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('A') }))
    writeFileSync(join(f.dataDir, 'index.json'), 'not json')
    const reopened = await openHost(f)
    expect(value<VmSummary[]>(await reopened.invoke('vm:list', {})).map((v) => v.id)).toEqual([a.id])
    expect(reopened.problems[0]).toMatch(/index\.json is corrupt/)
  })

  it('deletes the VM file and the index entry', async () => {
    const a = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('A') }))
    value(await host.invoke('vm:delete', { id: a.id }))
    expect(readdirSync(join(f.dataDir, 'vms'))).toEqual([])
    expect(JSON.parse(readFileSync(join(f.dataDir, 'index.json'), 'utf8')).vms).toEqual([])
    expect(errorOf(await host.invoke('vm:get', { id: a.id })).code).toBe('VM_NOT_FOUND')
  })
})

describe('validation errors', () => {
  it('refuses unknown channels and malformed arguments with typed errors', async () => {
    expect(errorOf(await host.invoke('vm:explode', {})).code).toBe('UNKNOWN_CHANNEL')
    expect(errorOf(await host.invoke(42, {})).code).toBe('UNKNOWN_CHANNEL')
    expect(errorOf(await host.invoke('vm:start', null)).code).toBe('INVALID_ARGUMENT')
    expect(errorOf(await host.invoke('vm:start', { id: 7 })).message).toMatch(/id must be a string/)
    expect(errorOf(await host.invoke('vm:start', { id: '../../etc' })).code).toBe('INVALID_ARGUMENT')
    const bad = (patch: Record<string, unknown>) => host.invoke('vm:create', { config: { ...helloConfig(), ...patch } })
    expect(errorOf(await bad({ memoryMiB: '64' })).message).toMatch(/config\.memoryMiB must be an integer/)
    expect(errorOf(await bad({ memoryMiB: 0 })).message).toMatch(/between 1 and 65536/)
    expect(errorOf(await bad({ cpus: 1.5 })).message).toMatch(/config\.cpus/)
    expect(errorOf(await bad({ name: '' })).message).toMatch(/config\.name must not be empty/)
    expect(errorOf(await bad({ colour: 'red' })).message).toMatch(/unknown field "colour"/)
    expect(errorOf(await bad({ boot: { kind: 'bundled', guest: '../x' } })).message).toMatch(/bundled guest name/)
    expect(errorOf(await bad({ boot: { kind: 'floppy' } })).message).toMatch(/config\.boot\.kind/)
    expect(errorOf(await bad({ clock: 'sundial' })).message).toMatch(/config\.clock/)
    expect(value<VmSummary[]>(await host.invoke('vm:list', undefined))).toEqual([])
  })

  it('answers VM_NOT_FOUND for an unknown id on every VM command', async () => {
    const id = '00000000-0000-0000-0000-000000000000'
    for (const [ch, args] of [
      ['vm:get', { id }],
      ['vm:start', { id }],
      ['vm:turnOff', { id }],
      ['vm:delete', { id }],
      ['console:input', { id, port: 0, data: 'x' }],
      ['console:history', { id, port: 0 }],
    ] as const) {
      const e = errorOf(await host.invoke(ch, args))
      expect(e.code, ch).toBe('VM_NOT_FOUND')
      expect(e.message).toContain(id)
    }
  })

  it('refuses console data that is not a byte string, and bad ports', async () => {
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig() }))
    expect(errorOf(await host.invoke('console:input', { id: vm.id, port: 0, data: 'é€' })).message).toMatch(/byte string/)
    expect(errorOf(await host.invoke('console:input', { id: vm.id, port: 5, data: 'x' })).message).toMatch(/port/)
  })
})

describe('lifecycle and state rules', () => {
  it('starts a VM, shows the banner, echoes input, and turns it off', async () => {
    const log: FakeMachineLog = { configs: [], inputs: [] }
    await host.close()
    host = await openHost(f, inProcessRunner(fakeMachineFactory({}, log)))
    const rec = recorder(host)
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: { ...helloConfig(), memoryMiB: 96, cpus: 2 } }))
    const running = value<VmSummary>(await host.invoke('vm:start', { id: vm.id }))
    expect(running.state).toBe('Running')
    expect(running.startedAt).not.toBeNull()
    expect(running.assignedMemoryMiB).toBe(96)
    expect(log.configs[0]).toMatchObject({ memoryMiB: 96, cpus: 2, clock: 'virtual' })
    expect([...log.configs[0]!.kernel.slice(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46])
    await rec.until(() => rec.consoleText(vm.id).includes(FAKE_BANNER))

    value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'hi\r' }))
    await rec.until(() => rec.consoleText(vm.id) === FAKE_BANNER + 'hi\r')
    expect(log.inputs).toEqual(['hi\r'])
    const hist = value<{ offset: number; data: string }>(await host.invoke('console:history', { id: vm.id, port: 0 }))
    expect(hist).toMatchObject({ offset: 0, data: FAKE_BANNER + 'hi\r' })
    const outputs = rec.events.filter((e) => e.channel === 'console:output')
    // Offsets make the chunks contiguous.
    let next = 0
    for (const e of outputs) {
      expect(e.payload).toMatchObject({ offset: next })
      next += (e.payload as { data: string }).data.length
    }

    const off = value<VmSummary>(await host.invoke('vm:turnOff', { id: vm.id }))
    expect(off).toMatchObject({ state: 'Off', startedAt: null, assignedMemoryMiB: 0, status: 'Turned off' })
    const states = rec.events.filter((e) => e.channel === 'vm:changed').map((e) => (e.payload as { vm: VmSummary }).vm.state)
    expect(states).toEqual(['Off', 'Starting', 'Running', 'Stopping', 'Off'])
  })

  it('refuses to start a running VM, delete it, or turn off an Off VM', async () => {
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('Busy') }))
    expect(errorOf(await host.invoke('vm:turnOff', { id: vm.id })).code).toBe('INVALID_STATE')
    expect(errorOf(await host.invoke('console:input', { id: vm.id, port: 0, data: 'x' })).code).toBe('INVALID_STATE')
    value(await host.invoke('vm:start', { id: vm.id }))
    const again = errorOf(await host.invoke('vm:start', { id: vm.id }))
    expect(again.code).toBe('INVALID_STATE')
    expect(again.message).toMatch(/"Busy" is already Running/)
    expect(errorOf(await host.invoke('vm:delete', { id: vm.id })).code).toBe('INVALID_STATE')
    // Two starts racing: exactly one wins.
    value(await host.invoke('vm:turnOff', { id: vm.id }))
    const [r1, r2] = await Promise.all([host.invoke('vm:start', { id: vm.id }), host.invoke('vm:start', { id: vm.id })])
    expect([r1.ok, r2.ok].sort()).toEqual([false, true])
  })

  it('goes Off with the reason when the guest powers off', async () => {
    const rec = recorder(host)
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig() }))
    value(await host.invoke('vm:start', { id: vm.id }))
    value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'poweroff\r' }))
    await rec.until((es) => es.some((e) => e.channel === 'vm:changed' && e.payload.vm?.state === 'Off' && e.payload.vm.lastStop !== null))
    const now = value<VmSummary>(await host.invoke('vm:get', { id: vm.id }))
    expect(now).toMatchObject({ state: 'Off', status: 'Guest powered off', lastStop: { kind: 'poweroff' } })
    // It can be started again.
    expect(value<VmSummary>(await host.invoke('vm:start', { id: vm.id })).state).toBe('Running')
  })

  it('reports a machine that fails to start as MACHINE and stays usable', async () => {
    await host.close()
    host = await openHost(f, inProcessRunner(fakeMachineFactory({ failStart: 'no long mode' })))
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('Broken') }))
    const e = errorOf(await host.invoke('vm:start', { id: vm.id }))
    expect(e.code).toBe('MACHINE')
    expect(e.message).toMatch(/"Broken" could not start: no long mode/)
    const now = value<VmSummary>(await host.invoke('vm:get', { id: vm.id }))
    expect(now.state).toBe('Off')
    expect(now.status).toMatch(/no long mode/)
    value(await host.invoke('vm:delete', { id: vm.id }))
  })

  it('reports a missing bundled guest or kernel as BOOT_SOURCE', async () => {
    const a = value<VmSummary>(await host.invoke('vm:create', { config: { ...helloConfig(), boot: { kind: 'bundled', guest: 'nosuch' } } }))
    const e = errorOf(await host.invoke('vm:start', { id: a.id }))
    expect(e.code).toBe('BOOT_SOURCE')
    expect(e.message).toMatch(/"nosuch" was not found/)
    const b = value<VmSummary>(
      await host.invoke('vm:create', { config: { ...helloConfig(), boot: { kind: 'kernel', kernelPath: join(f.root, 'vmlinuz') } } }),
    )
    expect(errorOf(await host.invoke('vm:start', { id: b.id })).message).toMatch(/vmlinuz does not exist/)
    expect(value<VmSummary>(await host.invoke('vm:get', { id: b.id })).state).toBe('Off')
  })

  it('lists the bundled guests', async () => {
    const info = value<{ guests: { name: string }[]; version: string }>(await host.invoke('host:info', {}))
    expect(info.guests.map((g) => g.name)).toEqual(['hello'])
    expect(info.version).toBe('9.9.9')
  })

  it('isolates a throwing subscriber from the others', async () => {
    host.subscribe(() => {
      throw new Error('broken window')
    })
    const rec = recorder(host)
    value(await host.invoke('vm:create', { config: helloConfig() }))
    expect(rec.events.map((e) => e.channel)).toEqual(['vm:changed'])
  })
})
