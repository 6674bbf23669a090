/**
 * The four synthetic timers of one VP (TLFS 15.3; inventory 5.3): STIMERx_CONFIG
 * (Enable, Periodic, Lazy, AutoEnable, SINTx) and STIMERx_COUNT (absolute expiration for
 * one-shot, period for periodic, 100 ns units), with the state machine DECISIONs of the
 * inventory: COUNT=0 disables; AutoEnable arms on a non-zero COUNT; SINTx=0 clears Enable;
 * a one-shot clears Enable when it fires; expirations are never early. Each timer owns one
 * message buffer (14.1): an expiration while it is still queued is a missed periodic tick.
 * Expiration messages are HvMessageTypeTimerExpired with ExpirationTime and DeliveryTime.
 */
import { HvMessageType } from '../virtual-processor'
import { HvMessageBuffer, MSG_PAYLOAD } from '../synic/message-layout'
import type { Synic } from '../synic/synic'

const ENABLE = 1n
const PERIODIC = 2n
const LAZY = 4n
const AUTO_ENABLE = 8n
/** Bits kept by CONFIG (reserved bits read back 0, DECISION 15.3). */
const CONFIG_MASK = 0xfn | (0xfn << 16n)
export const HV_STIMER_COUNT = 4

export class SyntheticTimer {
  config = 0n
  count = 0n
  /** Next expiration in reference time (100 ns units); Infinity when not armed. */
  deadline = Infinity
  /** For periodic timers: reference time of the first period's start. */
  periodStart = 0
  /** A one-shot expiration waiting for the buffer to free. */
  pendingExpiration = -1
  missedTicks = 0
  readonly buffer = new HvMessageBuffer()

  constructor(readonly index: number) {}

  get enabled(): boolean {
    return (this.config & ENABLE) !== 0n
  }
  get periodic(): boolean {
    return (this.config & PERIODIC) !== 0n
  }
  get sint(): number {
    return Number((this.config >> 16n) & 0xfn)
  }

  arm(now: number): void {
    this.deadline = Infinity
    if (!this.enabled || this.count === 0n) return
    const c = Number(this.count)
    if (this.periodic) {
      this.periodStart = now
      this.deadline = now + c
    } else this.deadline = c // absolute; in the past → fires at the next check
  }

  writeConfig(value: bigint, now: number): void {
    this.deadline = Infinity // DECISION 15.3: a write while enabled = disable, then apply
    let v = value & CONFIG_MASK
    if ((v & ENABLE) !== 0n && this.sintFieldOf(v) === 0) v &= ~ENABLE
    this.config = v
    this.arm(now)
  }

  private sintFieldOf(v: bigint): number {
    return Number((v >> 16n) & 0xfn)
  }

  writeCount(value: bigint, now: number): void {
    this.count = value
    if (value === 0n) {
      this.config &= ~ENABLE
      this.deadline = Infinity
      return
    }
    if ((this.config & AUTO_ENABLE) !== 0n && this.sint !== 0) this.config |= ENABLE
    if (this.enabled) this.arm(now)
  }

  /** Restore path (DECISION 15.3): store verbatim, no AutoEnable/Count side effects. */
  restore(config: bigint, count: bigint, now: number): void {
    this.config = config & CONFIG_MASK
    this.count = count
    this.arm(now)
  }

  /** Fire if due at reference time `now`; sends through `synic` (the owning VP's). */
  advance(now: number, synic: Synic, refNow: () => number): void {
    if (this.pendingExpiration >= 0 && !this.buffer.busy) {
      const t = this.pendingExpiration
      this.pendingExpiration = -1
      this.send(t, synic, refNow)
    }
    if (now < this.deadline) return
    const expiration = this.deadline
    if (this.periodic) {
      const c = Number(this.count)
      const lazy = (this.config & LAZY) !== 0n
      // Lazy: missed ticks collapse into one, next deadline on the next T0 + k·period boundary;
      // non-lazy: each missed tick is delivered (one per check) on T0 + k·period (DECISION 15.3).
      let next = expiration + c
      if (lazy && next <= now) {
        const k = Math.floor((now - this.periodStart) / c) + 1
        next = this.periodStart + k * c
        this.missedTicks += Math.floor((next - expiration) / c) - 1
      }
      this.deadline = next
    } else {
      this.config &= ~ENABLE
      this.deadline = Infinity
    }
    if (this.buffer.busy) {
      if (this.periodic) this.missedTicks++
      else this.pendingExpiration = expiration
      return
    }
    this.send(expiration, synic, refNow)
  }

  private send(expiration: number, synic: Synic, refNow: () => number): void {
    const b = this.buffer
    b.fill(HvMessageType.HvMessageTypeTimerExpired, 0n, null, 24)
    b.view.setUint32(MSG_PAYLOAD, this.index, true)
    b.view.setBigUint64(MSG_PAYLOAD + 8, BigInt(expiration), true)
    b.onCopied = (slot) => slot.setBigUint64(MSG_PAYLOAD + 16, BigInt(refNow()), true)
    synic.enqueue(this.sint, b)
  }

  reset(): void {
    this.config = 0n
    this.count = 0n
    this.deadline = Infinity
    this.pendingExpiration = -1
    this.missedTicks = 0
  }
}
