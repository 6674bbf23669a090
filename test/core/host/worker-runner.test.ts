import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HostService } from '../../../core/host/host-service'
import { workerRunner } from '../../../core/host/worker-runner'
import type { Result, VmSummary } from '../../../contract'
import { helloConfig, makeFixture, openHost, recorder, type Fixture } from './helpers'

// A worker speaking the worker-protocol.ts messages, in plain JS so no build is needed.
// Input "crash\r" throws inside the worker; "exit\r" makes it exit abruptly.
const workerSource = `
import { parentPort, workerData } from 'node:worker_threads'
const enc = new TextEncoder()
const say = (s) => { const data = enc.encode(s); parentPort.postMessage({ type: 'serial', port: 0, data }, [data.buffer]) }
parentPort.on('message', (m) => {
  if (m.type === 'start') {
    if (workerData.config.memoryMiB === 13) { parentPort.postMessage({ type: 'startFailed', message: 'unlucky memory size' }); return }
    parentPort.postMessage({ type: 'started' })
    say('worker banner ' + workerData.config.kernel.length + '\\r\\n')
  } else if (m.type === 'serial') {
    const text = new TextDecoder().decode(m.data)
    if (text === 'crash\\r') setTimeout(() => { throw new Error('guest blew up') })
    else if (text === 'exit\\r') process.exit(3)
    else say(text)
  } else if (m.type === 'turnOff') {
    parentPort.postMessage({ type: 'turnedOff' })
  } else if (m.type === 'control') {
    // Reset is refused by this fake machine, to check that refusals keep their words.
    const error = m.op === 'reset' ? { code: 'MACHINE', message: 'reset line stuck' } : null
    parentPort.postMessage({ type: 'controlDone', seq: m.seq, error })
    if (m.op === 'resume') parentPort.postMessage({ type: 'stats', instructions: 5000000, busy: 0.5 })
  }
})
`

let f: Fixture
let host: HostService

function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as T
}

beforeEach(async () => {
  f = makeFixture()
  const path = join(f.root, 'fake-worker.mjs')
  writeFileSync(path, workerSource)
  host = await openHost(f, workerRunner(path))
})

afterEach(async () => {
  await host.close()
  f.cleanup()
})

describe('worker runner', () => {
  it('relays serial output and input through the worker and turns it off', async () => {
    const rec = recorder(host)
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig() }))
    expect(value<VmSummary>(await host.invoke('vm:start', { id: vm.id })).state).toBe('Running')
    // The kernel bytes (7 in the fixture) reached the worker in workerData.
    await rec.until(() => rec.consoleText(vm.id).includes('worker banner 7'))
    value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'ping' }))
    await rec.until(() => rec.consoleText(vm.id).endsWith('ping'))
    expect(value<VmSummary>(await host.invoke('vm:turnOff', { id: vm.id })).state).toBe('Off')
  })

  it('turns a crashing or exiting worker into a stopped VM with the reason; the host keeps going', async () => {
    const rec = recorder(host)
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig() }))
    for (const [input, reason] of [
      ['crash\r', /VM worker failed: guest blew up/],
      ['exit\r', /exited unexpectedly \(code 3\)/],
    ] as const) {
      value(await host.invoke('vm:start', { id: vm.id }))
      value(await host.invoke('console:input', { id: vm.id, port: 0, data: input }))
      await rec.until(() => rec.events.some((e) => e.channel === 'vm:changed' && reason.test(e.payload.vm?.lastStop?.message ?? '')))
      const now = value<VmSummary>(await host.invoke('vm:get', { id: vm.id }))
      expect(now.state).toBe('Off')
      expect(now.lastStop?.kind).toBe('error')
    }
  })

  it('relays control requests and their refusals, and activity samples', async () => {
    const rec = recorder(host)
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig() }))
    value(await host.invoke('vm:start', { id: vm.id }))
    expect(value<VmSummary>(await host.invoke('vm:pause', { id: vm.id })).state).toBe('Paused')
    const r = await host.invoke('vm:reset', { id: vm.id })
    expect(r).toMatchObject({ ok: false, error: { code: 'MACHINE', message: 'reset line stuck' } })
    expect(value<VmSummary>(await host.invoke('vm:resume', { id: vm.id })).state).toBe('Running')
    await rec.until(() => rec.events.some((e) => e.channel === 'vm:stats'))
    const sample = rec.events.find((e) => e.channel === 'vm:stats')!.payload as { id: string; instructions: number; cpuUsagePercent: number }
    expect(sample).toMatchObject({ id: vm.id, instructions: 5000000 })
    // The first busy sample defines the VP's capacity: rate / 0.5 busy, so 50 %.
    expect(sample.cpuUsagePercent).toBe(50)
    expect(value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).cpuUsagePercent).toBe(50)
  })

  it('reports a start failure from the worker as MACHINE', async () => {
    const vm = value<VmSummary>(await host.invoke('vm:create', { config: { ...helloConfig(), memoryMiB: 13 } }))
    const r = await host.invoke('vm:start', { id: vm.id })
    expect(r).toMatchObject({ ok: false, error: { code: 'MACHINE' } })
    expect(r.ok ? '' : r.error.message).toMatch(/unlucky memory size/)
    expect(value<VmSummary>(await host.invoke('vm:get', { id: vm.id })).state).toBe('Off')
  })
})
