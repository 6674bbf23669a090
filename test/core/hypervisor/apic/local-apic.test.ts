import { describe, expect, it } from 'vitest'
import { ApicReg as R, APIC_TIMER_NS_PER_TICK } from '../../../../core/hypervisor/apic/apic-registers'
import { LocalApic, type ApicHost } from '../../../../core/hypervisor/apic/local-apic'

function make(bsp = true) {
  const log: string[] = []
  const t = { ns: 0 }
  const host: ApicHost = {
    nowNs: () => t.ns,
    tscToNs: (x) => x,
    sendIpi: (_s, lo, d) => log.push(`ipi ${lo.toString(16)} ${d}`),
    eoi: (_s, v, level) => log.push(`eoi ${v} ${level}`),
    kick: () => log.push('kick'),
  }
  const a = new LocalApic(host, 0, bsp)
  a.write(R.SVR, 0x1ff)
  return { a, log, t }
}

describe('local APIC priority, IRR/ISR and EOI (TLFS 13.1; SDM 11.8)', () => {
  it('delivers the highest IRR vector above PPR and masks lower classes while in service', () => {
    const { a } = make()
    a.accept(0x41, false)
    a.accept(0x52, false)
    expect(a.pendingVector()).toBe(0x52)
    a.acknowledge(0x52, false)
    expect(a.ppr).toBe(0x50)
    expect(a.pendingVector()).toBe(-1) // 0x41 is a lower class than the in-service 0x52
    a.accept(0x61, false)
    expect(a.pendingVector()).toBe(0x61)
    a.write(R.TPR, 0x70)
    expect(a.pendingVector()).toBe(-1)
    a.write(R.TPR, 0)
    a.write(R.EOI, 0)
    expect(a.read(R.ISR0 + 0x20) & (1 << 2)).toBe(0) // 0x52 retired
    expect(a.pendingVector()).toBe(0x61)
  })

  it('reports level-triggered EOIs to the host (EOI broadcast hook) and drops illegal vectors into ESR', () => {
    const { a, log } = make()
    a.accept(0x30, true)
    a.acknowledge(0x30, false)
    a.eoi()
    expect(log).toContain('eoi 48 true')
    a.accept(5, false)
    expect(a.highestIrr()).toBe(-1)
    a.write(R.ESR, 0)
    expect(a.read(R.ESR)).toBe(1 << 6)
  })

  it('does not deliver while software-disabled and auto-EOI acknowledges without ISR', () => {
    const { a } = make()
    a.write(R.SVR, 0xff)
    a.accept(0x40, false)
    expect(a.pendingVector()).toBe(-1)
    a.write(R.SVR, 0x1ff)
    a.acknowledge(0x40, true)
    expect(a.highestIsr()).toBe(-1)
  })

  it('runs the timer one-shot and periodic on the guest clock, never early', () => {
    const { a, t } = make()
    a.write(R.TIMER_DIVIDE, 0xb) // divide by 1
    a.write(R.LVT_TIMER, 0x20030) // periodic, vector 0x30
    a.write(R.TIMER_INITIAL, 100)
    const period = 100 * APIC_TIMER_NS_PER_TICK
    expect(a.timerDeadlineNs).toBe(period)
    t.ns = period - 1
    expect(a.advanceTimer(t.ns)).toBe(false)
    expect(a.read(R.TIMER_CURRENT)).toBe(1)
    t.ns = period
    expect(a.advanceTimer(t.ns)).toBe(true)
    expect(a.highestIrr()).toBe(0x30)
    expect(a.timerDeadlineNs).toBe(2 * period)
    a.write(R.LVT_TIMER, 0x31) // one-shot
    a.write(R.TIMER_INITIAL, 10)
    t.ns += 10 * APIC_TIMER_NS_PER_TICK
    expect(a.advanceTimer(t.ns)).toBe(true)
    expect(a.timerDeadlineNs).toBe(Infinity)
    expect(a.read(R.TIMER_CURRENT)).toBe(0)
  })

  it('sends IPIs through ICR with the destination from ICR high; vector < 16 fixed IPIs are refused', () => {
    const { a, log } = make()
    a.write(R.ICR_HI, 0x03000000)
    a.write(R.ICR_LO, 0x4041)
    expect(log).toContain('ipi 4041 3')
    a.write(R.ICR_LO, 0x0005)
    expect(log.filter((l) => l.startsWith('ipi'))).toHaveLength(1)
  })

  it('matches flat and cluster logical destinations', () => {
    const { a } = make()
    a.write(R.LDR, 0x02000000)
    expect(a.matchesLogical(0x03)).toBe(true)
    expect(a.matchesLogical(0x04)).toBe(false)
    a.write(R.DFR, 0x0fffffff) // cluster
    a.write(R.LDR, 0x21000000)
    expect(a.matchesLogical(0x21)).toBe(true)
    expect(a.matchesLogical(0x11)).toBe(false)
  })
})
