/**
 * The PC chipset of one machine: the port bus with every device registered by name, the
 * interrupt routing (ISA lines → PIC pair and I/O APIC), and the timed devices the run loop
 * services between CPU slices. Devices never see the CPU or the hypervisor; the Machine
 * connects the two sides (issue 4 item 1; ARCHITECTURE "The machine").
 */
import type { GuestMemory } from '../memory/guest-memory'
import type { TimedDevice, VmClock } from './io/clock'
import { IrqRouter } from './io/irq'
import { PortBus, type IoSize } from './io/port-bus'
import { CmosRtc } from './devices/cmos-rtc/cmos-rtc'
import { DebugExit } from './devices/debug-exit/debug-exit'
import { DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_COUNT } from './devices/debug-exit/spec'
import { IoApic, type IoApicMessage } from './devices/ioapic/ioapic'
import { PicPair } from './devices/pic8259/pic8259'
import { Pit8254 } from './devices/pit8254/pit8254'
import { COM1_BASE, COM1_IRQ, COM2_BASE, COM2_IRQ, UART_PORT_COUNT } from './devices/uart16550/spec'
import { Uart16550 } from './devices/uart16550/uart16550'
import { I8042 } from './devices/i8042/i8042'
import { SystemPorts } from './devices/system-ports/system-ports'
import { PciHost } from './devices/pci-host/pci-host'
import { AcpiPmTimer } from './devices/acpi-pm-timer/acpi-pm-timer'
import { FwCfg } from './devices/fw-cfg/fw-cfg'
import { AcpiPm1 } from './devices/acpi-pm1/acpi-pm1'

export const IOAPIC_BASE = 0xfec00000
export const IOAPIC_SIZE = 0x1000

export interface ChipsetHooks {
  /** COM1 (0) / COM2 (1) transmitted bytes. */
  serialOut(port: number, bytes: Uint8Array): void
  /** isa-debug-exit was written: status (value << 1) | 1. */
  debugExit(code: number): void
  /** An I/O APIC interrupt message (routed to the local APICs by the Machine). */
  ioApicMessage(msg: IoApicMessage): void
  /** The guest pulsed a reset line (i8042 0xFE, port 0x92 bit 0). */
  resetRequest(): void
  /** The guest entered ACPI S5 (soft off). */
  powerOff(): void
}

export interface ChipsetConfig {
  memoryBytes: number
  cpus: number
  cmdline?: string
}

export class Chipset {
  readonly bus = new PortBus()
  readonly pic = new PicPair()
  readonly ioapic: IoApic
  readonly irq: IrqRouter
  readonly pit: Pit8254
  readonly rtc: CmosRtc
  readonly uarts: [Uart16550, Uart16550]
  readonly debugExit: DebugExit
  readonly i8042: I8042
  readonly systemPorts: SystemPorts
  readonly pci = new PciHost()
  readonly pmTimer: AcpiPmTimer
  readonly fwCfg: FwCfg
  readonly acpiPm1: AcpiPm1
  private readonly timed: TimedDevice[]

  constructor(clock: VmClock, memory: GuestMemory, config: ChipsetConfig, hooks: ChipsetHooks) {
    const memoryBytes = config.memoryBytes
    this.ioapic = new IoApic((m) => hooks.ioApicMessage(m))
    this.irq = new IrqRouter(this.pic, this.ioapic)
    this.pit = new Pit8254(clock, this.irq)
    this.rtc = new CmosRtc(clock, this.irq, { epochSeconds: Math.floor(Date.now() / 1000), memoryBytes })
    const com = (base: number, line: number, index: number): Uart16550 => {
      const u = new Uart16550({ irq: this.irq, line, clock, onTransmit: (b) => hooks.serialOut(index, b) })
      this.bus.register(`com${index + 1}`, base, UART_PORT_COUNT, u)
      return u
    }
    this.uarts = [com(COM1_BASE, COM1_IRQ, 0), com(COM2_BASE, COM2_IRQ, 1)]
    this.debugExit = new DebugExit((code) => hooks.debugExit(code))
    this.bus.register('isa-debug-exit', DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_COUNT, this.debugExit)
    this.pic.registerOn(this.bus)
    this.pit.registerOn(this.bus)
    this.rtc.registerOn(this.bus)
    this.i8042 = new I8042(this.irq, () => hooks.resetRequest())
    this.i8042.registerOn(this.bus)
    this.systemPorts = new SystemPorts(() => hooks.resetRequest())
    this.systemPorts.registerOn(this.bus)
    this.pci.registerOn(this.bus)
    this.pmTimer = new AcpiPmTimer(clock)
    this.pmTimer.registerOn(this.bus)
    this.fwCfg = new FwCfg({ memoryBytes, cpus: config.cpus, cmdline: config.cmdline })
    this.fwCfg.registerOn(this.bus)
    this.acpiPm1 = new AcpiPm1(this.irq, () => hooks.powerOff())
    this.acpiPm1.registerOn(this.bus)
    memory.addMmio('ioapic', IOAPIC_BASE, IOAPIC_SIZE, this.ioapic)
    this.timed = [this.pit, this.rtc, ...this.uarts]
  }

  ioRead(port: number, size: IoSize): number {
    return this.bus.read(port, size)
  }

  ioWrite(port: number, size: IoSize, value: number): void {
    this.bus.write(port, size, value)
  }

  nextDeadline(): number {
    let d = Infinity
    for (const t of this.timed) {
      const n = t.nextDeadline()
      if (n < d) d = n
    }
    return d
  }

  advanceTo(now: number): void {
    for (const t of this.timed) t.advanceTo(now)
  }
}
