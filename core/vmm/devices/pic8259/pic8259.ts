/**
 * The PC/AT pair of Intel 8259A PICs (datasheet 231468) with the PIIX ELCR: ICW1-4,
 * OCW1-3, IRR/ISR/IMR, fully nested priority with rotation (automatic and specific),
 * specific / non-specific EOI, auto-EOI, cascade through master IR2, edge or level
 * sensing per line (ELCR), spurious IRQ7/IRQ15, poll mode and special mask mode.
 *
 * API: `setIrq(line 0-15, level)` (IrqSink); `hasInterrupt()` is the INTR pin;
 * `acknowledge()` runs the INTA cycle and returns the vector. Ports: `registerOn(bus)`
 * claims 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1.
 */
import type { IoSize, PortBus, PortHandler } from '../../io/port-bus'
import type { IrqSink } from '../../io/irq'
import { ELCR_MASK, ICW1, ICW4, OCW2, OCW3, PIC_CASCADE_IRQ, PIC_ELCR_BASE, PIC_MASTER_BASE, PIC_SLAVE_BASE } from './spec'
import { checkPic8259State, type Pic8259ChipState, type Pic8259State } from './state'

function newChip(): Pic8259ChipState {
  return {
    irr: 0, isr: 0, imr: 0, lastLevel: 0, elcr: 0, vectorBase: 0, priorityAdd: 0, initStep: 0,
    icw4Needed: false, single: false, autoEoi: false, rotateOnAutoEoi: false, specialFullyNested: false,
    readIsr: false, poll: false, specialMask: false,
  }
}

/** Priority level (0 highest) of the highest-priority bit in `mask`, 8 when empty. */
function priorityOf(c: Pic8259ChipState, mask: number): number {
  if ((mask & 0xff) === 0) return 8
  let p = 0
  while ((mask & (1 << ((p + c.priorityAdd) & 7))) === 0) p++
  return p
}

/** The IR line this chip would signal now, or -1 (datasheet "Fully nested mode"). */
function pendingIrq(c: Pic8259ChipState, isMaster: boolean): number {
  const p = priorityOf(c, c.irr & ~c.imr)
  if (p === 8) return -1
  let inService = c.isr
  // Special mask mode: masked in-service levels do not block lower priorities.
  if (c.specialMask) inService &= ~c.imr
  // Special fully nested mode: the cascade line does not block further slave requests.
  if (c.specialFullyNested && isMaster) inService &= ~(1 << PIC_CASCADE_IRQ)
  const cur = priorityOf(c, inService)
  return p < cur ? (p + c.priorityAdd) & 7 : -1
}

export class PicPair implements IrqSink, PortHandler {
  private chips: [Pic8259ChipState, Pic8259ChipState] = [newChip(), newChip()]
  /** Interrupts acknowledged with no request pending (vector IRQ7/IRQ15). */
  spuriousCount = 0

  registerOn(bus: PortBus): void {
    bus.register('pic-master', PIC_MASTER_BASE, 2, this)
    bus.register('pic-slave', PIC_SLAVE_BASE, 2, this)
    bus.register('pic-elcr', PIC_ELCR_BASE, 2, this)
  }

  // ---- IrqSink

  setIrq(line: number, level: boolean): void {
    if (!Number.isInteger(line) || line < 0 || line > 15) return
    this.setChipLine(line >> 3, line & 7, level)
    this.updateCascade()
  }

  private setChipLine(chip: number, ir: number, level: boolean): void {
    const c = this.chips[chip]
    const bit = 1 << ir
    if (c.elcr & bit) {
      // Level sensitive: IRR follows the line.
      if (level) c.irr |= bit
      else c.irr &= ~bit
    } else if (level && (c.lastLevel & bit) === 0) {
      // Edge sensitive: a rising edge latches IRR.
      c.irr |= bit
    }
    if (level) c.lastLevel |= bit
    else c.lastLevel &= ~bit
  }

  private updateCascade(): void {
    this.setChipLine(0, PIC_CASCADE_IRQ, pendingIrq(this.chips[1], false) >= 0)
  }

  // ---- CPU side

  /** The INTR output of the master. */
  hasInterrupt(): boolean {
    return pendingIrq(this.chips[0], true) >= 0
  }

  /** The INTA cycle: mark in service, return the vector (spurious IRQ7/15 when nothing is pending). */
  acknowledge(): number {
    const [m, s] = this.chips
    const irq = pendingIrq(m, true)
    let vector: number
    if (irq < 0) {
      this.spuriousCount++
      vector = m.vectorBase + 7
    } else {
      this.inta(m, irq)
      if (irq === PIC_CASCADE_IRQ && !m.single) {
        const irq2 = pendingIrq(s, false)
        if (irq2 >= 0) {
          this.inta(s, irq2)
          vector = s.vectorBase + irq2
        } else {
          this.spuriousCount++
          vector = s.vectorBase + 7
        }
      } else {
        vector = m.vectorBase + irq
      }
    }
    this.updateCascade()
    return vector
  }

