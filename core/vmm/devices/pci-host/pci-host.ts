/**
 * PCI configuration mechanism #1 with one device, a 440FX-like host bridge at 00:00.0.
 * Every other bus/device/function is absent and reads all-ones (so vendor 0xFFFF tells the
 * guest nothing is there). Only the bridge's command register is writable.
 */
import type { IoSize, PortBus, PortHandler } from '../../io/port-bus'
import { HOST_BRIDGE, PCI_CONFIG_ADDRESS, PCI_CONFIG_DATA, PCI_ENABLE, PciCfg } from './spec'
import { checkPciHostState, type PciHostState } from './state'

export class PciHost implements PortHandler {
  private address = 0
  private command = 0x0006
  private readonly config = new Uint8Array(256)

  constructor() {
    const v = new DataView(this.config.buffer)
    v.setUint16(PciCfg.VENDOR, HOST_BRIDGE.vendor, true)
    v.setUint16(PciCfg.DEVICE, HOST_BRIDGE.device, true)
    v.setUint16(PciCfg.STATUS, 0x0280, true) // fast back-to-back capable, medium DEVSEL
    this.config[PciCfg.REVISION] = HOST_BRIDGE.revision
    this.config[PciCfg.CLASS] = HOST_BRIDGE.classCode & 0xff
    this.config[PciCfg.CLASS + 1] = (HOST_BRIDGE.classCode >> 8) & 0xff
    this.config[PciCfg.CLASS + 2] = HOST_BRIDGE.classCode >> 16
  }

  registerOn(bus: PortBus): void {
    bus.register('pci-config-address', PCI_CONFIG_ADDRESS, 4, this)
    bus.register('pci-config-data', PCI_CONFIG_DATA, 4, this)
  }

  /** The config-space offset addressed, or -1 when the target is absent or disabled. */
  private target(port: number): number {
    const a = this.address
    if ((a & PCI_ENABLE) === 0) return -1
    const busDevFn = (a >>> 8) & 0xffff
    if (busDevFn !== 0) return -1
    return (a & 0xfc) + (port - PCI_CONFIG_DATA)
  }

  read(port: number, size: IoSize): number {
    if (port < PCI_CONFIG_DATA) {
      // Only a dword access at 0xCF8 hits CONFIG_ADDRESS; others pass through to nobody.
      return port === PCI_CONFIG_ADDRESS && size === 4 ? this.address >>> 0 : 0xffffffff
    }
    const off = this.target(port)
    if (off < 0) return 0xffffffff
    this.syncCommand()
    let v = 0
    for (let i = size - 1; i >= 0; i--) v = (v * 256) + (off + i < 256 ? this.config[off + i] : 0xff)
    return v >>> 0
  }

  write(port: number, size: IoSize, value: number): void {
    if (port < PCI_CONFIG_DATA) {
      if (port === PCI_CONFIG_ADDRESS && size === 4) this.address = (value & 0x80fffffc) >>> 0
      return
    }
    const off = this.target(port)
    if (off < 0) return
    for (let i = 0; i < size; i++) {
      const o = off + i
      // Command register: memory/IO space, bus master and a few control bits are writable.
      if (o === PciCfg.COMMAND) this.command = (this.command & 0xff00) | ((value >>> (8 * i)) & 0xff)
      if (o === PciCfg.COMMAND + 1) this.command = (this.command & 0x00ff) | (((value >>> (8 * i)) & 0x07) << 8)
    }
  }

  private syncCommand(): void {
    this.config[PciCfg.COMMAND] = this.command & 0xff
    this.config[PciCfg.COMMAND + 1] = this.command >> 8
  }

  saveState(): PciHostState {
    return { version: 1, address: this.address, command: this.command }
  }

  restoreState(raw: unknown): void {
    const s = checkPciHostState(raw)
    this.address = s.address >>> 0
    this.command = s.command & 0x7ff
  }
}
