/**
 * Deterministic save/restore proof on the real machine (virtual clock): a reference run of
 * the bench guest captures its saved state after every turn (one 20 000-instruction slice per
 * turn); restoring any of those states into a fresh Machine (through bytes, or through a file
 * written atomically) and running on must reproduce the reference's later saved states byte
 * for byte (registers, memory, devices, guest time) and its serial output.
 */
import { describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeFileAtomic } from '../../../../core/host/atomic-file'
import { savedStateConfig } from '../../../../core/vmm/saved-state'
import { decodeContainer } from '../../../../core/vmm/saved-state/container'
import { Driven, guestConfig, rng } from './machine-harness'

const TURNS = 70
/**
 * Sections of `a` that differ from `b`. Independent boots get their RTC epoch from the host
 * clock, so with `ignoreRtc` the RTC device state is left out of the comparison.
 */
function differingSections(a: Uint8Array, b: Uint8Array, ignoreRtc = false): string[] {
  const sa = decodeContainer(a).sections
  const sb = decodeContainer(b).sections
  const norm = (name: string, d: Uint8Array | undefined): string => {
    const text = Buffer.from(d ?? new Uint8Array()).toString('latin1')
    if (name !== 'devices' || !ignoreRtc) return text
    const j = JSON.parse(text) as Record<string, unknown>
    delete j.rtc
    return JSON.stringify(j)
  }
  return [...new Set([...sa.keys(), ...sb.keys()])].filter((n) => norm(n, sa.get(n)) !== norm(n, sb.get(n)))
}

async function reference(capture: boolean) {
  const d = new Driven(guestConfig('bench.elf', 'scale=1'))
  d.step = 4
  await d.machine.start()
  const states: Uint8Array[] = [d.machine.captureSavedState()]
  const serialAt: number[] = [0]
  for (let i = 1; i <= TURNS; i++) {
    expect(d.turn()).toBe(true)
    if (capture || i === TURNS) states[i] = d.machine.captureSavedState()
    serialAt[i] = d.serial.length
  }
  return { d, states, serialAt }
}

async function restored(bytes: Uint8Array): Promise<Driven> {
  const r = new Driven(savedStateConfig(bytes))
  r.step = 4
  await r.machine.start()
  expect(r.machine.state).toBe('Running')
  return r
}

describe('save/restore round trip (bench guest)', () => {
  it('saving does not perturb the run, and restores at 50 random points continue identically', async () => {
    const plain = await reference(false)
    const ref = await reference(true)
    // Capturing after every turn changes nothing: same final state and output as a run without.
    expect(differingSections(ref.states[TURNS], plain.states[TURNS], true)).toEqual([])
    expect(ref.d.serial).toBe(plain.d.serial)
    expect(ref.d.serial).toContain('HV Manager bench guest')
    const next = rng(0x5eed)
    const dir = mkdtempSync(join(tmpdir(), 'hv-saved-'))
    try {
      for (let trial = 0; trial < 50; trial++) {
        const k = Math.floor(next() * (TURNS - 3))
        const m = 1 + Math.floor(next() * 3)
        let bytes = ref.states[k]
        if (trial % 5 === 0) {
          // Through a file, as core/host stores it.
          const file = join(dir, `t${trial}.hvsave`)
          await writeFileAtomic(file, bytes)
          bytes = new Uint8Array(readFileSync(file))
        }
        const r = await restored(bytes)
        expect(r.turns(m)).toBe(m)
        const got = r.machine.captureSavedState()
        const want = ref.states[k + m]
        if (!Buffer.from(got).equals(Buffer.from(want))) {
          expect.fail(`restore at turn ${k} diverged after ${m} turn(s) in sections ${differingSections(got, want).join(', ')}`)
        }
        expect(r.serial).toBe(ref.d.serial.slice(ref.serialAt[k], ref.serialAt[k + m]))
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a restored machine runs the rest of the reference to the same end state and output', async () => {
    const ref = await reference(false)
    const start = new Driven(guestConfig('bench.elf', 'scale=1'))
    start.step = 4
    await start.machine.start()
    start.turns(17)
    const saved = await start.machine.save()
    expect(start.machine.state).toBe('Saved')
    const r = await restored(saved)
    expect(r.turns(TURNS - 17)).toBe(TURNS - 17)
    expect(differingSections(r.machine.captureSavedState(), ref.states[TURNS], true)).toEqual([])
    expect(start.serial + r.serial).toBe(ref.d.serial)
  })
})
