/**
 * I/O APIC (82093AA datasheet, QEMU version 0x20): IOREGSEL/IOWIN indirect access, ID,
 * VER (24 pins), ARB, the redirection table with edge/level trigger, polarity, mask and
 * remote IRR, and the EOI paths (the EOI register and `eoi(vector)` broadcast from the
 * local APIC). It is an MmioHandler for GuestMemory.addMmio at 0xFEC00000 and an IrqSink
 * for GSIs 0-23. Interrupt messages leave through `deliver`, which the VMM routes to the
 * hypervisor's local APICs.
 */
import type { MmioHandler } from '../../../memory/guest-memory'
import type { IrqSink } from '../../io/irq'
import { IOAPIC_PINS, IOAPIC_VERSION, IoApicMmio, IoApicReg, Redir, REDIR_LOW_WRITABLE } from './spec'
import { checkIoApicState, type IoApicState } from './state'

export interface IoApicMessage {
  /** Destination field (bits 63:56): an APIC ID, or a logical mask when destModeLogical. */
  dest: number
  destModeLogical: boolean
  vector: number
  /** DeliveryMode value. */
  deliveryMode: number
  /** True for level-triggered entries (the local APIC must then broadcast an EOI). */
  levelTriggered: boolean
}

export class IoApic implements MmioHandler, IrqSink {
  private id = 0
  private select = 0
  private redirLow = new Array<number>(IOAPIC_PINS).fill(Redir.MASK)
  private redirHigh = new Array<number>(IOAPIC_PINS).fill(0)
  /** Asserted state of each input (after polarity), bit per pin. */
  private lineLevels = 0
  /** Messages sent (statistics). */
  deliveredCount = 0

  constructor(public deliver: (msg: IoApicMessage) => void = () => {}) {}

  // ---- IrqSink

  setIrq(gsi: number, level: boolean): void {
    if (!Number.isInteger(gsi) || gsi < 0 || gsi >= IOAPIC_PINS) return
    const bit = 1 << gsi
    const low = this.redirLow[gsi]
    // Devices report "asserted"; an active-low pin is inverted on the board, so the logical level is the same.
    const was = (this.lineLevels & bit) !== 0
    if (level) this.lineLevels |= bit
    else this.lineLevels &= ~bit
    if (low & Redir.TRIGGER_LEVEL) {
      if (level) this.service(gsi)
    } else if (level && !was) {
      this.service(gsi)
    }
  }

  /** Send pin's message if unmasked (and, for level entries, not awaiting EOI). */
  private service(pin: number): void {
    const low = this.redirLow[pin]
    if (low & Redir.MASK) return
    const level = (low & Redir.TRIGGER_LEVEL) !== 0
    if (level) {
      if (low & Redir.REMOTE_IRR) return
      this.redirLow[pin] = low | Redir.REMOTE_IRR
    }
    this.deliveredCount++
    this.deliver({
      dest: this.redirHigh[pin] >>> 24,
      destModeLogical: (low & Redir.DEST_MODE_LOGICAL) !== 0,
      vector: low & Redir.VECTOR,
      deliveryMode: (low >> Redir.DELIVERY_MODE_SHIFT) & 7,
      levelTriggered: level,
    })
  }

  /** EOI for `vector` (local APIC broadcast or the EOI register): clears remote IRR, re-sends if still asserted. */
  eoi(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const low = this.redirLow[pin]
      if ((low & Redir.VECTOR) !== (vector & 0xff) || !(low & Redir.REMOTE_IRR)) continue
      this.redirLow[pin] = low & ~Redir.REMOTE_IRR
      if (low & Redir.TRIGGER_LEVEL && this.lineLevels & (1 << pin)) this.service(pin)
    }
  }

  // ---- MMIO

  read(offset: number, _size: number): number {
    if (offset === IoApicMmio.IOREGSEL) return this.select
    if (offset !== IoApicMmio.IOWIN) return 0
    const r = this.select
    if (r === IoApicReg.ID) return this.id << 24
    if (r === IoApicReg.VER) return ((IOAPIC_PINS - 1) << 16) | IOAPIC_VERSION
    if (r === IoApicReg.ARB) return this.id << 24
    const pin = (r - IoApicReg.REDTBL) >> 1
    if (pin < 0 || pin >= IOAPIC_PINS) return 0
    return (r & 1 ? this.redirHigh[pin] : this.redirLow[pin]) >>> 0
  }

  write(offset: number, _size: number, value: number): void {
    value >>>= 0
    if (offset === IoApicMmio.IOREGSEL) {
      this.select = value & 0xff
      return
    }
    if (offset === IoApicMmio.EOI) {
      this.eoi(value & 0xff)
      return
    }
    if (offset !== IoApicMmio.IOWIN) return
    const r = this.select
    if (r === IoApicReg.ID) {
      this.id = (value >>> 24) & 0x0f
      return
    }
    const pin = (r - IoApicReg.REDTBL) >> 1
    if (r < IoApicReg.REDTBL || pin >= IOAPIC_PINS) return
    if (r & 1) {
      this.redirHigh[pin] = value & 0xff000000
      return
    }
    const old = this.redirLow[pin]
    let low = (old & ~REDIR_LOW_WRITABLE) | (value & REDIR_LOW_WRITABLE)
    // Remote IRR is meaningless for edge entries.
    if (!(low & Redir.TRIGGER_LEVEL)) low &= ~Redir.REMOTE_IRR
    this.redirLow[pin] = low
    // Unmasking a level entry whose line is asserted sends the pending interrupt.
    if (!(low & Redir.MASK) && low & Redir.TRIGGER_LEVEL && this.lineLevels & (1 << pin)) this.service(pin)
  }

  /** A redirection entry as 64 bits (debug console, tests). */
  entry(pin: number): bigint {
    return (BigInt(this.redirHigh[pin] >>> 0) << 32n) | BigInt(this.redirLow[pin] >>> 0)
  }

  saveState(): IoApicState {
    return { version: 1, id: this.id, select: this.select, redirLow: [...this.redirLow], redirHigh: [...this.redirHigh], lineLevels: this.lineLevels }
  }

  restoreState(raw: unknown): void {
    const s = checkIoApicState(raw)
    this.id = s.id & 0xf
    this.select = s.select & 0xff
    this.redirLow = s.redirLow.map((v) => v >>> 0)
    this.redirHigh = s.redirHigh.map((v) => v >>> 0)
    this.lineLevels = s.lineLevels >>> 0
  }
}
