/**
 * ACPI PM1 fixed registers (spec.ts): the power button a "Shut Down" presses, and the sleep
 * control a guest writes to power off. The SCI (IRQ 9, level) is asserted while any enabled
 * status bit is set. A guest without ACPI can use the same registers directly — the documented
 * HV Manager convention (docs/machine.md): poll PM1_STS.PWRBTN_STS at port 0x600 for a shutdown
 * request, and write (5 << 10) | (1 << 13) = 0x3400 to port 0x604 to power off.
 */
import type { IoSize, PortBus, PortHandler } from '../../io/port-bus'
import type { IrqSink } from '../../io/irq'
import { PM1A_CNT_PORT, PM1A_EVT_PORT, PM1_CNT_STORED, PM1_EN_WRITABLE, Pm1Cnt, Pm1Sts, SCI_IRQ, SLP_TYP_S5 } from './spec'
import { checkAcpiPm1State, type AcpiPm1State } from './state'

export class AcpiPm1 implements PortHandler {
  private status = 0
  private enable = 0
  private control = Pm1Cnt.SCI_EN
  private sciLevel = false

  constructor(
    private readonly irq: IrqSink,
    /** The guest entered S5 (soft off). */
    public onPowerOff: () => void = () => {},
    /** The guest asked for a sleep state this machine lacks (S1–S4): ignored, but reported. */
    public onUnsupportedSleep: (slpTyp: number) => void = () => {},
  ) {}

  registerOn(bus: PortBus): void {
    bus.register('acpi-pm1a-evt', PM1A_EVT_PORT, 4, this)
    bus.register('acpi-pm1a-cnt', PM1A_CNT_PORT, 2, this)
  }

  /** The user pressed the (virtual) power button: Hyper-V Manager's "Shut Down". */
  pressPowerButton(): void {
    this.status |= Pm1Sts.PWRBTN
    this.update()
  }

  private update(): void {
    const level = (this.status & this.enable) !== 0
    if (level !== this.sciLevel) {
      this.sciLevel = level
      this.irq.setIrq(SCI_IRQ, level)
    }
  }

  read(port: number, size: IoSize): number {
    // The blocks are byte-addressable; assemble the little-endian slice asked for.
    let v = 0
    for (let i = 0; i < size; i++) v |= this.readByte(port + i) << (8 * i)
    return v >>> 0
  }

  private readByte(port: number): number {
    switch (port) {
      case PM1A_EVT_PORT: return this.status & 0xff
      case PM1A_EVT_PORT + 1: return this.status >> 8
      case PM1A_EVT_PORT + 2: return this.enable & 0xff
      case PM1A_EVT_PORT + 3: return this.enable >> 8
      case PM1A_CNT_PORT: return this.control & 0xff
      case PM1A_CNT_PORT + 1: return (this.control >> 8) & 0xff
      default: return 0xff
    }
  }

  write(port: number, size: IoSize, value: number): void {
    if (port === PM1A_EVT_PORT && size >= 2) {
      this.status &= ~(value & 0xffff) // write-1-to-clear
      if (size === 4) this.enable = (value >>> 16) & PM1_EN_WRITABLE
    } else if (port === PM1A_EVT_PORT) {
      this.status &= ~(value & 0xff)
    } else if (port === PM1A_EVT_PORT + 1) {
      this.status &= ~((value & 0xff) << 8)
    } else if (port === PM1A_EVT_PORT + 2) {
      this.enable = (size >= 2 ? value & 0xffff : (this.enable & 0xff00) | (value & 0xff)) & PM1_EN_WRITABLE
    } else if (port === PM1A_EVT_PORT + 3) {
      this.enable = ((this.enable & 0xff) | ((value & 0xff) << 8)) & PM1_EN_WRITABLE
    } else if (port === PM1A_CNT_PORT || port === PM1A_CNT_PORT + 1) {
      const v = port === PM1A_CNT_PORT ? (size >= 2 ? value & 0xffff : (this.control & 0xff00) | (value & 0xff)) : (this.control & 0xff) | ((value & 0xff) << 8)
      this.control = Pm1Cnt.SCI_EN | (v & PM1_CNT_STORED)
      if (v & Pm1Cnt.SLP_EN) {
        const typ = (v & Pm1Cnt.SLP_TYP_MASK) >> Pm1Cnt.SLP_TYP_SHIFT
        if (typ === SLP_TYP_S5) this.onPowerOff()
        else this.onUnsupportedSleep(typ)
      }
    }
    this.update()
  }

  saveState(): AcpiPm1State {
    return { version: 1, status: this.status, enable: this.enable, control: this.control }
  }

  restoreState(raw: unknown): void {
    const s = checkAcpiPm1State(raw)
    this.status = s.status
    this.enable = s.enable & PM1_EN_WRITABLE
    this.control = Pm1Cnt.SCI_EN | (s.control & PM1_CNT_STORED)
    this.update()
  }
}
