/**
 * Port 0x92 (fast A20 gate and fast reset: writing bit 0 = 1 resets the CPU → `onReset`)
 * and port 0x80 (POST codes: keeps the last value written and a write count, which the
 * debug console shows; Linux also uses it as an I/O delay).
 */
import type { IoSize, PortBus, PortHandler } from '../../io/port-bus'
import { PORT_A, POST_PORT, PortA } from './spec'
import { checkSystemPortsState, type SystemPortsState } from './state'

export class SystemPorts implements PortHandler {
  private portA: number = PortA.A20
  postCode = 0
  postWrites = 0

  constructor(public onReset: () => void = () => {}, public onA20: (enabled: boolean) => void = () => {}) {}

  registerOn(bus: PortBus): void {
    bus.register('port-a', PORT_A, 1, this)
    bus.register('post', POST_PORT, 1, this)
  }

  get a20(): boolean {
    return (this.portA & PortA.A20) !== 0
  }

  read(port: number, _size: IoSize): number {
    return port === PORT_A ? this.portA : this.postCode
  }

  write(port: number, _size: IoSize, value: number): void {
    value &= 0xff
    if (port === POST_PORT) {
      this.postCode = value
      this.postWrites++
      return
    }
    const a20Before = this.a20
    // Bit 0 is write-1-to-reset and reads back as 0 afterwards.
    this.portA = value & ~PortA.FAST_RESET
    if (this.a20 !== a20Before) this.onA20(this.a20)
    if (value & PortA.FAST_RESET) this.onReset()
  }

  saveState(): SystemPortsState {
    return { version: 1, portA: this.portA, postCode: this.postCode, postWrites: this.postWrites }
  }

  restoreState(raw: unknown): void {
    const s = checkSystemPortsState(raw)
    this.portA = s.portA & 0xfe
    this.postCode = s.postCode & 0xff
    this.postWrites = s.postWrites
  }
}
