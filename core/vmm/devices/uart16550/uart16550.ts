/**
 * A 16550A UART (PC16550D datasheet): the registers of spec.ts, 16-byte RX FIFO with
 * trigger levels, the character-timeout indication, interrupt identification by priority
 * (line status > RX data / timeout > THR empty > modem status), loopback (MCR.LOOP) and the
 * PC's OUT2 gate on the IRQ line.
 *
 * The transmitter is infinitely fast: a THR write leaves at once through `onTransmit` (or
 * into the RX FIFO in loopback), so THRE/TEMT read 1 and the THRE interrupt re-arms right
 * after each write. Host input goes through `receive(bytes)` into an unbounded backlog that
 * feeds the FIFO as the guest drains it, so pasted text is never overrun.
 *
 * Usage: `bus.register('COM1', COM1_BASE, 8, uart)`; as a TimedDevice (`nextDeadline` /
 * `advanceTo`) it signals the RX character timeout (4 character times after the last FIFO
 * activity); without a clock the timeout fires immediately.
 */
import type { IoSize, PortHandler } from '../../io/port-bus'
import type { IrqSink } from '../../io/irq'
import type { TimedDevice, VmClock } from '../../io/clock'
import { NS_PER_SECOND } from '../../io/clock'
import {
  FCR, FIFO_SIZE, IER, IIR, LCR, LSR, LSR_ERROR_BITS, MCR, MSR, RX_TRIGGER_LEVELS, UART_BASE_BAUD, UartReg,
} from './spec'
import { checkUart16550State, type Uart16550State } from './state'

export interface Uart16550Options {
  irq: IrqSink
  line: number
  clock?: VmClock
  /** Bytes the guest transmitted (not called in loopback). */
  onTransmit?: (bytes: Uint8Array) => void
}

/** Modem input lines presented by the host side when not in loopback: a connected terminal. */
const HOST_MODEM_LINES = MSR.CTS | MSR.DSR | MSR.DCD

export class Uart16550 implements PortHandler, TimedDevice {
  onTransmit: (bytes: Uint8Array) => void
  private readonly irq: IrqSink
  private readonly line: number
  private readonly clock: VmClock | undefined

  private ier = 0
  private lcr = 0
  private mcr = 0
  /** OE/PE/FE/BI latched until LSR is read. */
  private lsrErrors = 0
  /** MSR bits 7:4 as last computed, and the latched delta bits 3:0. */
  private msrLines = HOST_MODEM_LINES
  private msrDeltas = 0
  private scr = 0
  private dll = 0x0c
  private dlm = 0
  private fcr = 0
  private rx: number[] = []
  private thrIpending = false
  private timeoutPending = false
  private timeoutDeadline: number | null = null
  private backlog: number[] = []
  private backlogHead = 0
  private irqLevel = false

  /** Statistics. */
  bytesTransmitted = 0
  bytesReceived = 0

  constructor(opts: Uart16550Options) {
    this.irq = opts.irq
    this.line = opts.line
    this.clock = opts.clock
    this.onTransmit = opts.onTransmit ?? (() => {})
  }

  // ---- host side

  /** Queue bytes typed or pasted by the user; they enter the RX FIFO as room allows. */
  receive(bytes: Uint8Array | readonly number[]): void {
    for (const b of bytes) this.backlog.push(b & 0xff)
    this.pump()
    this.update()
  }

  /** Bytes waiting in the host backlog (not yet in the FIFO). */
  get backlogLength(): number {
    return this.backlog.length - this.backlogHead
  }

  /** Hardware reset (MR pin): registers to their datasheet reset values; backlog kept. */
  reset(): void {
    this.ier = 0; this.lcr = 0; this.mcr = 0; this.lsrErrors = 0; this.scr = 0
    this.fcr = 0; this.rx = []; this.thrIpending = false; this.timeoutPending = false
    this.timeoutDeadline = null; this.msrDeltas = 0; this.msrLines = HOST_MODEM_LINES
    this.pump()
    this.update()
  }

  // ---- PortHandler

  read(port: number, _size: IoSize): number {
    const dlab = (this.lcr & LCR.DLAB) !== 0
    switch (port & 7) {
      case UartReg.RBR: return dlab ? this.dll : this.readRbr()
      case UartReg.IER: return dlab ? this.dlm : this.ier
      case UartReg.IIR: return this.readIir()
      case UartReg.LCR: return this.lcr
      case UartReg.MCR: return this.mcr
      case UartReg.LSR: return this.readLsr()
      case UartReg.MSR: return this.readMsr()
      default: return this.scr
    }
  }

