/**
 * Guest time as devices see it. `VmClock.now()` is nanoseconds of guest time (a double,
 * exact to 2^53 ns ≈ 104 days). Timed devices expose `nextDeadline()` (ns, Infinity when
 * nothing is pending) and `advanceTo(now)` (fire everything due); the run loop calls them
 * between CPU slices. `TimedDevice` is that contract; `ManualClock` drives tests.
 */

export interface VmClock {
  now(): number
}

export interface TimedDevice {
  nextDeadline(): number
  advanceTo(now: number): void
}

/** A clock that moves only when told to (tests, deterministic runs). */
export class ManualClock implements VmClock {
  constructor(private t = 0) {}
  now(): number {
    return this.t
  }
  set(ns: number): void {
    this.t = ns
  }
  advance(ns: number): void {
    this.t += ns
  }
}

export const NS_PER_SECOND = 1_000_000_000
