/**
 * The root's use of the hypervisor services for a running machine (core/vmm/root-services.ts
 * through Machine): stats pages that change as the guest runs, event-log entries for the
 * partition's creation and its intercepts, and a debug-session round trip with hvshell's `dbg`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from '../../guests/ensure-built'
import { Machine } from '../../../core/vmm/machine'
import type { MachineStop } from '../../../core/vmm/machine-api'

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await wait(20)
  }
}

function boot(debug?: boolean): { m: Machine; out: () => string; debugOut: () => string; stops: MachineStop[] } {
  ensureGuestsBuilt(['hvshell'])
  const kernel = new Uint8Array(readFileSync(join(__dirname, '../../../resources/guests/build/hvshell.elf')))
  let out = ''
  let dbg = ''
  const stops: MachineStop[] = []
  const m = new Machine({ memoryMiB: 16, cpus: 2, kernel, clock: 'virtual', onTripleFault: 'stop', ...(debug === undefined ? {} : { debug }) }, {
    serial: (_p, d) => (out += String.fromCharCode(...d)),
    debug: (d) => (dbg += String.fromCharCode(...d)),
    stopped: (s) => stops.push(s),
  })
  return { m, out: () => out, debugOut: () => dbg, stops }
}

describe('Machine hypervisor services (root side)', () => {
  it('reads stats pages of the hypervisor, each LP, the partition and each VP, and they change while the guest runs', async () => {
    const { m, out } = boot()
    await m.start()
    await until(() => out().includes('hv> '))
    const a = m.hvStats()
    expect(a.objects.map((o) => `${o.kind}${o.index}`)).toEqual(['hypervisor0', 'lp0', 'lp1', 'partition0', 'vp0', 'vp1'])
    const vpv = (s: typeof a, name: string): number => s.objects.find((o) => o.kind === 'vp' && o.index === 0)!.counters.find((c) => c.group === 'VPV' && c.name === name)!.value
    expect(a.objects[0].counters.find((c) => c.name === 'Partitions')!.value).toBeGreaterThanOrEqual(2) // root + child
    const io0 = vpv(a, 'IO Instructions/sec')
    expect(io0).toBeGreaterThan(0)
    m.sendSerial(0, new TextEncoder().encode('help\r'))
    await until(() => out().includes('poweroff'))
    await until(() => vpv(m.hvStats(), 'IO Instructions/sec') > io0 + 100)
    await m.turnOff()
  }, 30_000)

  it('logs partition creation and intercepts in the event log, read through a cursor', async () => {
    const { m, out } = boot()
    await m.start()
    await until(() => out().includes('hv> '))
    const first = m.eventLog(0)
    const names = new Set(first.entries.map((e) => e.name))
    expect(names).toContain('HV_TR_OB_CREATE_PARTITION')
    expect(names).toContain('HV_TR_VP_CREATE_VP')
    expect(names).toContain('HV_TR_IM_IO_PORT_WRITE')
    const create = first.entries.find((e) => e.name === 'HV_TR_VP_CREATE_VP' && e.vp === 1)
    expect(create).toBeDefined()
    expect(first.entries.every((e, i) => i === 0 || e.seq > first.entries[i - 1].seq)).toBe(true)
    const again = m.eventLog(first.cursor)
    expect(again.entries.every((e) => e.seq > first.cursor)).toBe(true)
    m.sendSerial(0, new TextEncoder().encode('cpuid 0\r'))
    await until(() => out().includes('cpuid 0x00000000.0'))
    const later = m.eventLog(first.cursor, 100_000)
    expect(later.entries.some((e) => e.name === 'HV_TR_IM_CPUID_INSTRUCTION')).toBe(true)
    await m.turnOff()
  }, 30_000)

  it('relays the guest debug session both ways, and none when debugging is off', async () => {
    const on = boot()
    await on.m.start()
    await until(() => on.out().includes('hv> '))
    on.m.sendSerial(0, new TextEncoder().encode('dbg hello-debug\r'))
    await until(() => on.debugOut().includes('hello-debug'))
    expect(on.out()).toContain('HvPostDebugData 11 bytes: HV_STATUS_SUCCESS')
    expect(on.m.sendDebug(new TextEncoder().encode('to-guest'))).toBe(8)
    await on.m.turnOff()

    const off = boot(false)
    await off.m.start()
    await until(() => off.out().includes('hv> '))
    off.m.sendSerial(0, new TextEncoder().encode('dbg nope\r'))
    await until(() => off.out().includes('HvPostDebugData'))
    expect(off.out()).not.toContain('HvPostDebugData 4 bytes: HV_STATUS_SUCCESS')
    expect(off.debugOut()).toBe('')
    expect(off.m.sendDebug(new Uint8Array([1]))).toBe(0)
    await off.m.turnOff()
  }, 30_000)
})