  write(port: number, _size: IoSize, value: number): void {
    value &= 0xff
    const dlab = (this.lcr & LCR.DLAB) !== 0
    switch (port & 7) {
      case UartReg.THR:
        if (dlab) this.dll = value
        else this.writeThr(value)
        break
      case UartReg.IER:
        if (dlab) this.dlm = value
        else this.writeIer(value)
        break
      case UartReg.FCR: this.writeFcr(value); break
      case UartReg.LCR: this.lcr = value; break
      case UartReg.MCR: this.writeMcr(value); break
      case UartReg.LSR: break // factory test register on some parts; read-only here
      case UartReg.MSR: break
      default: this.scr = value
    }
    this.update()
  }

  // ---- TimedDevice

  nextDeadline(): number {
    return this.timeoutDeadline ?? Infinity
  }

  advanceTo(now: number): void {
    if (this.timeoutDeadline !== null && now >= this.timeoutDeadline) {
      this.timeoutDeadline = null
      if (this.rx.length > 0 && this.fifoEnabled) this.timeoutPending = true
      this.update()
    }
  }

  // ---- registers

  private get fifoEnabled(): boolean {
    return (this.fcr & FCR.ENABLE) !== 0
  }

  private get loopback(): boolean {
    return (this.mcr & MCR.LOOP) !== 0
  }

