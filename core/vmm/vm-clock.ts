/**
 * The two clocks a VM can run on (issue 4 item 3).
 *  - virtual: guest time is derived from retired instructions (NS_PER_INSTRUCTION each) plus
 *    the idle time the run loop skips when every VP is halted. Runs are deterministic: the
 *    same guest and input give the same output, whatever the host's load.
 *  - host: guest time follows the host's monotonic clock (paced to wall time), minus the
 *    time the VM spent paused.
 * Both report nanoseconds as a double. The TSC runs at TSC_HZ in either clock.
 */
import type { VmClock } from './io/clock'
import type { MachineRuntime } from './runtime'

/** Nominal speed of the virtual clock: 1 instruction = 1 ns (a 1 GHz, 1 IPC CPU). */
export const NS_PER_INSTRUCTION = 1
/** Guest TSC frequency: 1 GHz, so TSC ticks equal nanoseconds. */
export const TSC_HZ = 1_000_000_000

export interface RunClock extends VmClock {
  readonly kind: 'virtual' | 'host'
  /** Called by the run loop: the CPU about to run and its retired count now. */
  beginSlice(retired: () => number): void
  /** Called after the slice: fold the instructions the slice retired into guest time. */
  endSlice(): void
  /** All VPs are idle until `deadline` ns: virtual time jumps there; host time just passes. */
  idleUntil(deadline: number): void
  pause(): void
  resume(): void
}

export class VirtualClock implements RunClock {
  readonly kind = 'virtual'
  private base = 0
  private retired: (() => number) | null = null
  private sliceStart = 0

  now(): number {
    return this.retired ? this.base + (this.retired() - this.sliceStart) * NS_PER_INSTRUCTION : this.base
  }
  beginSlice(retired: () => number): void {
    this.retired = retired
    this.sliceStart = retired()
  }
  endSlice(): void {
    this.base = this.now()
    this.retired = null
  }
  idleUntil(deadline: number): void {
    if (deadline > this.base && Number.isFinite(deadline)) this.base = deadline
  }
  pause(): void {}
  resume(): void {}
}

export class HostClock implements RunClock {
  readonly kind = 'host'
  private readonly origin: number
  private pausedAt: number | null = null
  private pausedTotal = 0

  constructor(private readonly runtime: MachineRuntime) {
    this.origin = runtime.nowMs()
  }

  now(): number {
    const t = this.pausedAt ?? this.runtime.nowMs()
    return (t - this.origin - this.pausedTotal) * 1e6
  }
  beginSlice(): void {}
  endSlice(): void {}
  idleUntil(): void {}
  pause(): void {
    if (this.pausedAt === null) this.pausedAt = this.runtime.nowMs()
  }
  resume(): void {
    if (this.pausedAt !== null) {
      this.pausedTotal += this.runtime.nowMs() - this.pausedAt
      this.pausedAt = null
    }
  }
}

export function createRunClock(kind: 'virtual' | 'host', runtime: MachineRuntime): RunClock {
  return kind === 'virtual' ? new VirtualClock() : new HostClock(runtime)
}

/**
 * The VM-clock time each VP has spent in run slices: its run time (TLFS 10.3.2
 * HV_X64_MSR_VP_RUNTIME, the stats pages' run times), which the machine hands the hypervisor
 * as its run-time source. Virtual clock: the slice's instructions × NS_PER_INSTRUCTION; host
 * clock: the host time the slice took. Halted VPs are not in a slice, so their time stands still.
 */
export class VpRunMeter {
  private readonly ns: Float64Array
  private running = -1
  private start = 0

  constructor(private readonly clock: VmClock, vps: number) {
    this.ns = new Float64Array(vps)
  }

  /** VP `vp` starts a run slice now. */
  begin(vp: number): void {
    this.start = this.clock.now()
    this.running = vp
  }

  /** The open slice ends now. */
  end(): void {
    if (this.running < 0) return
    this.ns[this.running] += Math.max(0, this.clock.now() - this.start)
    this.running = -1
  }

  /** Nanoseconds VP `vp` has run, the open slice included (a guest reading VP_RUNTIME sees it move). */
  runNs(vp: number): number {
    const closed = this.ns[vp] ?? 0
    return vp === this.running ? closed + Math.max(0, this.clock.now() - this.start) : closed
  }
}
