/**
 * Intel 8254 PIT (datasheet 231164): three 16-bit down-counters clocked at 1.193182 MHz,
 * computed from the VmClock rather than ticked. Modes 0-5, LSB/MSB/LSB-then-MSB access,
 * BCD counting, counter latch and read-back (count and status), gates (channel 2's from
 * port 0x61). Channel 0's OUT drives IRQ0 on its rising edges; `nextDeadline` /
 * `advanceTo` schedule them. Missed periods are coalesced into one edge (the PIC latches
 * one request anyway).
 *
 * Ports: `registerOn(bus)` claims 0x40-0x43 and port B (0x61: gate 2, speaker enable,
 * refresh toggle, OUT2), as Linux's TSC calibration uses them.
 */
import type { IoSize, PortBus, PortHandler } from '../../io/port-bus'
import type { IrqSink } from '../../io/irq'
import type { TimedDevice, VmClock } from '../../io/clock'
import { NS_PER_SECOND } from '../../io/clock'
import { PIT_BASE, PIT_FREQUENCY_HZ, PIT_IRQ, PORT_B, PitAccess, PitControl, PitStatus, PortB, ReadBack, REFRESH_PERIOD_NS } from './spec'
import { checkPit8254State, type Pit8254State, type PitChannelState } from './state'

function newChannel(gate: boolean): PitChannelState {
  return {
    mode: 0, bcd: false, access: PitAccess.LSB_MSB, count: 0x10000, loadTime: null, readHigh: false, writeHigh: false,
    writeLow: 0, latched: [], status: null, gate, gateLowTime: null, triggered: false, nullCount: true,
  }
}

function toBcd(v: number): number {
  v %= 10000
  return (v % 10) | (Math.floor(v / 10) % 10) << 4 | (Math.floor(v / 100) % 10) << 8 | Math.floor(v / 1000) << 12
}

function fromBcd(v: number): number {
  return (v & 0xf) % 10 + ((v >> 4) & 0xf) % 10 * 10 + ((v >> 8) & 0xf) % 10 * 100 + ((v >> 12) & 0xf) % 10 * 1000
}

/** Modes whose counting stops while GATE is low. */
const gateStops = (mode: number) => mode === 0 || mode === 2 || mode === 3 || mode === 4

export class Pit8254 implements PortHandler, TimedDevice {
  private channels: PitChannelState[] = [newChannel(true), newChannel(true), newChannel(false)]
  private nextIrqTime: number | null = null
  private speaker = false
  /** IRQ0 edges raised (statistics). */
  irqCount = 0

  constructor(private readonly clock: VmClock, private readonly irq: IrqSink) {}

  registerOn(bus: PortBus): void {
    bus.register('pit', PIT_BASE, 4, this)
    bus.register('port-b', PORT_B, 1, this)
  }

  // ---- counter arithmetic

  private ticks(c: PitChannelState, now: number): number {
    if (c.loadTime === null) return 0
    const t = gateStops(c.mode) && !c.gate && c.gateLowTime !== null ? c.gateLowTime : now
    return Math.max(0, Math.floor(((t - c.loadTime) / NS_PER_SECOND) * PIT_FREQUENCY_HZ))
  }

  private waiting(c: PitChannelState): boolean {
    return c.loadTime === null || ((c.mode === 1 || c.mode === 5) && !c.triggered)
  }

  /** The counting element's value (binary). */
  counterValue(ch: number, now = this.clock.now()): number {
    const c = this.channels[ch]
    if (this.waiting(c)) return c.count & 0xffff
    const d = this.ticks(c, now)
    const n = c.count
    switch (c.mode) {
      case 2: return (n - (d % n)) & 0xffff
      case 3: return (n - ((2 * d) % n)) & 0xffff
      default: return (((n - d) % 0x10000) + 0x10000) % 0x10000
    }
  }