  private get rxCapacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1
  }

  private readRbr(): number {
    if (this.rx.length === 0) return 0
    const b = this.rx.shift()!
    this.timeoutPending = false
    this.pump()
    this.armTimeout()
    this.update()
    return b
  }

  private writeThr(value: number): void {
    // Writing THR clears a pending THRE interrupt (datasheet Table IV); the byte leaves at once
    // and THR is empty again, which re-raises it.
    this.thrIpending = false
    this.bytesTransmitted++
    if (this.loopback) this.rxPush(value)
    else this.onTransmit(Uint8Array.of(value))
    this.thrIpending = true
  }

  private writeIer(value: number): void {
    const before = this.ier
    this.ier = value & 0x0f
    // Enabling ETBEI while THR is empty raises the THRE interrupt (Linux's UART_BUG_THRE probe relies on it).
    if ((this.ier & IER.ETBEI) !== 0 && (before & IER.ETBEI) === 0) this.thrIpending = true
  }

  private writeFcr(value: number): void {
    const wasEnabled = this.fifoEnabled
    const enable = (value & FCR.ENABLE) !== 0
    // Changing FCR0 resets both FIFOs (datasheet FCR description).
    if (enable !== wasEnabled || (value & FCR.CLEAR_RX) !== 0) {
      this.rx = []
      this.timeoutPending = false
      this.timeoutDeadline = null
    }
    if ((value & FCR.CLEAR_TX) !== 0 || enable !== wasEnabled) this.thrIpending = (this.ier & IER.ETBEI) !== 0
    this.fcr = enable ? value & (FCR.ENABLE | FCR.DMA_MODE | FCR.TRIGGER_MASK) : 0
    this.pump()
  }

  private writeMcr(value: number): void {
    this.mcr = value & MCR.WRITABLE
    this.refreshModemLines()
    this.pump()
  }

  private readIir(): number {
    const id = this.currentInterrupt()
    // Reading IIR when it reports THRE clears that source (datasheet Table IV).
    if (id === IIR.THR_EMPTY) {
      this.thrIpending = false
      this.update()
    }
    return id | (this.fifoEnabled ? IIR.FIFOS_ENABLED : 0)
  }

  private readLsr(): number {
    let v = LSR.THRE | LSR.TEMT | this.lsrErrors
    if (this.rx.length > 0) v |= LSR.DR
    this.lsrErrors = 0
    this.update()
    return v
  }

  private readMsr(): number {
    const v = this.msrLines | this.msrDeltas
    this.msrDeltas = 0
    this.update()
    return v
  }

  private refreshModemLines(): void {
    let lines = HOST_MODEM_LINES
    if (this.loopback) {
      // Loopback wiring (datasheet MCR bit 4): RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD.
      lines = 0
      if (this.mcr & MCR.RTS) lines |= MSR.CTS
      if (this.mcr & MCR.DTR) lines |= MSR.DSR
      if (this.mcr & MCR.OUT1) lines |= MSR.RI
      if (this.mcr & MCR.OUT2) lines |= MSR.DCD
    }
    const changed = lines ^ this.msrLines
    if (changed & MSR.CTS) this.msrDeltas |= MSR.DCTS
    if (changed & MSR.DSR) this.msrDeltas |= MSR.DDSR
    if (changed & MSR.DCD) this.msrDeltas |= MSR.DDCD
    // TERI: trailing edge only (RI went from on to off).
    if (changed & MSR.RI && (lines & MSR.RI) === 0) this.msrDeltas |= MSR.TERI
    this.msrLines = lines
  }

  // ---- receiver

  private rxPush(b: number): void {
    if (this.rx.length >= this.rxCapacity) {
      if (this.fifoEnabled) {
        // FIFO full: the character in the shift register is lost, the FIFO keeps its contents.
        this.lsrErrors |= LSR.OE
        return
      }
      // 16450 mode: the unread holding register is overwritten.
      this.rx[0] = b
      this.lsrErrors |= LSR.OE
      return
    }
    this.rx.push(b)
    this.bytesReceived++
    this.armTimeout()
  }

  /** Move host backlog into the FIFO while there is room (not in loopback: the input is disconnected). */
  private pump(): void {
    if (this.loopback) return
    while (this.backlogHead < this.backlog.length && this.rx.length < this.rxCapacity) {
      this.rxPush(this.backlog[this.backlogHead++])
    }
    if (this.backlogHead === this.backlog.length) {
      this.backlog = []
      this.backlogHead = 0
    } else if (this.backlogHead > 4096) {
      this.backlog = this.backlog.slice(this.backlogHead)
      this.backlogHead = 0
    }
  }

  private armTimeout(): void {
    if (!this.fifoEnabled || this.rx.length === 0) {
      this.timeoutDeadline = null
      return
    }
    if (!this.clock) {
      this.timeoutPending = true
      return
    }
    this.timeoutDeadline = this.clock.now() + 4 * this.characterTimeNs()
  }

  /** One character frame: start + data + parity + stop bits at the divisor's bit rate. */
  characterTimeNs(): number {
    const bits = 1 + 5 + (this.lcr & LCR.WORD_LENGTH_MASK) + (this.lcr & LCR.PARITY_ENABLE ? 1 : 0) + (this.lcr & LCR.STOP_BITS ? 2 : 1)
    const divisor = (this.dlm << 8) | this.dll || 0x10000
    return (bits * divisor * NS_PER_SECOND) / UART_BASE_BAUD
  }

  // ---- interrupts

  private currentInterrupt(): number {
    if (this.ier & IER.ELSI && this.lsrErrors & LSR_ERROR_BITS) return IIR.LINE_STATUS
    if (this.ier & IER.ERBFI) {
      const trigger = this.fifoEnabled ? RX_TRIGGER_LEVELS[this.fcr >> 6] : 1
      if (this.rx.length >= trigger) return IIR.RX_DATA
      if (this.timeoutPending && this.rx.length > 0) return IIR.CHAR_TIMEOUT
    }
    if (this.ier & IER.ETBEI && this.thrIpending) return IIR.THR_EMPTY
    if (this.ier & IER.EDSSI && this.msrDeltas) return IIR.MODEM_STATUS
    return IIR.NO_INT
  }

  /** Drive the IRQ line: a pending interrupt reaches the PC bus only through OUT2 (inactive in loopback). */
  private update(): void {
    const level = this.currentInterrupt() !== IIR.NO_INT && (this.mcr & MCR.OUT2) !== 0 && !this.loopback
    if (level !== this.irqLevel) {
      this.irqLevel = level
      this.irq.setIrq(this.line, level)
    }
  }

  // ---- saved state

  saveState(): Uart16550State {
    return {
      version: 1, ier: this.ier, lcr: this.lcr, mcr: this.mcr, lsrErrors: this.lsrErrors,
      msrLines: this.msrLines, msrDeltas: this.msrDeltas, scr: this.scr, dll: this.dll, dlm: this.dlm,
      fcr: this.fcr, rx: [...this.rx], thrIpending: this.thrIpending, timeoutPending: this.timeoutPending,
      timeoutDeadline: this.timeoutDeadline, backlog: this.backlog.slice(this.backlogHead),
    }
  }

  restoreState(raw: unknown): void {
    const s = checkUart16550State(raw)
    this.ier = s.ier & 0x0f; this.lcr = s.lcr; this.mcr = s.mcr & MCR.WRITABLE; this.lsrErrors = s.lsrErrors
    this.msrLines = s.msrLines & 0xf0; this.msrDeltas = s.msrDeltas & MSR.DELTAS; this.scr = s.scr
    this.dll = s.dll; this.dlm = s.dlm; this.fcr = s.fcr; this.rx = [...s.rx]
    this.thrIpending = s.thrIpending; this.timeoutPending = s.timeoutPending
    this.timeoutDeadline = s.timeoutDeadline; this.backlog = [...s.backlog]; this.backlogHead = 0
    this.irqLevel = false
    this.irq.setIrq(this.line, false)
    this.update()
  }
}
