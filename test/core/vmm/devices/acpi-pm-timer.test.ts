import { describe, expect, it } from 'vitest'
import { AcpiPmTimer } from '../../../../core/vmm/devices/acpi-pm-timer/acpi-pm-timer'
import { ManualClock } from '../../../../core/vmm/io/clock'

describe('ACPI PM timer', () => {
  it('counts at 3.579545 MHz and wraps at 24 bits', () => {
    const clock = new ManualClock()
    const t = new AcpiPmTimer(clock)
    clock.set(1e9)
    expect(t.read(0x608, 4)).toBe(3579545)
    clock.set((2 ** 24 / 3579545) * 1e9 + 1000)
    expect(t.read(0x608, 4)).toBeLessThan(10)
    const t32 = new AcpiPmTimer(clock, 32)
    expect(t32.read(0x608, 4)).toBeGreaterThan(2 ** 24)
  })
})