  /** The OUT pin. */
  out(ch: number, now = this.clock.now()): boolean {
    const c = this.channels[ch]
    if (c.loadTime === null) return c.mode !== 0
    if (this.waiting(c)) return true
    const d = this.ticks(c, now)
    const n = c.count
    switch (c.mode) {
      case 0: return d >= n
      case 1: return d >= n
      case 2: return !c.gate || n < 2 || d % n !== n - 1
      case 3: return !c.gate || d % n < Math.ceil(n / 2)
      default: return d !== n // modes 4 and 5: one low clock at terminal count
    }
  }

  /** The first tick > d at which OUT rises, or null. */
  private nextRisingTick(c: PitChannelState, d: number): number | null {
    if (this.waiting(c)) return null
    const n = c.count
    switch (c.mode) {
      case 0:
      case 1: return d < n ? n : null
      case 2:
      case 3: return c.gate ? (Math.floor(d / n) + 1) * n : null
      default: return d < n + 1 ? n + 1 : null
    }
  }

  private scheduleIrq(now: number): void {
    const c = this.channels[0]
    const tick = this.nextRisingTick(c, this.ticks(c, now))
    this.nextIrqTime = tick === null || c.loadTime === null ? null : c.loadTime + (tick * NS_PER_SECOND) / PIT_FREQUENCY_HZ
  }

  // ---- TimedDevice

  nextDeadline(): number {
    return this.nextIrqTime ?? Infinity
  }

  advanceTo(now: number): void {
    if (this.nextIrqTime === null || now < this.nextIrqTime) return
    this.irqCount++
    this.irq.setIrq(PIT_IRQ, true)
    this.irq.setIrq(PIT_IRQ, false)
    const c = this.channels[0]
    // The edge just fired is at or before `now`; look for the next one strictly after both.
    const firedTick = Math.round(((this.nextIrqTime - (c.loadTime ?? 0)) / NS_PER_SECOND) * PIT_FREQUENCY_HZ)
    const tick = this.nextRisingTick(c, Math.max(firedTick, this.ticks(c, now)))
    this.nextIrqTime = tick === null || c.loadTime === null ? null : c.loadTime + (tick * NS_PER_SECOND) / PIT_FREQUENCY_HZ
  }

  // ---- gates

  setGate(ch: number, level: boolean): void {
    const c = this.channels[ch]
    if (c.gate === level) return
    const now = this.clock.now()
    c.gate = level
    if (level) {
      if (c.mode === 1 || c.mode === 5) {
        if (c.loadTime !== null) { c.triggered = true; c.loadTime = now }
      } else if (c.mode === 2 || c.mode === 3) {
        if (c.loadTime !== null) c.loadTime = now // a rising gate reloads the counter
      } else if (c.gateLowTime !== null && c.loadTime !== null) {
        c.loadTime += now - c.gateLowTime // modes 0/4 resume where they stopped
      }
      c.gateLowTime = null
    } else {
      c.gateLowTime = now
    }
    if (ch === 0) this.scheduleIrq(now)
  }

  // ---- ports

  read(port: number, _size: IoSize): number {
    if (port === PORT_B) return this.readPortB()
    const ch = port - PIT_BASE
    if (ch === 3) return 0xff // the control register is write-only
    const c = this.channels[ch]
    if (c.status !== null) {
      const s = c.status
      c.status = null
      return s
    }
    if (c.latched.length > 0) return c.latched.shift()!
    let v = this.counterValue(ch)
    if (c.bcd) v = toBcd(v)
    switch (c.access) {
      case PitAccess.LSB: return v & 0xff
      case PitAccess.MSB: return v >> 8
      default:
        c.readHigh = !c.readHigh
        return c.readHigh ? v & 0xff : v >> 8
    }
  }

