/**
 * Partition reference time (TLFS 15.2-15.4): the guest-time clock the VMM passes in
 * (nanoseconds; deterministic under the VMM's virtual clock), the partition reference
 * counter HV_X64_MSR_TIME_REF_COUNT in 100 ns units (0 at partition creation, stopped
 * while every VP is explicitly suspended, strictly increasing per read: DECISION 15.2
 * max(previous + 1, computed)), and the reference TSC page HV_X64_MSR_REFERENCE_TSC with
 * ReferenceTime = ((Tsc × TscScale) >> 64) + TscOffset kept consistent with the counter.
 */
import type { Partition } from '../partition'
import type { OverlayPage } from '../synic/overlay-page'

/** Guest time source given by the VMM. The guest's TSC must read nowNs() × tscHz / 1e9. */
export interface GuestClock {
  nowNs(): number
  tscHz: number
}

const TWO64 = 1n << 64n
const MASK64 = TWO64 - 1n
/** 0xFFFFFFFF marks the TSC page invalid (15.4); 0 is skipped too (DECISION 15.4). */
export const TSC_SEQUENCE_INVALID = 0xffffffff

export class ReferenceTime {
  /** Guest ns at which the partition's reference counter started. */
  private originNs: number
  /** Guest ns during which every VP was explicitly suspended (the counter stood still). */
  private stoppedNs = 0
  private stoppedSince = -1
  private last = -1
  /** HV_X64_MSR_REFERENCE_TSC (partition-wide). */
  tscMsr = 0n
  private sequence = 0

  constructor(
    public clock: GuestClock,
    private readonly partition: Partition,
  ) {
    this.originNs = clock.nowNs()
  }

  /**
   * Change the clock (the VMM installs its own after creation). The counter continues from
   * the last value a guest saw (0 if none), so host time before the switch never leaks in
   * and virtual-clock runs stay deterministic.
   */
  setClock(clock: GuestClock): void {
    this.clock = clock
    this.stoppedNs = 0
    this.stoppedSince = -1
    this.originNs = clock.nowNs() - Math.max(0, this.last) * 100
  }

  private allSuspended(): boolean {
    const vps = this.partition.vps
    for (const vp of vps) if (vp && !vp.explicitSuspend) return false
    return true
  }

  /** Fold suspend periods in (called at every sample and by the run loop). */
  private track(now: number): void {
    const stopped = this.allSuspended()
    if (stopped && this.stoppedSince < 0) this.stoppedSince = now
    else if (!stopped && this.stoppedSince >= 0) {
      this.stoppedNs += now - this.stoppedSince
      this.stoppedSince = -1
    }
  }

  /** Reference time in ns (not rounded): guest time minus stopped time since creation. */
  counterNs(): number {
    const now = this.clock.nowNs()
    this.track(now)
    const end = this.stoppedSince >= 0 ? this.stoppedSince : now
    return Math.max(0, end - this.originNs - this.stoppedNs)
  }

  /**
   * Reference time in 100 ns units as the guest has observed it (timers use this). A guest
   * that reads the MSR more often than every 100 ns pushes the strictly-increasing counter
   * ahead of the clock; timers must compare against that same counter (15.3: a one-shot
   * expires when "the reference counter" reaches COUNT), or they fire late against it.
   */
  now100ns(): number {
    return Math.max(Math.floor(this.counterNs() / 100), this.last)
  }

  /** The value an RDMSR of HV_X64_MSR_TIME_REF_COUNT returns. */
  readCounter(): bigint {
    const v = Math.max(this.now100ns(), this.last + 1)
    this.last = v
    return BigInt(v)
  }

  /** Guest ns at which the reference counter reaches `ref` (100 ns units), for timer deadlines. */
  nsAt(ref: number): number {
    // Guest reads may already have pushed the counter to `ref` (now100ns): due now.
    if (ref <= this.last) return this.clock.nowNs()
    return this.originNs + this.stoppedNs + ref * 100
  }

  // ---------------------------------------------------------------- save / restore (17.1.5)

  /** The counter (100 ns units), the last value a guest read, the MSR and the page sequence. */
  saveState(): { counter: number; last: number; tscMsr: bigint; sequence: number; counterNs: number } {
    return { counter: this.now100ns(), last: this.last, tscMsr: this.tscMsr, sequence: this.sequence, counterNs: this.counterNs() }
  }

  /** Continue the counter from the saved value at the current clock time (no jump, no rewind). */
  restoreState(s: { counter: number; last: number; tscMsr: bigint; sequence: number; counterNs?: number }): void {
    this.stoppedNs = 0
    this.stoppedSince = -1
    // The exact ns count when saved (keeps sub-100 ns phase, so restored runs read identical values).
    this.originNs = this.clock.nowNs() - (s.counterNs ?? s.counter * 100)
    this.last = s.last
    this.tscMsr = s.tscMsr
    this.sequence = s.sequence >>> 0 === TSC_SEQUENCE_INVALID ? 0 : s.sequence >>> 0
  }

  // ---------------------------------------------------------------- reference TSC page

  /** TscScale = floor(10^7 · 2^64 / f_tsc) (15.4, [derived]). */
  get tscScale(): bigint {
    return (10_000_000n * TWO64) / BigInt(Math.round(this.clock.tscHz))
  }

  /** TscOffset so that the page formula gives the counter now (signed, modulo 2^64). */
  tscOffset(): bigint {
    const now = this.clock.nowNs()
    const tsc = BigInt(Math.floor((now * this.clock.tscHz) / 1e9))
    const fromTsc = (tsc * this.tscScale) >> 64n
    return BigInt(this.now100ns()) - fromTsc
  }

  /** Write scale, offset, then the sequence last (15.4 writer protocol). */
  publish(page: OverlayPage): void {
    if (!page.active) return
    const b = page.bytes()
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
    v.setUint32(0, TSC_SEQUENCE_INVALID, true)
    v.setBigUint64(8, this.tscScale & MASK64, true)
    v.setBigUint64(16, this.tscOffset() & MASK64, true)
    this.sequence = this.sequence + 1 >= TSC_SEQUENCE_INVALID ? 1 : this.sequence + 1
    v.setUint32(0, this.sequence, true)
    page.touched(0, 24)
  }
}

/** Evaluate the TSC page formula as a guest does: ((tsc · scale) >> 64) + offset, modulo 2^64. */
export function referenceTimeFromTscPage(page: Uint8Array, tsc: bigint): bigint | null {
  const v = new DataView(page.buffer, page.byteOffset, page.byteLength)
  if (v.getUint32(0, true) === TSC_SEQUENCE_INVALID) return null
  const scale = v.getBigUint64(8, true)
  const offset = v.getBigUint64(16, true)
  return (((tsc * scale) >> 64n) + offset) & MASK64
}
