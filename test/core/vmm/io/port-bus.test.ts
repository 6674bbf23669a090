import { describe, expect, it } from 'vitest'
import { PortBus, type PortHandler } from '../../../../core/vmm/io/port-bus'

function recorder(): PortHandler & { log: string[] } {
  const log: string[] = []
  return {
    log,
    read(port, size) { log.push(`r${port.toString(16)}/${size}`); return 0x12345678 },
    write(port, size, value) { log.push(`w${port.toString(16)}/${size}=${value.toString(16)}`) },
  }
}

describe('PortBus', () => {
  it('dispatches absolute ports to the owning handler and masks to the access size', () => {
    const bus = new PortBus()
    const h = recorder()
    bus.register('dev', 0x3f8, 8, h)
    expect(bus.read(0x3fd, 1)).toBe(0x78)
    expect(bus.read(0x3f8, 2)).toBe(0x5678)
    bus.write(0x3ff, 1, 0x1ab)
    expect(h.log).toEqual(['r3fd/1', 'r3f8/2', 'w3ff/1=ab'])
    expect(bus.find(0x3f9)?.name).toBe('dev')
  })

  it('refuses overlapping and out-of-range registrations', () => {
    const bus = new PortBus()
    bus.register('a', 0x60, 1, recorder())
    expect(() => bus.register('b', 0x5f, 2, recorder())).toThrow(/overlaps a/)
    expect(() => bus.register('c', 0xffff, 2, recorder())).toThrow(RangeError)
    bus.register('d', 0x61, 1, recorder())
  })

  it('reads all-ones from unclaimed ports and counts unclaimed accesses per port', () => {
    const bus = new PortBus()
    expect(bus.read(0x80, 1)).toBe(0xff)
    expect(bus.read(0x80, 2)).toBe(0xffff)
    expect(bus.read(0x1234, 4)).toBe(0xffffffff)
    bus.write(0x80, 1, 5)
    expect(bus.unclaimedReads).toBe(3)
    expect(bus.unclaimedWrites).toBe(1)
    expect(bus.unclaimedPortCounts().get(0x80)).toBe(3)
    expect(bus.unclaimedPortCounts().get(0x1234)).toBe(1)
  })
})
