/**
 * The partition timer assists set by the parent as partition properties (TLFS 5.x
 * "Periodic timer assist" and "PM timer assist"; inventory 5.4-5.5).
 * Periodic timer assist: HvPartitionPropertyEmulatedTimerPeriod (100 ns units) and
 * HvPartitionPropertyEmulatedTimerControl (Vector 7:0, DeliveryMode 10:8, Logical 11,
 * Enabled 12, Mda 63:56, ICR semantics) make the hypervisor send that interrupt every
 * period, non-lazy (deadlines stay on T0 + k·period, one interrupt per check when behind).
 * Period 0 clears Enabled; a changed period or control re-arms from now.
 * PM timer assist: HvPartitionPropertyPmTimerAssist {Port 15:0, Width24 16, Enabled 17}
 * answers a (non-string) IN from Port with floor(RefTime × 0.3579545) mod 2^24 or 2^32
 * without an intercept (DECISION: smaller INs get the low bytes).
 */
import type { Partition } from '../partition'
import { HvPartitionProperty as P } from '../partition-properties'

const CONTROL_ENABLED = 1n << 12n
/** 3.579545 MHz in ticks per 100 ns = 3579545 / 10^7. */
const PM_NUMERATOR = 3_579_545n
const PM_DENOMINATOR = 10_000_000n

/** What the periodic assist needs from the partition's interrupt router. */
export interface EmulatedTimerSink {
  /** Send `vector` with ICR delivery `mode` to the APICs selected by `mda` (logical or physical). */
  send(mode: number, vector: number, mda: number, logical: boolean): void
}

export class EmulatedTimer {
  private period = 0n
  private control = 0n
  /** Next expiration in reference time (100 ns); Infinity when disarmed. */
  deadline = Infinity
  fired = 0

  constructor(private readonly partition: Partition, private readonly sink: EmulatedTimerSink) {}

  /** Pick up property changes made since the last call (the properties have no change hook). */
  private sync(now: number): void {
    const props = this.partition.properties
    const period = props.get(P.HvPartitionPropertyEmulatedTimerPeriod) ?? 0n
    let control = props.get(P.HvPartitionPropertyEmulatedTimerControl) ?? 0n
    if (period === this.period && control === this.control) return
    if (period === 0n && (control & CONTROL_ENABLED) !== 0n) {
      control &= ~CONTROL_ENABLED // 5.4: Period = 0 clears Enabled
      props.set(P.HvPartitionPropertyEmulatedTimerControl, control)
    }
    const rearm = period !== this.period || (control & CONTROL_ENABLED) !== (this.control & CONTROL_ENABLED)
    this.period = period
    this.control = control // a control change without disabling takes effect at once (same phase)
    if ((control & CONTROL_ENABLED) === 0n || period === 0n) this.deadline = Infinity
    else if (rearm || this.deadline === Infinity) this.deadline = now + Number(period)
  }

  /** Next deadline in reference time (100 ns units). */
  next(now: number): number {
    this.sync(now)
    return this.deadline
  }

  /** Fire if due at reference time `now` (one interrupt per call, non-lazy catch-up). */
  advance(now: number): void {
    this.sync(now)
    if (now < this.deadline) return
    this.deadline += Number(this.period)
    this.fired++
    const c = this.control
    this.sink.send(Number((c >> 8n) & 7n), Number(c & 0xffn), Number((c >> 56n) & 0xffn), ((c >> 11n) & 1n) === 1n)
  }
}

/**
 * The value of an IN from the PM timer assist's port at reference time `ref100ns`, or -1
 * when the assist does not cover this access.
 */
export function pmTimerRead(p: Partition, port: number, size: number, isString: boolean, ref100ns: number): number {
  const info = p.properties.get(P.HvPartitionPropertyPmTimerAssist) ?? 0n
  if (isString || ((info >> 17n) & 1n) === 0n || Number(info & 0xffffn) !== port) return -1
  const ticks = (BigInt(Math.max(0, Math.floor(ref100ns))) * PM_NUMERATOR) / PM_DENOMINATOR
  const value = Number(ticks & (((info >> 16n) & 1n) === 1n ? 0xffffffn : 0xffffffffn))
  return size === 4 ? value >>> 0 : size === 2 ? value & 0xffff : value & 0xff
}
