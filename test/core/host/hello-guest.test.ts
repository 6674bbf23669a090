/**
 * HostService with the REAL core/vmm Machine (in-process runner) booting the bundled hello
 * guest: banner on COM1, echo of typed input, turn off. Needs `npm run build:guests`.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Machine } from '../../../core/vmm/machine'
import { HostService } from '../../../core/host/host-service'
import { inProcessRunner } from '../../../core/host/vm-runner'
import { findAppRoot, guestsDir } from '../../../core/host/app-paths'
import type { Result, VmSummary } from '../../../contract'
import { helloConfig, recorder } from './helpers'

let dataDir: string
let host: HostService

function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as T
}

beforeEach(async () => {
  const guests = guestsDir(findAppRoot())
  if (!existsSync(join(guests, 'hello.elf'))) throw new Error(`${guests}/hello.elf is missing: run "npm run build:guests"`)
  dataDir = mkdtempSync(join(tmpdir(), 'hv-hello-'))
  host = await HostService.open({ dataDir, guestsDir: guests, runner: inProcessRunner((c, e) => new Machine(c, e)) })
})

afterEach(async () => {
  await host.close()
  rmSync(dataDir, { recursive: true, force: true })
})

it('boots the hello guest, echoes a line, and turns it off', { timeout: 120_000 }, async () => {
  const rec = recorder(host)
  const vm = value<VmSummary>(await host.invoke('vm:create', { config: { ...helloConfig('hello'), clock: 'host' } }))
  value(await host.invoke('vm:start', { id: vm.id }))
  await rec.until(() => rec.consoleText(vm.id).includes('ready'), 90_000)
  expect(rec.consoleText(vm.id)).toContain('HV Manager hello guest')
  value(await host.invoke('console:input', { id: vm.id, port: 0, data: 'abc\r' }))
  await rec.until(() => rec.consoleText(vm.id).includes('abc\r\n'), 30_000)
  expect(value<VmSummary>(await host.invoke('vm:turnOff', { id: vm.id })).state).toBe('Off')
})