  write(port: number, _size: IoSize, value: number): void {
    value &= 0xff
    if (port === PORT_B) return this.writePortB(value)
    const ch = port - PIT_BASE
    if (ch === 3) return this.writeControl(value)
    const c = this.channels[ch]
    const now = this.clock.now()
    switch (c.access) {
      case PitAccess.LSB: this.load(ch, value, now); break
      case PitAccess.MSB: this.load(ch, value << 8, now); break
      default:
        if (!c.writeHigh) {
          c.writeLow = value
          c.writeHigh = true
          // Mode 0: writing the first byte stops the count (datasheet "Mode 0").
          if (c.mode === 0) { c.loadTime = null; if (ch === 0) this.scheduleIrq(now) }
        } else {
          c.writeHigh = false
          this.load(ch, c.writeLow | (value << 8), now)
        }
    }
  }

  private load(ch: number, raw: number, now: number): void {
    const c = this.channels[ch]
    const v = c.bcd ? fromBcd(raw) : raw
    c.count = v === 0 ? (c.bcd ? 10000 : 0x10000) : v
    c.loadTime = now
    c.triggered = false
    c.nullCount = false
    if (!c.gate) c.gateLowTime = now
    if (ch === 0) this.scheduleIrq(now)
  }

  private latchCount(c: PitChannelState, ch: number): void {
    if (c.latched.length > 0) return // a second latch before reading is ignored
    let v = this.counterValue(ch)
    if (c.bcd) v = toBcd(v)
    c.latched = c.access === PitAccess.LSB ? [v & 0xff] : c.access === PitAccess.MSB ? [v >> 8] : [v & 0xff, v >> 8]
  }

  private writeControl(v: number): void {
    const sc = v >> PitControl.SC_SHIFT
    const access = (v >> PitControl.RW_SHIFT) & 3
    if (sc === PitControl.READ_BACK) {
      for (let ch = 0; ch < 3; ch++) {
        if ((v & (2 << ch)) === 0) continue
        const c = this.channels[ch]
        if ((v & ReadBack.NO_COUNT) === 0) this.latchCount(c, ch)
        if ((v & ReadBack.NO_STATUS) === 0 && c.status === null) {
          c.status = (this.out(ch) ? PitStatus.OUT : 0) | (c.nullCount ? PitStatus.NULL_COUNT : 0) |
            (c.access << PitControl.RW_SHIFT) | (c.mode << PitControl.MODE_SHIFT) | (c.bcd ? PitControl.BCD : 0)
        }
      }
      return
    }
    const c = this.channels[sc]
    if (access === PitAccess.LATCH) return this.latchCount(c, sc)
    let mode = (v >> PitControl.MODE_SHIFT) & 7
    if (mode > 5) mode -= 4 // 6 and 7 are aliases of modes 2 and 3
    Object.assign(c, { mode, bcd: (v & PitControl.BCD) !== 0, access, loadTime: null, readHigh: false, writeHigh: false, latched: [], status: null, triggered: false, nullCount: true })
    if (sc === 0) this.scheduleIrq(this.clock.now())
  }

  private readPortB(): number {
    const now = this.clock.now()
    return (this.channels[2].gate ? PortB.GATE2 : 0) | (this.speaker ? PortB.SPEAKER : 0) |
      (Math.floor(now / REFRESH_PERIOD_NS) & 1 ? PortB.REFRESH : 0) | (this.out(2, now) ? PortB.OUT2 : 0)
  }

  private writePortB(v: number): void {
    this.speaker = (v & PortB.SPEAKER) !== 0
    this.setGate(2, (v & PortB.GATE2) !== 0)
  }

  // ---- saved state

  saveState(): Pit8254State {
    return { version: 1, channels: this.channels.map((c) => ({ ...c, latched: [...c.latched] })), nextIrqTime: this.nextIrqTime, speaker: this.speaker }
  }

  restoreState(raw: unknown): void {
    const s = checkPit8254State(raw)
    this.channels = s.channels.map((c) => ({ ...c, latched: [...c.latched] }))
    this.nextIrqTime = s.nextIrqTime
    this.speaker = s.speaker
  }
}
