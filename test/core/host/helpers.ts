/** Shared set-up for host tests: temp data and guests folders and a HostService on them. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HostService } from '../../../core/host/host-service'
import { inProcessRunner, type RunnerFactory } from '../../../core/host/vm-runner'
import type { HostEvent, Result, VmConfig } from '../../../contract'
import { fakeMachineFactory } from './fake-machine'

export interface Fixture {
  root: string
  dataDir: string
  guestsDir: string
  cleanup(): void
}

export function makeFixture(): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'hv-host-'))
  const dataDir = join(root, 'data')
  const guestsDir = join(root, 'guests')
  mkdirSync(guestsDir)
  writeFileSync(join(guestsDir, 'hello.elf'), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]))
  return { root, dataDir, guestsDir, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

export function openHost(f: Fixture, runner: RunnerFactory = inProcessRunner(fakeMachineFactory())): Promise<HostService> {
  return HostService.open({ dataDir: f.dataDir, guestsDir: f.guestsDir, runner, version: '9.9.9' })
}

export const helloConfig = (name = 'Test VM'): VmConfig => ({
  name,
  memoryMiB: 64,
  cpus: 1,
  boot: { kind: 'bundled', guest: 'hello' },
  clock: 'virtual',
  comPorts: 2,
  onTripleFault: 'stop',
  notes: '',
})

/** Collects events and waits for one matching a predicate. */
export function recorder(host: HostService) {
  const events: HostEvent[] = []
  const waiters: { pred: (e: HostEvent[]) => boolean; resolve(): void }[] = []
  host.subscribe((e) => {
    events.push(e)
    for (const w of [...waiters]) {
      if (w.pred(events)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
  })
  const consoleText = (id: string): string =>
    events
      .filter((e): e is Extract<HostEvent, { channel: 'console:output' }> => e.channel === 'console:output' && e.payload.id === id)
      .map((e) => e.payload.data)
      .join('')
  return {
    events,
    consoleText,
    until(pred: (e: HostEvent[]) => boolean, ms = 2000): Promise<void> {
      if (pred(events)) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('timed out waiting for an event')), ms)
        waiters.push({ pred, resolve: () => (clearTimeout(t), resolve()) })
      })
    },
  }
}

/** The value of an ok result (fails the test otherwise). */
export function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`)
  return r.value as T
}

/** The error of a failed result (fails the test otherwise). */
export function errorOf(r: Result<unknown>): { code: string; message: string } {
  if (r.ok) throw new Error('expected an error')
  return r.error
}
