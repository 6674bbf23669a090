/**
 * Drives a real Machine (virtual clock) turn by turn with a scripted runtime, so tests can
 * save at exact points between turns and compare runs. Each turn runs a few 20 000-instruction
 * slices (the runtime's clock advances 1 ms per query; a turn lasts 8 ms).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Machine } from '../../../../core/vmm/machine'
import type { MachineConfig, MachineStop } from '../../../../core/vmm/machine-api'
import type { MachineRuntime } from '../../../../core/vmm/runtime'

export const GUESTS = join(__dirname, '../../../../resources/guests/build')

export function guestConfig(name: string, cmdline?: string, memoryMiB = 8): MachineConfig {
  return { memoryMiB, cpus: 1, kernel: readFileSync(join(GUESTS, name)), cmdline, clock: 'virtual', onTripleFault: 'stop' }
}

export class Driven {
  readonly machine: Machine
  serial = ''
  stop: MachineStop | null = null
  /** The saved-state container captured as the machine stopped (its final state), with `captureFinal`. */
  final: Uint8Array | null = null
  captureFinal = false
  private readonly queue: Array<() => void> = []
  private t = 0
  /** Milliseconds the scripted clock advances per query (4 → one slice per turn). */
  step = 1

  constructor(config: MachineConfig) {
    const runtime: MachineRuntime = {
      nowMs: () => (this.t += this.step),
      setTimer: (fn) => {
        this.queue.push(fn)
        return fn
      },
      clearTimer: (h) => {
        const i = this.queue.indexOf(h as () => void)
        if (i >= 0) this.queue.splice(i, 1)
      },
    }
    this.machine = new Machine(config, {
      serial: (_port, data) => (this.serial += String.fromCharCode(...data)),
      stopped: (s) => (this.stop = s),
      stopping: () => {
        if (this.captureFinal) this.final = this.machine.captureSavedState()
      },
    }, runtime)
  }

  /** Run one turn; false when nothing is scheduled (stopped or waiting for input). */
  turn(): boolean {
    const fn = this.queue.shift()
    if (!fn) return false
    fn()
    return true
  }

  turns(n: number): number {
    let done = 0
    while (done < n && this.turn()) done++
    return done
  }

  runToEnd(maxTurns = 1_000_000): number {
    let n = 0
    while (n < maxTurns && this.turn()) n++
    return n
  }
}

/** Deterministic PRNG (xorshift32) so failures reproduce. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}
