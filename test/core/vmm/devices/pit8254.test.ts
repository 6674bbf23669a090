import { describe, expect, it } from 'vitest'
import { Pit8254 } from '../../../../core/vmm/devices/pit8254/pit8254'
import { ManualClock } from '../../../../core/vmm/io/clock'
import { PortBus } from '../../../../core/vmm/io/port-bus'

const TICK = 1e9 / 1193182 // ns per PIT clock

function setup() {
  const clock = new ManualClock(1_000_000)
  const edges: number[] = []
  const pit = new Pit8254(clock, { setIrq: (line, level) => { expect(line).toBe(0); if (level) edges.push(clock.now()) } })
  const bus = new PortBus()
  pit.registerOn(bus)
  const at = (ticks: number) => clock.set(1_000_000 + ticks * TICK + 0.5)
  return { clock, pit, bus, edges, at }
}

describe('8254 PIT', () => {
  it('mode 2 rate generator: counts down, reloads, IRQ0 every period', () => {
    const { pit, bus, edges, at, clock } = setup()
    bus.write(0x43, 1, 0x34) // ch0, lsb/msb, mode 2
    bus.write(0x40, 1, 1000 & 0xff)
    bus.write(0x40, 1, 1000 >> 8)
    at(10)
    bus.write(0x43, 1, 0x00) // latch ch0
    at(20) // the latched value does not move
    expect(bus.read(0x40, 1) | (bus.read(0x40, 1) << 8)).toBe(990)
    const t0 = 1_000_000
    expect(pit.nextDeadline()).toBeCloseTo(t0 + 1000 * TICK, 0)
    clock.set(pit.nextDeadline())
    pit.advanceTo(clock.now())
    expect(edges.length).toBe(1)
    expect(pit.nextDeadline()).toBeCloseTo(t0 + 2000 * TICK, 0)
    at(1999)
    expect(pit.out(0)).toBe(false) // low for the clock before reload
    at(2000.5)
    expect(pit.out(0)).toBe(true)
    clock.set(t0 + 10500 * TICK) // many periods missed: one coalesced edge, next on the grid
    pit.advanceTo(clock.now())
    expect(edges.length).toBe(2)
    expect(pit.nextDeadline()).toBeCloseTo(t0 + 11000 * TICK, 0)
  })

  it('mode 0 interrupt on terminal count: OUT low until the count expires, one IRQ', () => {
    const { pit, bus, edges, at, clock } = setup()
    bus.write(0x43, 1, 0x30)
    bus.write(0x40, 1, 100)
    expect(pit.out(0)).toBe(false) // first byte written: counting stopped, OUT low
    expect(pit.nextDeadline()).toBe(Infinity)
    bus.write(0x40, 1, 0)
    at(99)
    expect(pit.out(0)).toBe(false)
    at(100)
    expect(pit.out(0)).toBe(true)
    pit.advanceTo(clock.now())
    expect(edges.length).toBe(1)
    expect(pit.nextDeadline()).toBe(Infinity)
    // The counter wraps and keeps counting after terminal count.
    at(110)
    expect(pit.counterValue(0)).toBe(0x10000 - 10)
  })

  it('mode 3 square wave: OUT high for the first half of each period', () => {
    const { pit, bus, at } = setup()
    bus.write(0x43, 1, 0x36)
    bus.write(0x40, 1, 10); bus.write(0x40, 1, 0)
    const outs: boolean[] = []
    for (let t = 0; t < 10; t++) { at(t); outs.push(pit.out(0)) }
    expect(outs).toEqual([true, true, true, true, true, false, false, false, false, false])
    at(3)
    expect(pit.counterValue(0)).toBe(4) // decrements by two
  })

  it('mode 4 strobe pulses OUT low once at terminal count', () => {
    const { pit, bus, at } = setup()
    bus.write(0x43, 1, 0x18) // ch0, LSB only, mode 4
    bus.write(0x40, 1, 50)
    at(49); expect(pit.out(0)).toBe(true)
    at(50); expect(pit.out(0)).toBe(false)
    at(51); expect(pit.out(0)).toBe(true)
  })

  it('read-back latches status and count; status first', () => {
    const { bus, at } = setup()
    bus.write(0x43, 1, 0xb0) // ch2 lsb/msb mode 0
    expect(bus.read(0x61, 1) & 0x20).toBe(0)
    bus.write(0x61, 1, 0x01) // gate 2 high
    bus.write(0x42, 1, 0x00); bus.write(0x42, 1, 0x10) // 0x1000
    at(0x100)
    bus.write(0x43, 1, 0xc8) // read-back count+status, channel 2
    at(0x200)
    expect(bus.read(0x42, 1)).toBe(0x30 | (0 << 1)) // OUT low, null count clear, rw=3, mode 0
    expect(bus.read(0x42, 1)).toBe(0x00)
    expect(bus.read(0x42, 1)).toBe(0x0f) // 0x1000 - 0x100 = 0xf00
    bus.write(0x43, 1, 0xe8) // status only
    expect(bus.read(0x42, 1) & 0x80).toBe(0)
    at(0x1000)
    expect(bus.read(0x61, 1) & 0x20).toBe(0x20) // OUT2 visible on port B
  })

  it('gate 2 low stops mode 0 counting and resumes it', () => {
    const { pit, bus, at } = setup()
    bus.write(0x61, 1, 0x01)
    bus.write(0x43, 1, 0xb0)
    bus.write(0x42, 1, 0xff); bus.write(0x42, 1, 0xff)
    at(100)
    bus.write(0x61, 1, 0x00)
    at(500)
    expect(pit.counterValue(2)).toBe(0xffff - 100)
    bus.write(0x61, 1, 0x01)
    at(600)
    expect(pit.counterValue(2)).toBe(0xffff - 200)
    // Linux-style live reads: lsb then msb
    const lo = bus.read(0x42, 1)
    const hi = bus.read(0x42, 1)
    expect((hi << 8) | lo).toBe(0xffff - 200)
  })

  it('mode 1 one-shot waits for a gate trigger', () => {
    const { pit, bus, at } = setup()
    bus.write(0x43, 1, 0x92) // ch2, LSB, mode 1
    bus.write(0x42, 1, 20)
    at(50)
    expect(pit.out(2)).toBe(true)
    bus.write(0x61, 1, 0x01) // trigger at tick 50
    at(60); expect(pit.out(2)).toBe(false)
    at(70.5); expect(pit.out(2)).toBe(true)
  })

  it('BCD counting', () => {
    const { pit, bus, at } = setup()
    bus.write(0x43, 1, 0x31) // ch0 lsb/msb mode 0 BCD
    bus.write(0x40, 1, 0x00); bus.write(0x40, 1, 0x10) // 1000 decimal
    at(1)
    expect(pit.counterValue(0)).toBe(999)
    bus.write(0x43, 1, 0x00)
    expect([bus.read(0x40, 1), bus.read(0x40, 1)]).toEqual([0x99, 0x09])
  })

  it('port B refresh bit toggles with time; state round-trips', () => {
    const { pit, bus, clock } = setup()
    clock.set(0)
    const a = bus.read(0x61, 1) & 0x10
    clock.set(15085)
    expect(bus.read(0x61, 1) & 0x10).not.toBe(a)
    bus.write(0x43, 1, 0x34); bus.write(0x40, 1, 0); bus.write(0x40, 1, 1)
    const c2 = new ManualClock(clock.now())
    const b = new Pit8254(c2, { setIrq() {} })
    b.restoreState(JSON.parse(JSON.stringify(pit.saveState())))
    expect(b.nextDeadline()).toBe(pit.nextDeadline())
    expect(() => b.restoreState({ version: 1, channels: [] })).toThrow()
  })
})
