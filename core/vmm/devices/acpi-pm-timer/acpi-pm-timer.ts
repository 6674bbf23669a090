/**
 * The ACPI PM timer (spec.ts): reads return guest time × 3.579545 MHz, truncated to 24
 * (default) or 32 bits. Writes are ignored. The timer-overflow status/event bits live in
 * PM1 registers that this machine does not model.
 */
import type { IoSize, PortBus, PortHandler } from '../../io/port-bus'
import type { VmClock } from '../../io/clock'
import { NS_PER_SECOND } from '../../io/clock'
import { PM_TIMER_FREQUENCY_HZ, PM_TIMER_PORT } from './spec'
import type { AcpiPmTimerState } from './state'

export class AcpiPmTimer implements PortHandler {
  constructor(private readonly clock: VmClock, readonly bits: 24 | 32 = 24, readonly port = PM_TIMER_PORT) {}

  registerOn(bus: PortBus): void {
    bus.register('acpi-pm-timer', this.port, 4, this)
  }

  value(): number {
    const ticks = Math.floor((this.clock.now() / NS_PER_SECOND) * PM_TIMER_FREQUENCY_HZ)
    return this.bits === 24 ? ticks % 0x1000000 : ticks % 0x100000000
  }

  read(port: number, size: IoSize): number {
    // Byte/word reads of the dword register return its slices.
    const shift = (port - this.port) * 8
    const v = Math.floor(this.value() / 2 ** shift)
    return size === 4 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff)
  }

  write(_port: number, _size: IoSize, _value: number): void {}

  saveState(): AcpiPmTimerState {
    return { version: 1 }
  }

  restoreState(_raw: unknown): void {}
}
