import { describe, expect, it } from 'vitest'
import { SystemPorts } from '../../../../core/vmm/devices/system-ports/system-ports'
import { PortBus } from '../../../../core/vmm/io/port-bus'

describe('port 0x92 and POST port', () => {
  it('fast A20 and fast reset; POST keeps the last value', () => {
    const ev: string[] = []
    const sp = new SystemPorts(() => ev.push('reset'), (a) => ev.push(`a20=${a}`))
    const bus = new PortBus()
    sp.registerOn(bus)
    expect(bus.read(0x92, 1)).toBe(0x02)
    bus.write(0x92, 1, 0x00)
    bus.write(0x92, 1, 0x03)
    expect(ev).toEqual(['a20=false', 'a20=true', 'reset'])
    expect(bus.read(0x92, 1)).toBe(0x02)
    bus.write(0x80, 1, 0x12); bus.write(0x80, 1, 0x34)
    expect(bus.read(0x80, 1)).toBe(0x34)
    expect(sp.postWrites).toBe(2)
  })
})
