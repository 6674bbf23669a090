import { describe, expect, it } from 'vitest'
import { AcpiPm1 } from '../../../../core/vmm/devices/acpi-pm1/acpi-pm1'
import { PortBus } from '../../../../core/vmm/io/port-bus'

function setup() {
  const lines: Array<[number, boolean]> = []
  let off = 0
  const bad: number[] = []
  const pm = new AcpiPm1({ setIrq: (l, v) => lines.push([l, v]) }, () => off++, (t) => bad.push(t))
  const bus = new PortBus()
  pm.registerOn(bus)
  return { pm, bus, lines, off: () => off, bad }
}

describe('ACPI PM1 registers', () => {
  it('power button sets PWRBTN_STS; SCI (IRQ 9) only while enabled; write-1-to-clear', () => {
    const { pm, bus, lines } = setup()
    pm.pressPowerButton()
    expect(bus.read(0x600, 2) & 0x100).toBe(0x100)
    expect(lines).toEqual([]) // not enabled yet
    bus.write(0x602, 2, 0x100) // PWRBTN_EN
    expect(lines).toEqual([[9, true]])
    bus.write(0x600, 2, 0x0001) // clearing another bit leaves PWRBTN_STS set
    expect(bus.read(0x600, 2) & 0x100).toBe(0x100)
    bus.write(0x600, 2, 0x100)
    expect(bus.read(0x600, 2)).toBe(0)
    expect(lines).toEqual([[9, true], [9, false]])
  })

  it('reads SCI_EN as set and keeps only the defined PM1_EN bits', () => {
    const { bus } = setup()
    expect(bus.read(0x604, 2) & 1).toBe(1)
    bus.write(0x602, 2, 0xffff)
    expect(bus.read(0x602, 2)).toBe(0x0721)
    expect(bus.read(0x600, 4) >>> 16).toBe(0x0721)
  })

  it('SLP_EN with SLP_TYP 5 powers off; other sleep types are reported and ignored', () => {
    const { bus, off, bad } = setup()
    bus.write(0x604, 2, 5 << 10) // SLP_TYP without SLP_EN: nothing
    expect(off()).toBe(0)
    bus.write(0x604, 2, (1 << 10) | (1 << 13))
    expect(bad).toEqual([1])
    expect(off()).toBe(0)
    bus.write(0x604, 2, 0x3400)
    expect(off()).toBe(1)
    expect(bus.read(0x604, 2) & (1 << 13)).toBe(0) // SLP_EN is write-only
  })

  it('saves and restores its registers, and refuses a malformed state', () => {
    const a = setup()
    a.bus.write(0x602, 2, 0x100)
    a.pm.pressPowerButton()
    const b = setup()
    b.pm.restoreState(a.pm.saveState())
    expect(b.bus.read(0x600, 4)).toBe(a.bus.read(0x600, 4))
    expect(b.lines).toEqual([[9, true]])
    expect(() => b.pm.restoreState({ version: 2 })).toThrow(/version/)
    expect(() => b.pm.restoreState({ version: 1, status: -1, enable: 0, control: 0 })).toThrow(/status/)
  })
})
