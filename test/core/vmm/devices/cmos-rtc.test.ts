import { describe, expect, it } from 'vitest'
import { CmosRtc } from '../../../../core/vmm/devices/cmos-rtc/cmos-rtc'
import { ManualClock } from '../../../../core/vmm/io/clock'
import { PortBus } from '../../../../core/vmm/io/port-bus'

// 2024-02-29 23:59:58 UTC, a Thursday
const EPOCH = Date.UTC(2024, 1, 29, 23, 59, 58) / 1000

function setup(memoryBytes = 256 << 20) {
  const clock = new ManualClock()
  const irq: boolean[] = []
  const rtc = new CmosRtc(clock, { setIrq: (l, v) => { expect(l).toBe(8); irq.push(v) } }, { epochSeconds: EPOCH, memoryBytes })
  const bus = new PortBus()
  rtc.registerOn(bus)
  const rd = (i: number) => { bus.write(0x70, 1, i); return bus.read(0x71, 1) }
  const wr = (i: number, v: number) => { bus.write(0x70, 1, i); bus.write(0x71, 1, v) }
  return { clock, rtc, bus, rd, wr, irq }
}

describe('CMOS / MC146818 RTC', () => {
  it('reads the time in BCD 24h, then binary 12h, and rolls over the date', () => {
    const { rd, wr, clock } = setup()
    expect([rd(0), rd(2), rd(4), rd(7), rd(8), rd(9), rd(0x32), rd(6)]).toEqual([0x58, 0x59, 0x23, 0x29, 0x02, 0x24, 0x20, 5])
    clock.set(2.5e9)
    expect([rd(0), rd(2), rd(4), rd(7), rd(8)]).toEqual([0x00, 0x00, 0x00, 0x01, 0x03])
    wr(0x0b, 0x04) // binary, 12-hour
    clock.set(13 * 3600e9)
    expect(rd(4)).toBe(0x80 | 12) // 12:59:58 PM
    expect(rd(2)).toBe(59)
  })

  it('sets UIP in the 244 µs before each update', () => {
    const { rd, clock } = setup()
    clock.set(1e9 - 300_000) // EPOCH has .0 fraction: second boundary at 1 s
    expect(rd(0x0a) & 0x80).toBe(0)
    clock.set(1e9 - 200_000)
    expect(rd(0x0a) & 0x80).toBe(0x80)
    clock.set(1e9 + 1000)
    expect(rd(0x0a) & 0x80).toBe(0)
  })

  it('lets the guest set the time with the SET bit', () => {
    const { rd, wr, clock } = setup()
    wr(0x0b, 0x82) // SET, BCD, 24h
    wr(0x04, 0x08); wr(0x02, 0x30); wr(0x00, 0x00)
    clock.set(5e9) // frozen while SET
    expect(rd(0)).toBe(0x00)
    wr(0x0b, 0x02)
    clock.set(12e9)
    expect([rd(4), rd(2), rd(0)]).toEqual([0x08, 0x30, 0x07])
    expect(rd(7)).toBe(0x29) // date kept
  })

  it('raises periodic interrupts at the RS rate and holds IRQ8 until C is read', () => {
    const { rtc, rd, wr, clock, irq } = setup()
    wr(0x0a, 0x26) // 1024 Hz
    wr(0x0b, 0x42) // PIE
    const period = 1e9 / 1024
    expect(rtc.nextDeadline()).toBeCloseTo(period, 3)
    clock.set(period)
    rtc.advanceTo(clock.now())
    expect(irq).toEqual([true])
    expect(rd(0x0c)).toBe(0xc0) // IRQF | PF
    expect(irq).toEqual([true, false])
    expect(rd(0x0c)).toBe(0)
    expect(rtc.nextDeadline()).toBeCloseTo(2 * period, 3)
  })

  it('update-ended and alarm interrupts at the second boundary', () => {
    const { rtc, rd, wr, clock, irq } = setup()
    wr(0x01, 0x59); wr(0x03, 0xc0); wr(0x05, 0xc0) // alarm at hh:mm:59
    wr(0x0b, 0x32) // AIE | UIE
    expect(rtc.nextDeadline()).toBe(1e9)
    clock.set(1e9)
    rtc.advanceTo(1e9)
    expect(irq).toEqual([true])
    expect(rd(0x0c)).toBe(0xb0) // IRQF | AF | UF
    clock.set(2e9)
    rtc.advanceTo(2e9)
    expect(rd(0x0c)).toBe(0x90) // 00 s: no alarm
  })

  it('keeps the NMI mask bit and CMOS memory sizes', () => {
    const { rtc, bus, rd } = setup(512 << 20)
    bus.write(0x70, 1, 0x8f)
    expect(rtc.nmiDisabled).toBe(true)
    expect(rd(0x0d)).toBe(0x80)
    expect(rd(0x15) | (rd(0x16) << 8)).toBe(640)
    expect(rd(0x17) | (rd(0x18) << 8)).toBe(0xffff)
    expect(rd(0x34) | (rd(0x35) << 8)).toBe(((512 - 16) << 20) / 65536)
    expect(rd(0x5b) | rd(0x5c) | rd(0x5d)).toBe(0)
    const { rd: rd2 } = setup(6 * 2 ** 30)
    expect(rd2(0x34) | (rd2(0x35) << 8)).toBe((0xe0000000 - (16 << 20)) / 65536)
    expect(rd2(0x5b) | (rd2(0x5c) << 8) | (rd2(0x5d) << 16)).toBe((6 * 2 ** 30 - 0xe0000000) / 65536)
  })

  it('round-trips saved state', () => {
    const a = setup()
    a.wr(0x40, 0x5a)
    const b = setup()
    b.rtc.restoreState(JSON.parse(JSON.stringify(a.rtc.saveState())))
    expect(b.rd(0x40)).toBe(0x5a)
    expect(() => b.rtc.restoreState({ version: 1, cmos: [] })).toThrow()
  })
})
