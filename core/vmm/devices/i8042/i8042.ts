/**
 * An i8042 keyboard controller with a keyboard that answers but never types: status
 * register, command byte, self test (0xAA → 0x55), interface test (0xAB → 0x00), output
 * port read/write (A20 gate, reset line), pulse output (0xFE pulses reset → `onReset`).
 * No mouse: aux commands are ignored so Linux finds no AUX port. Bytes for the guest queue
 * in the output buffer; keyboard bytes raise IRQ1 when the command byte enables it.
 */
import type { IoSize, PortBus, PortHandler } from '../../io/port-bus'
import type { IrqSink } from '../../io/irq'
import { I8042Cmd, I8042Ctr, I8042Status, I8042_COMMAND_PORT, I8042_DATA_PORT, I8042_KBD_IRQ, KBD_ACK, OutputPort, SELF_TEST_OK } from './spec'
import { checkI8042State, type I8042State } from './state'

export class I8042 implements PortHandler {
  private ctr: number = I8042Ctr.KBD_INT | I8042Ctr.SYS | I8042Ctr.XLATE
  private outputPort: number = OutputPort.RESET_N | OutputPort.A20
  private pendingCommand: number | null = null
  private queue: number[] = []
  private lastWasCommand = false

  constructor(
    private readonly irq: IrqSink,
    public onReset: () => void = () => {},
    public onA20: (enabled: boolean) => void = () => {},
  ) {}

  registerOn(bus: PortBus): void {
    bus.register('i8042-data', I8042_DATA_PORT, 1, this)
    bus.register('i8042-command', I8042_COMMAND_PORT, 1, this)
  }

  get a20(): boolean {
    return (this.outputPort & OutputPort.A20) !== 0
  }

  read(port: number, _size: IoSize): number {
    if (port === I8042_COMMAND_PORT) {
      return (this.queue.length ? I8042Status.OBF : 0) | (this.ctr & I8042Ctr.SYS ? I8042Status.SYS : 0) |
        (this.lastWasCommand ? I8042Status.CMD : 0) | I8042Status.UNLOCKED
    }
    const v = this.queue.length ? this.queue.shift()! : 0
    if (this.queue.length) this.raise()
    return v
  }

  write(port: number, _size: IoSize, value: number): void {
    value &= 0xff
    if (port === I8042_COMMAND_PORT) {
      this.lastWasCommand = true
      this.command(value)
      return
    }
    this.lastWasCommand = false
    const pending = this.pendingCommand
    this.pendingCommand = null
    switch (pending) {
      case I8042Cmd.WRITE_CTR: this.ctr = value; break
      case I8042Cmd.WRITE_OUTPUT: this.writeOutputPort(value); break
      case I8042Cmd.WRITE_KBD_OUT: this.push(value); break
      case null: this.keyboardCommand(value); break
      default: break
    }
  }

  private command(cmd: number): void {
    switch (cmd) {
      case I8042Cmd.READ_CTR: this.push(this.ctr); break
      case I8042Cmd.WRITE_CTR:
      case I8042Cmd.WRITE_OUTPUT:
      case I8042Cmd.WRITE_KBD_OUT:
        this.pendingCommand = cmd
        break
      case I8042Cmd.SELF_TEST: this.push(SELF_TEST_OK); break
      case I8042Cmd.KBD_TEST: this.push(0x00); break
      case I8042Cmd.KBD_DISABLE: this.ctr |= I8042Ctr.KBD_DISABLE; break
      case I8042Cmd.KBD_ENABLE: this.ctr &= ~I8042Ctr.KBD_DISABLE; break
      case I8042Cmd.READ_OUTPUT: this.push(this.outputPort); break
      default:
        // 0xF0-0xFF pulse output-port bits low for 6 µs; bit 0 is the CPU reset line.
        if (cmd >= 0xf0 && (cmd & 1) === 0) this.onReset()
    }
  }

  private writeOutputPort(v: number): void {
    const a20Before = this.a20
    this.outputPort = v
    if (this.a20 !== a20Before) this.onA20(this.a20)
    if ((v & OutputPort.RESET_N) === 0) this.onReset()
  }

  /** The keyboard itself: acknowledge everything; reset answers BAT OK, identify answers MF2. */
  private keyboardCommand(v: number): void {
    if (v === 0xee) return this.push(0xee)
    this.push(KBD_ACK)
    if (v === 0xff) this.push(0xaa)
    if (v === 0xf2) { this.push(0xab); this.push(0x83) }
  }

  private push(b: number): void {
    if (this.queue.length < 16) this.queue.push(b & 0xff)
    this.raise()
  }

  private raise(): void {
    if (this.ctr & I8042Ctr.KBD_INT) {
      this.irq.setIrq(I8042_KBD_IRQ, true)
      this.irq.setIrq(I8042_KBD_IRQ, false)
    }
  }

  saveState(): I8042State {
    return { version: 1, ctr: this.ctr, outputPort: this.outputPort, pendingCommand: this.pendingCommand, queue: [...this.queue], lastWasCommand: this.lastWasCommand }
  }

  restoreState(raw: unknown): void {
    const s = checkI8042State(raw)
    this.ctr = s.ctr & 0xff; this.outputPort = s.outputPort & 0xff; this.pendingCommand = s.pendingCommand
    this.queue = s.queue.map((b) => b & 0xff).slice(0, 16); this.lastWasCommand = s.lastWasCommand
  }
}
