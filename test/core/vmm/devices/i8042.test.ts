import { describe, expect, it } from 'vitest'
import { I8042 } from '../../../../core/vmm/devices/i8042/i8042'
import { PortBus } from '../../../../core/vmm/io/port-bus'

function setup() {
  const ev: string[] = []
  const kbc = new I8042({ setIrq: (l, v) => { if (v) ev.push(`irq${l}`) } }, () => ev.push('reset'), (a) => ev.push(`a20=${a}`))
  const bus = new PortBus()
  kbc.registerOn(bus)
  return { kbc, bus, ev }
}

describe('i8042', () => {
  it('self test, interface test and command byte round trip', () => {
    const { bus } = setup()
    expect(bus.read(0x64, 1) & 1).toBe(0)
    bus.write(0x64, 1, 0xaa)
    expect(bus.read(0x64, 1) & 0x09).toBe(0x09) // OBF, last write was a command
    expect(bus.read(0x60, 1)).toBe(0x55)
    bus.write(0x64, 1, 0xab)
    expect(bus.read(0x60, 1)).toBe(0x00)
    bus.write(0x64, 1, 0x60); bus.write(0x60, 1, 0x45)
    bus.write(0x64, 1, 0x20)
    expect(bus.read(0x60, 1)).toBe(0x45)
    expect(bus.read(0x64, 1) & 1).toBe(0)
  })

  it('pulses reset on 0xFE and drives A20 and reset through the output port', () => {
    const { bus, ev, kbc } = setup()
    bus.write(0x64, 1, 0xfe)
    expect(ev).toEqual(['reset'])
    bus.write(0x64, 1, 0xd1); bus.write(0x60, 1, 0x01) // A20 off, reset line high
    expect(kbc.a20).toBe(false)
    bus.write(0x64, 1, 0xd0)
    expect(bus.read(0x60, 1)).toBe(0x01)
    bus.write(0x64, 1, 0xd1); bus.write(0x60, 1, 0x02) // reset line low
    expect(ev.filter((e) => !e.startsWith('irq'))).toEqual(['reset', 'a20=false', 'a20=true', 'reset'])
  })

  it('keyboard acknowledges commands with IRQ1', () => {
    const { bus, ev } = setup()
    bus.write(0x60, 1, 0xff)
    expect([bus.read(0x60, 1), bus.read(0x60, 1)]).toEqual([0xfa, 0xaa])
    expect(ev.filter((e) => e === 'irq1').length).toBeGreaterThan(0)
  })
})
