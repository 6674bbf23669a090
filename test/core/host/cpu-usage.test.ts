import { describe, expect, it } from 'vitest'
import { CpuMeter } from '../../../core/host/cpu-usage'

describe('CpuMeter', () => {
  it('rates instructions per second against the capacity learned from busy samples', () => {
    const m = new CpuMeter(1, 0)
    // Fully busy: 50 M instructions in one second → capacity 50 M/s, 100 %.
    expect(m.sample({ instructions: 50e6, busy: 1 }, 1000)).toEqual({ instructions: 50e6, instructionsPerSecond: 50e6, cpuUsagePercent: 100 })
    // Next second 10 M instructions: 20 % of what the VP can do.
    expect(m.sample({ instructions: 60e6, busy: 0.25 }, 2000)!.cpuUsagePercent).toBe(20)
    // A halted guest retires nothing: 0 %, whatever the thread spent on timers.
    expect(m.sample({ instructions: 60e6, busy: 0.05 }, 3000)!.cpuUsagePercent).toBe(0)
  })

  it('counts from zero after a reset restarts the counter, and ignores samples with no elapsed time', () => {
    const m = new CpuMeter(1, 0)
    m.sample({ instructions: 100, busy: null }, 1000)
    expect(m.sample({ instructions: 30, busy: null }, 1000)).toBeNull()
    expect(m.sample({ instructions: 20, busy: null }, 2000)!.instructionsPerSecond).toBe(20)
  })

  it('uses the nominal 1 instruction per ns per VP without a busy measure', () => {
    const m = new CpuMeter(2, 0)
    expect(m.sample({ instructions: 1e9, busy: null }, 1000)!.cpuUsagePercent).toBe(50)
  })
})