  private inta(c: Pic8259ChipState, irq: number): void {
    const bit = 1 << irq
    if (c.autoEoi) {
      if (c.rotateOnAutoEoi) c.priorityAdd = (irq + 1) & 7
    } else {
      c.isr |= bit
    }
    // Edge-triggered requests are consumed by the acknowledge; level ones stay while the line is high.
    if ((c.elcr & bit) === 0) c.irr &= ~bit
  }

  // ---- ports

  read(port: number, _size: IoSize): number {
    if (port === PIC_ELCR_BASE || port === PIC_ELCR_BASE + 1) return this.chips[port - PIC_ELCR_BASE].elcr
    const chip = port >= PIC_SLAVE_BASE ? 1 : 0
    const c = this.chips[chip]
    if ((port & 1) === 1) return c.imr
    if (c.poll) {
      c.poll = false
      return this.pollRead(chip)
    }
    return c.readIsr ? c.isr : c.irr
  }

  write(port: number, _size: IoSize, value: number): void {
    value &= 0xff
    if (port === PIC_ELCR_BASE || port === PIC_ELCR_BASE + 1) {
      const chip = port - PIC_ELCR_BASE
      this.chips[chip].elcr = value & ELCR_MASK[chip]
    } else {
      const chip = port >= PIC_SLAVE_BASE ? 1 : 0
      if ((port & 1) === 0) this.writeCommand(this.chips[chip], value)
      else this.writeData(this.chips[chip], value)
    }
    this.updateCascade()
  }

  /** Poll command (OCW3 P): the highest request as 0x80 | level, acknowledged as by INTA. */
  private pollRead(chip: number): number {
    const c = this.chips[chip]
    const irq = pendingIrq(c, chip === 0)
    if (irq < 0) return 0
    this.inta(c, irq)
    return 0x80 | irq
  }

  private writeCommand(c: Pic8259ChipState, v: number): void {
    if (v & ICW1.INIT) {
      // ICW1 starts initialization: IMR, ISR and edge memory cleared, IR7 lowest priority.
      const elcr = c.elcr
      const base = c.vectorBase
      Object.assign(c, newChip())
      c.elcr = elcr
      c.vectorBase = base
      c.initStep = 1
      c.icw4Needed = (v & ICW1.IC4) !== 0
      c.single = (v & ICW1.SNGL) !== 0
      return
    }
    if (v & OCW3.IS_OCW3) {
      if (v & OCW3.P) c.poll = true
      if (v & OCW3.RR) c.readIsr = (v & OCW3.RIS) !== 0
      if (v & OCW3.ESMM) c.specialMask = (v & OCW3.SMM) !== 0
      return
    }
    const cmd = v >> 5
    switch (cmd) {
      case OCW2.ROTATE_AEOI_CLEAR: c.rotateOnAutoEoi = false; break
      case OCW2.ROTATE_AEOI_SET: c.rotateOnAutoEoi = true; break
      case OCW2.NON_SPECIFIC_EOI:
      case OCW2.ROTATE_NON_SPECIFIC_EOI: {
        const p = priorityOf(c, c.isr)
        if (p !== 8) {
          const irq = (p + c.priorityAdd) & 7
          c.isr &= ~(1 << irq)
          if (cmd === OCW2.ROTATE_NON_SPECIFIC_EOI) c.priorityAdd = (irq + 1) & 7
        }
        break
      }
      case OCW2.SPECIFIC_EOI:
      case OCW2.ROTATE_SPECIFIC_EOI: {
        const irq = v & 7
        c.isr &= ~(1 << irq)
        if (cmd === OCW2.ROTATE_SPECIFIC_EOI) c.priorityAdd = (irq + 1) & 7
        break
      }
      case OCW2.SET_PRIORITY: c.priorityAdd = (v + 1) & 7; break
      default: break
    }
  }

  private writeData(c: Pic8259ChipState, v: number): void {
    switch (c.initStep) {
      case 1: // ICW2: vector base (x86 mode uses bits 7:3)
        c.vectorBase = v & 0xf8
        c.initStep = c.single ? (c.icw4Needed ? 3 : 0) : 2
        break
      case 2: // ICW3: cascade wiring, fixed on a PC
        c.initStep = c.icw4Needed ? 3 : 0
        break
      case 3: // ICW4
        c.autoEoi = (v & ICW4.AEOI) !== 0
        c.specialFullyNested = (v & ICW4.SFNM) !== 0
        c.initStep = 0
        break
      default: // OCW1
        c.imr = v
    }
  }

  // ---- inspection and state

  /** IRR, ISR, IMR of a chip (0 master, 1 slave) for the debug console and tests. */
  registers(chip: 0 | 1): { irr: number; isr: number; imr: number; vectorBase: number; elcr: number } {
    const c = this.chips[chip]
    return { irr: c.irr, isr: c.isr, imr: c.imr, vectorBase: c.vectorBase, elcr: c.elcr }
  }

  saveState(): Pic8259State {
    return { version: 1, chips: [{ ...this.chips[0] }, { ...this.chips[1] }] }
  }

  restoreState(raw: unknown): void {
    const s = checkPic8259State(raw)
    this.chips = [{ ...newChip(), ...s.chips[0] }, { ...newChip(), ...s.chips[1] }]
  }
}
