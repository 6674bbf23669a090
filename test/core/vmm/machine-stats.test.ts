/**
 * MachineStats (`hv-manager run --stats`, the VM worker): "interrupts delivered" counts the
 * interrupts the hypervisor's APICs really inject (TLFS 13; appendix J Virtual Interrupts).
 * hvshell waits in HLT for COM1's receive interrupt (8259 → LINT0 ExtINT), so every typed
 * character is at least one delivery; the conformance guest's timers deliver through the
 * local APIC.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from '../../guests/ensure-built'
import { Driven, guestConfig } from './saved-state/machine-harness'

function delivered(d: Driven): number {
  d.machine.statsText() // refreshes the counters between turns
  return d.machine.stats.interruptsDelivered
}

describe('MachineStats interrupts delivered', () => {
  beforeAll(() => ensureGuestsBuilt(['hvshell', 'conformance']))

  it('rises by at least one per character typed into hvshell, and appears in the --stats text', async () => {
    const d = new Driven(guestConfig('hvshell.elf', undefined, 16))
    await d.machine.start()
    for (let i = 0; i < 20_000 && !d.serial.includes('hv> '); i++) expect(d.turn()).toBe(true)
    const before = delivered(d)
    const typed = 'echo abcdef'
    for (const ch of typed) {
      d.machine.sendSerial(0, new TextEncoder().encode(ch))
      const echoed = d.serial.length
      // One character at a time: each is its own receive interrupt, not a FIFO batch.
      for (let i = 0; i < 2000 && d.serial.length === echoed; i++) d.turn()
      expect(d.serial.length).toBeGreaterThan(echoed)
    }
    const after = delivered(d)
    expect(after - before).toBeGreaterThanOrEqual(typed.length)
    // The guest's own VP counter says the same (Virtual Interrupts/sec on the VP stats page).
    const vp = d.machine.hvStats().objects.find((o) => o.kind === 'vp' && o.index === 0)!
    expect(vp.counters.find((c) => c.name === 'Virtual Interrupts/sec')!.value).toBe(after)
    expect(d.machine.statsText()).toMatch(new RegExp(`interrupts delivered\\s+${after}\\n`))
    await d.machine.turnOff()
  }, 60_000)

  it('counts the conformance guest\'s timer interrupts and keeps the count across a reset', async () => {
    const d = new Driven(guestConfig('conformance.elf'))
    d.step = 4
    await d.machine.start()
    for (let i = 0; i < 50_000 && !d.serial.includes('PASS stimer0-message-expiration-time'); i++) expect(d.turn()).toBe(true)
    const n = delivered(d)
    expect(n).toBeGreaterThan(0)
    d.machine.reset()
    d.turn()
    expect(d.machine.stats.resets).toBe(1)
    expect(delivered(d)).toBeGreaterThanOrEqual(n)
    await d.machine.turnOff()
  }, 60_000)
})
