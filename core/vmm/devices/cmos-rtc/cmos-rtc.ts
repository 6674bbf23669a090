/**
 * MC146818A RTC + CMOS RAM (spec.ts): time registers derived from the VmClock plus a start
 * epoch, BCD or binary and 12/24-hour formats, the SET bit for the guest to set the time,
 * the update-in-progress flag in the 244 µs before each second, periodic / alarm /
 * update-ended interrupts on IRQ8 (held until register C is read), and the NMI mask latch
 * in bit 7 of the index port. Memory-size bytes are filled as QEMU does.
 *
 * API: `new CmosRtc(clock, irq, { epochSeconds, memoryBytes })`, `registerOn(bus)`,
 * TimedDevice (`nextDeadline`/`advanceTo`), `nmiDisabled`.
 */
import type { IoSize, PortBus, PortHandler } from '../../io/port-bus'
import type { IrqSink } from '../../io/irq'
import type { TimedDevice, VmClock } from '../../io/clock'
import { NS_PER_SECOND } from '../../io/clock'
import {
  ALARM_DONT_CARE, CMOS_INDEX_PORT, CMOS_SIZE, CmosMem, DV_NORMAL, NMI_DISABLE, RTC_IRQ, RegA, RegB, RegC, RegD,
  RtcReg, UIP_WINDOW_NS, periodicHz,
} from './spec'
import { checkCmosRtcState, type CmosRtcState } from './state'

export interface CmosRtcOptions {
  /** Wall-clock time (Unix seconds) at guest time 0. */
  epochSeconds: number
  memoryBytes: number
}

const toBcd = (v: number) => ((Math.floor(v / 10) % 10) << 4) | (v % 10)
const fromBcd = (v: number) => (v >> 4) * 10 + (v & 0xf)

export class CmosRtc implements PortHandler, TimedDevice {
  private cmos = new Uint8Array(CMOS_SIZE)
  private index = 0
  nmiDisabled = false
  private offsetSeconds: number
  private nextPeriodic: number | null = null
  private nextSecond: number | null = null
  private irqLevel = false

  constructor(private readonly clock: VmClock, private readonly irq: IrqSink, opts: CmosRtcOptions) {
    this.offsetSeconds = opts.epochSeconds
    this.cmos[RtcReg.A] = DV_NORMAL | 0x06
    this.cmos[RtcReg.B] = RegB.HOUR_24
    this.cmos[RtcReg.D] = RegD.VRT
    this.setMemorySize(opts.memoryBytes)
  }

  registerOn(bus: PortBus): void {
    bus.register('cmos-rtc', CMOS_INDEX_PORT, 2, this)
  }

  /** The CMOS memory-size bytes, as QEMU's pc_cmos_init writes them. */
  private setMemorySize(bytes: number): void {
    const c = this.cmos
    c[CmosMem.BASE_MEM_LO] = 640 & 0xff
    c[CmosMem.BASE_MEM_HI] = 640 >> 8
    const ext = Math.min(0xffff, Math.max(0, Math.floor(bytes / 1024) - 1024))
    c[CmosMem.EXT_MEM_LO] = c[CmosMem.EXT_MEM2_LO] = ext & 0xff
    c[CmosMem.EXT_MEM_HI] = c[CmosMem.EXT_MEM2_HI] = ext >> 8
    const below4g = Math.min(bytes, 0xe0000000)
    const above16 = below4g > 16 << 20 ? Math.min(0xffff, Math.floor((below4g - (16 << 20)) / 65536)) : 0
    c[CmosMem.MEM_ABOVE_16M_LO] = above16 & 0xff
    c[CmosMem.MEM_ABOVE_16M_HI] = above16 >> 8
    const above4g = Math.max(0, Math.floor((bytes - below4g) / 65536))
    c[CmosMem.MEM_ABOVE_4G_0] = above4g & 0xff
    c[CmosMem.MEM_ABOVE_4G_1] = (above4g >> 8) & 0xff
    c[CmosMem.MEM_ABOVE_4G_2] = (above4g >> 16) & 0xff
  }

  // ---- time

  private running(): boolean {
    return (this.cmos[RtcReg.A] & RegA.DV_MASK) === DV_NORMAL && (this.cmos[RtcReg.B] & RegB.SET) === 0
  }

  /** RTC time in Unix seconds (fractional). */
  rtcSeconds(now = this.clock.now()): number {
    return this.offsetSeconds + now / NS_PER_SECOND
  }

