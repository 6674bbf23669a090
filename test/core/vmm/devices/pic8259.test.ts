import { describe, expect, it } from 'vitest'
import { PicPair } from '../../../../core/vmm/devices/pic8259/pic8259'
import { PortBus } from '../../../../core/vmm/io/port-bus'

/** Linux's init_8259A sequence: master at 0x20, slave at 0x28, 8086 mode, normal EOI. */
function linuxInit(auto = false) {
  const pic = new PicPair()
  const bus = new PortBus()
  pic.registerOn(bus)
  bus.write(0x21, 1, 0xff); bus.write(0xa1, 1, 0xff)
  bus.write(0x20, 1, 0x11); bus.write(0x21, 1, 0x20); bus.write(0x21, 1, 0x04); bus.write(0x21, 1, auto ? 0x03 : 0x01)
  bus.write(0xa0, 1, 0x11); bus.write(0xa1, 1, 0x28); bus.write(0xa1, 1, 0x02); bus.write(0xa1, 1, 0x01)
  bus.write(0x21, 1, 0x00); bus.write(0xa1, 1, 0x00)
  return { pic, bus }
}
const pulse = (pic: PicPair, irq: number) => { pic.setIrq(irq, true); pic.setIrq(irq, false) }

describe('8259A PIC pair', () => {
  it('initializes through ICW1-4 and reads IMR back', () => {
    const { pic, bus } = linuxInit()
    bus.write(0x21, 1, 0xfb)
    expect(bus.read(0x21, 1)).toBe(0xfb)
    expect(pic.registers(0).vectorBase).toBe(0x20)
    expect(pic.registers(1).vectorBase).toBe(0x28)
    expect(pic.hasInterrupt()).toBe(false)
  })

  it('delivers by fully nested priority and needs EOI before equal/lower priorities', () => {
    const { pic, bus } = linuxInit()
    pulse(pic, 4); pulse(pic, 1)
    expect(pic.hasInterrupt()).toBe(true)
    expect(pic.acknowledge()).toBe(0x21) // IRQ1 beats IRQ4
    expect(pic.hasInterrupt()).toBe(false) // IRQ4 is lower than in-service IRQ1
    pulse(pic, 0)
    expect(pic.acknowledge()).toBe(0x20) // IRQ0 preempts IRQ1 (higher priority)
    bus.write(0x20, 1, 0x20) // non-specific EOI clears IRQ0 (highest in service)
    expect(pic.registers(0).isr).toBe(0x02)
    expect(pic.hasInterrupt()).toBe(false)
    bus.write(0x20, 1, 0x61) // specific EOI IRQ1
    expect(pic.acknowledge()).toBe(0x24)
    bus.write(0x20, 1, 0x0b) // OCW3: read ISR
    expect(bus.read(0x20, 1)).toBe(0x10)
    bus.write(0x20, 1, 0x0a) // OCW3: read IRR
    expect(bus.read(0x20, 1)).toBe(0x00)
  })

  it('masks lines with IMR and keeps the request latched', () => {
    const { pic, bus } = linuxInit()
    bus.write(0x21, 1, 0x08)
    pulse(pic, 3)
    expect(pic.hasInterrupt()).toBe(false)
    expect(pic.registers(0).irr).toBe(0x08)
    bus.write(0x21, 1, 0x00)
    expect(pic.acknowledge()).toBe(0x23)
  })

  it('cascades slave IRQs through master IR2 and needs EOI on both', () => {
    const { pic, bus } = linuxInit()
    pulse(pic, 12)
    expect(pic.hasInterrupt()).toBe(true)
    expect(pic.acknowledge()).toBe(0x2c)
    expect(pic.registers(0).isr).toBe(0x04)
    expect(pic.registers(1).isr).toBe(0x10)
    pulse(pic, 9)
    expect(pic.hasInterrupt()).toBe(false) // master IR2 still in service
    bus.write(0xa0, 1, 0x20); bus.write(0x20, 1, 0x20)
    expect(pic.acknowledge()).toBe(0x29)
  })

  it('returns spurious IRQ7 and IRQ15 vectors without setting ISR', () => {
    const { pic } = linuxInit()
    expect(pic.acknowledge()).toBe(0x27)
    expect(pic.registers(0).isr).toBe(0)
    // A slave request that goes away before INTA (level-triggered line dropped).
    pic.write(0x4d1, 1, 0x02) // IRQ9 level-triggered
    pic.setIrq(9, true)
    expect(pic.hasInterrupt()).toBe(true)
    pic.setIrq(9, false)
    // The master saw IR2 as an edge, so it still requests; the slave has nothing.
    expect(pic.acknowledge()).toBe(0x2f)
    expect(pic.registers(1).isr).toBe(0)
    expect(pic.spuriousCount).toBe(2)
  })

  it('edge vs level sensing via ELCR', () => {
    const { pic, bus } = linuxInit()
    bus.write(0x4d0, 1, 0xff)
    expect(bus.read(0x4d0, 1)).toBe(0xf8) // IRQ0-2 cannot be level
    pic.setIrq(5, true)
    expect(pic.acknowledge()).toBe(0x25)
    bus.write(0x20, 1, 0x20)
    expect(pic.hasInterrupt()).toBe(true) // level still high: requests again
    pic.setIrq(5, false)
    expect(pic.hasInterrupt()).toBe(false)
    pic.setIrq(6, true) // edge on a level line is not needed: raise and hold on edge line 1
    pic.setIrq(1, true)
    expect(pic.acknowledge()).toBe(0x21)
    bus.write(0x20, 1, 0x20)
    expect(pic.acknowledge()).toBe(0x26)
    bus.write(0x20, 1, 0x20)
    pic.setIrq(1, true) // still high, no new edge
    expect(pic.registers(0).irr & 0x02).toBe(0)
  })

  it('rotates priority on rotate-on-EOI and set-priority commands', () => {
    const { pic, bus } = linuxInit()
    pulse(pic, 0)
    expect(pic.acknowledge()).toBe(0x20)
    bus.write(0x20, 1, 0xa0) // rotate on non-specific EOI: IRQ0 becomes lowest
    pulse(pic, 0); pulse(pic, 3)
    expect(pic.acknowledge()).toBe(0x23)
    bus.write(0x20, 1, 0xc5) // set priority: IRQ5 lowest, IRQ6 highest
    bus.write(0x20, 1, 0x63)
    pulse(pic, 6)
    expect(pic.acknowledge()).toBe(0x26)
  })

  it('auto-EOI mode leaves ISR clear', () => {
    const { pic } = linuxInit(true)
    pulse(pic, 4)
    expect(pic.acknowledge()).toBe(0x24)
    expect(pic.registers(0).isr).toBe(0)
  })

  it('poll mode returns 0x80 | level and acknowledges it', () => {
    const { pic, bus } = linuxInit()
    pulse(pic, 6)
    bus.write(0x20, 1, 0x0c)
    expect(bus.read(0x20, 1)).toBe(0x86)
    expect(pic.registers(0).isr).toBe(0x40)
    bus.write(0x20, 1, 0x0c)
    expect(bus.read(0x20, 1)).toBe(0)
  })

  it('special mask mode lets lower priorities through masked in-service levels', () => {
    const { pic, bus } = linuxInit()
    pulse(pic, 1)
    expect(pic.acknowledge()).toBe(0x21)
    pulse(pic, 5)
    expect(pic.hasInterrupt()).toBe(false)
    bus.write(0x21, 1, 0x02)
    bus.write(0x20, 1, 0x68) // OCW3: set special mask
    expect(pic.acknowledge()).toBe(0x25)
  })

  it('saves and restores', () => {
    const { pic } = linuxInit()
    pulse(pic, 3)
    const b = new PicPair()
    b.restoreState(JSON.parse(JSON.stringify(pic.saveState())))
    expect(b.acknowledge()).toBe(0x23)
    expect(() => b.restoreState({ version: 1, chips: [] })).toThrow()
  })
})
