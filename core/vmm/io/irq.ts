/**
 * Interrupt lines between devices and interrupt controllers. A device owns an `IrqSink` and
 * drives its line: `setIrq(line, true)` raises it, `false` lowers it. Edge-triggered devices
 * pulse (raise then lower); level-triggered ones hold the level until serviced. Line numbers
 * are ISA IRQs 0–15, which on a PC are also GSIs 0–15 of the I/O APIC (with ISA IRQ0 wired
 * to GSI 2, as the MP/ACPI interrupt source override says; see `IrqRouter`).
 */

export interface IrqSink {
  setIrq(line: number, level: boolean): void
}

/** A sink that ignores everything (devices constructed without wiring, tests). */
export const nullIrqSink: IrqSink = { setIrq() {} }

/**
 * Fans ISA lines out to several controllers (the PIC pair and the I/O APIC on a PC).
 * `isaToGsi` maps ISA IRQ n to its I/O APIC pin (IRQ0 → GSI2 on PCs with an I/O APIC).
 */
export class IrqRouter implements IrqSink {
  private readonly levels = new Uint8Array(24)

  constructor(
    private readonly pic: IrqSink | null,
    private readonly ioapic: IrqSink | null,
    private readonly isaToGsi: (irq: number) => number = (irq) => (irq === 0 ? 2 : irq),
  ) {}

  setIrq(line: number, level: boolean): void {
    if (!Number.isInteger(line) || line < 0 || line >= 24) return
    this.levels[line] = level ? 1 : 0
    if (line < 16) {
      this.pic?.setIrq(line, level)
      this.ioapic?.setIrq(this.isaToGsi(line), level)
    } else {
      this.ioapic?.setIrq(line, level)
    }
  }

  /** Current level of a line as last driven by a device. */
  level(line: number): boolean {
    return this.levels[line] === 1
  }
}
