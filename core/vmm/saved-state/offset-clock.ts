/**
 * A run clock that can be set to a saved guest time (for restore): it adds a fixed offset
 * to the underlying virtual or host clock, so device deadlines saved in guest nanoseconds
 * stay meaningful and a restored VM continues at exactly the time it was saved.
 */
import type { RunClock } from '../vm-clock'

export class OffsetClock implements RunClock {
  private offset = 0

  constructor(private readonly inner: RunClock) {}

  get kind(): 'virtual' | 'host' {
    return this.inner.kind
  }
  now(): number {
    return this.inner.now() + this.offset
  }
  /** Make now() read `ns` from here on. */
  setNow(ns: number): void {
    // A fresh virtual clock jumps straight to the saved time: no offset arithmetic, so the
    // restored run computes bit-identical times to an uninterrupted one.
    if (this.inner.kind === 'virtual' && this.inner.now() <= ns) {
      this.inner.idleUntil(ns)
      this.offset = 0
      return
    }
    this.offset = ns - this.inner.now()
  }
  beginSlice(retired: () => number): void {
    this.inner.beginSlice(retired)
  }
  endSlice(): void {
    this.inner.endSlice()
  }
  idleUntil(deadline: number): void {
    this.inner.idleUntil(deadline - this.offset)
  }
  pause(): void {
    this.inner.pause()
  }
  resume(): void {
    this.inner.resume()
  }
}
