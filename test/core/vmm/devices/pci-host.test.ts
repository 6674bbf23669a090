import { describe, expect, it } from 'vitest'
import { PciHost } from '../../../../core/vmm/devices/pci-host/pci-host'
import { PortBus } from '../../../../core/vmm/io/port-bus'

const addr = (bus: number, dev: number, fn: number, reg: number) => (0x80000000 | (bus << 16) | (dev << 11) | (fn << 8) | reg) >>> 0

describe('PCI configuration mechanism #1', () => {
  it('shows a 440FX host bridge at 00:00.0 and nothing else', () => {
    const bus = new PortBus()
    const pci = new PciHost()
    pci.registerOn(bus)
    bus.write(0xcf8, 4, addr(0, 0, 0, 0))
    expect(bus.read(0xcf8, 4)).toBe(addr(0, 0, 0, 0))
    expect(bus.read(0xcfc, 4)).toBe(0x12378086)
    expect(bus.read(0xcfe, 2)).toBe(0x1237)
    bus.write(0xcf8, 4, addr(0, 0, 0, 8))
    expect(bus.read(0xcfc, 4) >>> 8).toBe(0x060000)
    bus.write(0xcf8, 4, addr(0, 1, 0, 0))
    expect(bus.read(0xcfc, 4)).toBe(0xffffffff)
    bus.write(0xcf8, 4, addr(0, 0, 1, 0))
    expect(bus.read(0xcfc, 2)).toBe(0xffff)
    bus.write(0xcf8, 4, addr(0, 0, 0, 0) & 0x7fffffff)
    expect(bus.read(0xcfc, 4)).toBe(0xffffffff)
  })

  it('lets the command register be written; the IDs are read-only', () => {
    const bus = new PortBus()
    new PciHost().registerOn(bus)
    bus.write(0xcf8, 4, addr(0, 0, 0, 4))
    bus.write(0xcfc, 2, 0x0007)
    expect(bus.read(0xcfc, 2)).toBe(0x0007)
    bus.write(0xcf8, 4, addr(0, 0, 0, 0))
    bus.write(0xcfc, 4, 0)
    expect(bus.read(0xcfc, 2)).toBe(0x8086)
  })
})
