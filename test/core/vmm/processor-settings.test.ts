/**
 * Hyper-V Manager's Processor page as the machine applies it (TLFS ch. 18, 5.2.11): a CPU
 * limit reduces the VP's run time relative to the VM clock as the stats pages report it,
 * compatibility mode removes a feature outside the spec's mask from the guest's CPUID, and
 * a reserve above the limit is refused by the hypervisor.
 */
import { describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from '../../guests/ensure-built'
import { Driven, guestConfig } from './saved-state/machine-harness'
import type { MachineConfig } from '../../../core/vmm/machine-api'

const proc = (p: Partial<NonNullable<MachineConfig['processor']>>): MachineConfig['processor'] => ({
  reserve: 0, limit: 100, weight: 100, compatibilityMode: false, ...p,
})

/** LP 0's Global Time and Total Run Time (stats page LPA, 100 ns units). */
function lpTimes(d: Driven): { global: number; run: number } {
  const lp = d.machine.hvStats().objects.find((o) => o.kind === 'lp' && o.index === 0)!
  const value = (name: string): number => lp.counters.find((c) => c.group === 'LPA' && c.name === name)!.value
  return { global: value('Global Time'), run: value('Total Run Time') }
}

/** Runs bench until the VM clock has advanced `intervalNs` past the first sample; VP run time per unit of global time. */
async function runShare(processor: MachineConfig['processor'], intervalNs: number): Promise<number> {
  const d = new Driven({ ...guestConfig('bench.elf', 'scale=16', 48), ...(processor ? { processor } : {}) })
  await d.machine.start()
  d.turns(3)
  const a = lpTimes(d)
  let b = a
  while ((b.global - a.global) * 100 < intervalNs) {
    expect(d.turn()).toBe(true)
    b = lpTimes(d)
  }
  expect(d.stop).toBeNull() // still computing: the interval is all busy time
  await d.machine.turnOff()
  return (b.run - a.run) / (b.global - a.global)
}

describe('Processor settings in the machine', () => {
  it('a 50 % limit gives the VP about half the run time of an unlimited VM over the same virtual-clock interval', async () => {
    ensureGuestsBuilt(['bench'])
    const interval = 4_000_000 // 4 ms of VM clock = 25 cap windows of 160 000 ns
    const full = await runShare(undefined, interval)
    const half = await runShare(proc({ limit: 50 }), interval)
    const quarter = await runShare(proc({ limit: 25, reserve: 10, weight: 500 }), interval)
    expect(full).toBeGreaterThan(0)
    expect(half / full).toBeGreaterThan(0.45)
    expect(half / full).toBeLessThan(0.55)
    expect(quarter / full).toBeGreaterThan(0.2)
    expect(quarter / full).toBeLessThan(0.3)
  }, 60_000)

  it('compatibility mode removes POPCNT and 1 GB pages (outside the Intel compatibility mask) from CPUID, keeping SSE3 and CMPXCHG16B', async () => {
    ensureGuestsBuilt(['hvshell'])
    const cpuid = async (processor: MachineConfig['processor'], leaf: string): Promise<{ ecx: number; edx: number }> => {
      const d = new Driven({ ...guestConfig('hvshell.elf', undefined, 16), ...(processor ? { processor } : {}) })
      await d.machine.start()
      while (!d.serial.includes('hv> ')) expect(d.turn()).toBe(true)
      d.machine.sendSerial(0, new TextEncoder().encode(`cpuid ${leaf}\r`))
      let m: RegExpMatchArray | null = null
      while (!(m = d.serial.match(/ecx=0x([0-9a-f]{8}) edx=0x([0-9a-f]{8})/))) expect(d.turn()).toBe(true)
      await d.machine.turnOff()
      return { ecx: parseInt(m[1]!, 16), edx: parseInt(m[2]!, 16) }
    }
    const plain1 = await cpuid(undefined, '1')
    const compat1 = await cpuid(proc({ compatibilityMode: true }), '1')
    const bit = (v: number, b: number): number => (v >>> b) & 1
    expect(bit(plain1.ecx, 23)).toBe(1) // POPCNT: the CPU has it
    expect(bit(compat1.ecx, 23)).toBe(0) // ... compatibility mode hides it
    for (const kept of [0, 13]) expect(bit(compat1.ecx, kept)).toBe(1) // SSE3, CMPXCHG16B are in the mask
    const plain81 = await cpuid(undefined, '0x80000001')
    const compat81 = await cpuid(proc({ compatibilityMode: true }), '0x80000001')
    expect(bit(plain81.edx, 26)).toBe(1) // Page1GB
    expect(bit(compat81.edx, 26)).toBe(0)
    expect(bit(compat81.ecx, 0)).toBe(1) // LAHF/SAHF is in the mask
    expect(bit(compat81.edx, 29)).toBe(1) // long mode is not a maskable feature
  }, 60_000)

  it('the hypervisor refuses a reserve above the limit, so start fails and says which setting', async () => {
    ensureGuestsBuilt(['hello'])
    const d = new Driven({ ...guestConfig('hello.elf'), processor: proc({ reserve: 60, limit: 40 }) })
    await expect(d.machine.start()).rejects.toThrow(/refused the processor reserve/)
    expect(d.machine.state).toBe('Off')
  })
})