  private encode(v: number): number {
    return this.cmos[RtcReg.B] & RegB.DM_BINARY ? v : toBcd(v)
  }

  private decode(v: number): number {
    return this.cmos[RtcReg.B] & RegB.DM_BINARY ? v : fromBcd(v)
  }

  private encodeHour(h: number): number {
    if (this.cmos[RtcReg.B] & RegB.HOUR_24) return this.encode(h)
    const pm = h >= 12
    return this.encode(h % 12 === 0 ? 12 : h % 12) | (pm ? 0x80 : 0)
  }

  private decodeHour(v: number): number {
    if (this.cmos[RtcReg.B] & RegB.HOUR_24) return this.decode(v)
    const h = this.decode(v & 0x7f) % 12
    return v & 0x80 ? h + 12 : h
  }

  /** Write the current time into the time registers (what a read sees). */
  private latchTime(now: number): void {
    const d = new Date(Math.floor(this.rtcSeconds(now)) * 1000)
    const c = this.cmos
    c[RtcReg.SECONDS] = this.encode(d.getUTCSeconds())
    c[RtcReg.MINUTES] = this.encode(d.getUTCMinutes())
    c[RtcReg.HOURS] = this.encodeHour(d.getUTCHours())
    c[RtcReg.DAY_OF_WEEK] = this.encode(d.getUTCDay() + 1)
    c[RtcReg.DAY_OF_MONTH] = this.encode(d.getUTCDate())
    c[RtcReg.MONTH] = this.encode(d.getUTCMonth() + 1)
    c[RtcReg.YEAR] = this.encode(d.getUTCFullYear() % 100)
    c[RtcReg.CENTURY] = this.encode(Math.floor(d.getUTCFullYear() / 100))
  }

  /** The guest set the clock: take the time registers as the new current time. */
  private adoptTime(now: number): void {
    const c = this.cmos
    const year = this.decode(c[RtcReg.CENTURY]) * 100 + this.decode(c[RtcReg.YEAR])
    const ms = Date.UTC(year, this.decode(c[RtcReg.MONTH]) - 1, this.decode(c[RtcReg.DAY_OF_MONTH]),
      this.decodeHour(c[RtcReg.HOURS]), this.decode(c[RtcReg.MINUTES]), this.decode(c[RtcReg.SECONDS]))
    if (Number.isFinite(ms)) this.offsetSeconds = ms / 1000 - now / NS_PER_SECOND
  }

  // ---- ports

  read(port: number, _size: IoSize): number {
    if (port === CMOS_INDEX_PORT) return 0xff // write-only on the AT
    const now = this.clock.now()
    this.advanceTo(now)
    const i = this.index
    if (i <= RtcReg.YEAR || i === RtcReg.CENTURY) {
      if (this.running()) this.latchTime(now)
      return this.cmos[i]
    }
    switch (i) {
      case RtcReg.A: {
        const frac = this.rtcSeconds(now) % 1
        const uip = this.running() && frac >= 1 - UIP_WINDOW_NS / NS_PER_SECOND
        return (this.cmos[RtcReg.A] & ~RegA.UIP) | (uip ? RegA.UIP : 0)
      }
      case RtcReg.C: {
        const v = this.cmos[RtcReg.C]
        this.cmos[RtcReg.C] = 0
        this.setIrqLine(false)
        return v
      }
      case RtcReg.D: return RegD.VRT
      default: return this.cmos[i]
    }
  }

  write(port: number, _size: IoSize, value: number): void {
    value &= 0xff
    if (port === CMOS_INDEX_PORT) {
      this.index = value & 0x7f
      this.nmiDisabled = (value & NMI_DISABLE) !== 0
      return
    }
    const now = this.clock.now()
    const i = this.index
    switch (i) {
      case RtcReg.A:
        this.cmos[RtcReg.A] = value & ~RegA.UIP
        this.reschedule(now)
        return
      case RtcReg.B: {
        const old = this.cmos[RtcReg.B]
        // Setting SET freezes the registers at the current time for the guest to edit.
        if (value & RegB.SET && !(old & RegB.SET) && this.running()) this.latchTime(now)
        this.cmos[RtcReg.B] = value & RegB.SET ? value & ~RegB.UIE : value
        if (old & RegB.SET && !(value & RegB.SET)) this.adoptTime(now)
        this.reschedule(now)
        this.updateIrq()
        return
      }
      case RtcReg.C:
      case RtcReg.D:
        return // read-only
      default:
        if (i <= RtcReg.YEAR || i === RtcReg.CENTURY) {
          if (this.running()) this.latchTime(now)
          this.cmos[i] = value
          if (this.running() && i !== RtcReg.SECONDS_ALARM && i !== RtcReg.MINUTES_ALARM && i !== RtcReg.HOURS_ALARM) this.adoptTime(now)
          return
        }
        this.cmos[i] = value
    }
  }

