import { describe, expect, it } from 'vitest'
import { PortBus } from '../../../../core/vmm/io/port-bus'
import { DebugExit } from '../../../../core/vmm/devices/debug-exit/debug-exit'
import { DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_COUNT } from '../../../../core/vmm/devices/debug-exit/spec'

describe('isa-debug-exit', () => {
  it('exits with (v << 1) | 1 for writes of every size', () => {
    const codes: number[] = []
    const dev = new DebugExit((c) => codes.push(c))
    const bus = new PortBus()
    bus.register('debug-exit', DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_COUNT, dev)
    bus.write(0xf4, 1, 0x10)
    bus.write(0xf4, 2, 0)
    bus.write(0xf4, 4, 0x1234)
    expect(codes).toEqual([33, 1, 0x2469])
    expect(dev.exitCode).toBe(0x2469)
    expect(bus.read(0xf4, 1)).toBe(0xff)
  })

  it('saves and restores the requested exit', () => {
    const a = new DebugExit()
    a.write(0xf4, 1, 3)
    const b = new DebugExit()
    b.restoreState(JSON.parse(JSON.stringify(a.saveState())))
    expect(b.exitCode).toBe(7)
    expect(() => b.restoreState({ version: 9 })).toThrow()
  })
})
