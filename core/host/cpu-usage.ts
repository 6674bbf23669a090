/**
 * The VM list's CPU Usage column, computed from instructions retired per second. A VM's
 * processor "capacity" is the rate its thread retires instructions when fully busy, estimated
 * from samples as instructions-per-second divided by the thread's busy share; CPU Usage is
 * the current rate over that capacity. A halted guest retires nothing and shows 0 %, however
 * much the host spends servicing its timers. Without a busy measure (in-process runner) the
 * nominal 1-instruction-per-nanosecond VP of the virtual clock is the capacity.
 */
import type { RunnerStats } from './vm-runner'

/** Below this busy share the estimate of the capacity is mostly noise. */
const MIN_BUSY_FOR_ESTIMATE = 0.1
const NOMINAL_IPS_PER_VP = 1_000_000_000

export interface CpuReading {
  instructions: number
  instructionsPerSecond: number
  cpuUsagePercent: number
}

export class CpuMeter {
  private last: { instructions: number; at: number } | null = null
  private capacity = 0

  constructor(
    private readonly cpus: number,
    startedAt: number,
  ) {
    this.last = { instructions: 0, at: startedAt }
  }

  /** Folds in a sample taken at `at` (ms); null when no time has passed since the last one. */
  sample(s: RunnerStats, at: number): CpuReading | null {
    const prev = this.last
    this.last = { instructions: s.instructions, at }
    if (!prev || at <= prev.at) return null
    // A reset restarts the machine's counter: count from zero rather than going negative.
    const retired = s.instructions >= prev.instructions ? s.instructions - prev.instructions : s.instructions
    const ips = (retired * 1000) / (at - prev.at)
    if (s.busy !== null && s.busy >= MIN_BUSY_FOR_ESTIMATE && ips > 0) {
      this.capacity = Math.max(this.capacity, ips / s.busy)
    }
    const capacity = s.busy === null ? NOMINAL_IPS_PER_VP * this.cpus : this.capacity
    const percent = capacity > 0 ? (100 * ips) / capacity : 0
    return {
      instructions: s.instructions,
      instructionsPerSecond: Math.round(ips),
      cpuUsagePercent: Math.min(100, Math.max(0, Math.round(percent))),
    }
  }
}