  // ---- interrupts and timers

  private reschedule(now: number): void {
    const hz = periodicHz(this.cmos[RtcReg.A] & RegA.RS_MASK)
    this.nextPeriodic = hz && this.cmos[RtcReg.B] & RegB.PIE && (this.cmos[RtcReg.A] & RegA.DV_MASK) === DV_NORMAL
      ? now + NS_PER_SECOND / hz : null
    this.nextSecond = this.running() && this.cmos[RtcReg.B] & (RegB.UIE | RegB.AIE)
      ? (Math.floor(this.rtcSeconds(now)) + 1 - this.offsetSeconds) * NS_PER_SECOND : null
  }

  nextDeadline(): number {
    return Math.min(this.nextPeriodic ?? Infinity, this.nextSecond ?? Infinity)
  }

  advanceTo(now: number): void {
    if (this.nextPeriodic !== null && now >= this.nextPeriodic) {
      this.cmos[RtcReg.C] |= RegC.PF
      const period = NS_PER_SECOND / periodicHz(this.cmos[RtcReg.A] & RegA.RS_MASK)
      // Coalesce missed periods; stay on the period grid.
      this.nextPeriodic += Math.max(1, Math.ceil((now - this.nextPeriodic + 1) / period)) * period
    }
    if (this.nextSecond !== null && now >= this.nextSecond) {
      this.cmos[RtcReg.C] |= RegC.UF
      if (this.alarmMatches(now)) this.cmos[RtcReg.C] |= RegC.AF
      this.nextSecond = (Math.floor(this.rtcSeconds(now)) + 1 - this.offsetSeconds) * NS_PER_SECOND
    }
    this.updateIrq()
  }

  private alarmMatches(now: number): boolean {
    this.latchTime(now)
    const c = this.cmos
    const pairs: Array<[number, number]> = [[RtcReg.SECONDS_ALARM, RtcReg.SECONDS], [RtcReg.MINUTES_ALARM, RtcReg.MINUTES], [RtcReg.HOURS_ALARM, RtcReg.HOURS]]
    return pairs.every(([a, t]) => (c[a] & ALARM_DONT_CARE) === ALARM_DONT_CARE || c[a] === c[t])
  }

  private updateIrq(): void {
    const c = this.cmos[RtcReg.C]
    const b = this.cmos[RtcReg.B]
    const fire = (c & RegC.PF && b & RegB.PIE) || (c & RegC.AF && b & RegB.AIE) || (c & RegC.UF && b & RegB.UIE)
    if (fire) {
      this.cmos[RtcReg.C] |= RegC.IRQF
      this.setIrqLine(true)
    }
  }

  private setIrqLine(level: boolean): void {
    if (this.irqLevel === level) return
    this.irqLevel = level
    this.irq.setIrq(RTC_IRQ, level)
  }

  /** A CMOS byte (for firmware-style consumers and tests). */
  peek(index: number): number {
    return this.cmos[index & 0x7f]
  }

  saveState(): CmosRtcState {
    return {
      version: 1, cmos: [...this.cmos], index: this.index, nmiDisabled: this.nmiDisabled, offsetSeconds: this.offsetSeconds,
      nextPeriodic: this.nextPeriodic, nextSecond: this.nextSecond, irqLevel: this.irqLevel,
    }
  }

  restoreState(raw: unknown): void {
    const s = checkCmosRtcState(raw)
    this.cmos = Uint8Array.from(s.cmos)
    this.index = s.index & 0x7f
    this.nmiDisabled = s.nmiDisabled
    this.offsetSeconds = s.offsetSeconds
    this.nextPeriodic = s.nextPeriodic
    this.nextSecond = s.nextSecond
    this.irqLevel = false
    this.irq.setIrq(RTC_IRQ, false)
    this.setIrqLine(s.irqLevel)
  }
}
