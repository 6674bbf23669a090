/**
 * Issue 7's save/restore proof, literally: with the virtual clock, run the conformance guest
 * (synthetic timers, SynIC messages and EOM redelivery, the local APIC, stats pages, every
 * hypercall, the UART, the PIC and the test-exit port) to completion uninterrupted; then run
 * it again, saving at seeded random points between turns — each save a real `Machine.save()`
 * written through the atomic file path, read back and restored into a fresh Machine (new
 * Hypervisor, partition, CPU and chipset) — and run on to completion. The serial output, the
 * exit, and the final state (every VP register, memory, devices, hypervisor stream) captured
 * as the guest stops must be identical to the uninterrupted run. Several points are chained in
 * one run to keep the test short; every one of them is a separate restore into a fresh instance.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeFileAtomic } from '../../../../core/host/atomic-file'
import { savedStateConfig } from '../../../../core/vmm/saved-state'
import { decodeContainer } from '../../../../core/vmm/saved-state/container'
import type { MachineConfig } from '../../../../core/vmm/machine-api'
import { Driven, guestConfig, rng } from './machine-harness'

const CHAINS = 6
const POINTS_PER_CHAIN = 9

function differingSections(a: Uint8Array, b: Uint8Array): string[] {
  const sa = decodeContainer(a).sections
  const sb = decodeContainer(b).sections
  const same = (x?: Uint8Array, y?: Uint8Array): boolean => !!x && !!y && Buffer.from(x).equals(Buffer.from(y))
  return [...new Set([...sa.keys(), ...sb.keys()])].filter((n) => !same(sa.get(n), sb.get(n)))
}

async function started(config: MachineConfig): Promise<Driven> {
  const d = new Driven(config)
  d.step = 4 // one 20 000-instruction slice per turn
  d.captureFinal = true
  await d.machine.start()
  return d
}

describe('save/restore to completion (conformance guest, virtual clock)', () => {
  // The RTC's epoch is the host date at boot; pin it so separate boots are comparable.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2024-06-01T12:00:00Z'))
  })
  afterAll(() => void vi.useRealTimers())

  it(`${CHAINS * POINTS_PER_CHAIN} random save points, each restored through a file into a fresh machine, end identically`, async () => {
    const config = guestConfig('conformance.elf')
    const ref = await started(config)
    const turns = ref.runToEnd()
    expect(ref.stop?.kind).toBe('debug-exit')
    expect(ref.serial).toContain('HV Manager conformance guest')
    // The guest really exercises what the round trip must carry: timers, SynIC messages, APIC.
    for (const check of ['stimer0-message-expiration-time', 'synic-eom-redelivers', 'apic-icr-msr-self-ipi', 'stats-vp-hypercalls-counter']) {
      expect(ref.serial).toContain(`PASS ${check}`)
    }
    expect(ref.final).not.toBeNull()
    expect(turns).toBeGreaterThan(100)

    const next = rng(0x7e57)
    const dir = mkdtempSync(join(tmpdir(), 'hv-complete-'))
    let restores = 0
    try {
      for (let chain = 0; chain < CHAINS; chain++) {
        // Distinct turn counts in [0, turns - 1]: after k turns the guest has not finished yet.
        const points = new Set<number>()
        while (points.size < POINTS_PER_CHAIN) points.add(Math.floor(next() * turns))
        const order = [...points].sort((a, b) => a - b)
        let d = await started(config)
        let done = 0
        let serial = ''
        for (const k of order) {
          expect(d.turns(k - done)).toBe(k - done)
          done = k
          const bytes = await d.machine.save()
          expect(d.machine.state).toBe('Saved')
          serial += d.serial
          const file = join(dir, `chain${chain}-turn${k}.hvs`)
          await writeFileAtomic(file, bytes)
          d = await started(savedStateConfig(new Uint8Array(readFileSync(file))))
          expect(d.machine.state).toBe('Running')
          restores++
        }
        d.runToEnd()
        serial += d.serial
        const at = `chain ${chain} (points ${order.join(', ')})`
        expect(d.stop, at).toEqual(ref.stop)
        expect(serial, at).toBe(ref.serial)
        expect(d.final, at).not.toBeNull()
        if (!Buffer.from(d.final!).equals(Buffer.from(ref.final!))) {
          expect.fail(`${at}: final state differs in sections ${differingSections(d.final!, ref.final!).join(', ')}`)
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    expect(restores).toBe(CHAINS * POINTS_PER_CHAIN)
  }, 120_000)
})
