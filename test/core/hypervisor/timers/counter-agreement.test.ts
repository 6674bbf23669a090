/**
 * Synthetic timers against the reference counter the guest actually reads (TLFS 15.2, 15.3):
 * a guest that polls HV_X64_MSR_TIME_REF_COUNT faster than every 100 ns pushes the strictly
 * increasing counter ahead of the clock, and a one-shot must still expire when that counter
 * reaches COUNT — including the second-timer case of 14.4 (busy slot → MessagePending, then
 * delivery after EOM) that the conformance guest checks.
 */
import { describe, expect, it } from 'vitest'
import { ApicReg as R } from '../../../../core/hypervisor/apic/apic-registers'
import {
  HV_X64_MSR_EOI, HV_X64_MSR_EOM, HV_X64_MSR_SCONTROL, HV_X64_MSR_SIMP, HV_X64_MSR_SINT0, HV_X64_MSR_STIMER0_CONFIG,
  HV_X64_MSR_TIME_REF_COUNT,
} from '../../../../core/hypervisor/synthetic-msrs'
import { rig } from '../apic/setup'

const STIMER_CONFIG = (i: number): number => HV_X64_MSR_STIMER0_CONFIG + 2 * i
const STIMER_COUNT = (i: number): number => HV_X64_MSR_STIMER0_CONFIG + 2 * i + 1
const SINT = 3n
const VECTOR = 0x53

function timerRig() {
  const r = rig(1)
  r.hv.interrupts.of(r.id)!.vpState(r.vp(0)).apic.write(R.SVR, 0x1ff)
  r.wrmsr(0, HV_X64_MSR_SCONTROL, 1n)
  r.wrmsr(0, HV_X64_MSR_SIMP, 0x10001n)
  r.wrmsr(0, HV_X64_MSR_SINT0 + Number(SINT), BigInt(VECTOR))
  const slot = () => new DataView(r.p.memory!.ram.buffer, 0x10000 + Number(SINT) * 256, 256)
  const refCount = () => r.rdmsr(0, HV_X64_MSR_TIME_REF_COUNT) as bigint
  /** A guest spin loop: reads the counter `n` times while the clock stands still. */
  const spin = (n: number): bigint => {
    let v = 0n
    for (let i = 0; i < n; i++) v = refCount()
    return v
  }
  const ints = () => r.cpus[0].log.filter((l) => l === `int ${VECTOR}`).length
  const arm = (i: number, count: bigint) => {
    r.wrmsr(0, STIMER_CONFIG(i), (SINT << 16n) | 1n)
    r.wrmsr(0, STIMER_COUNT(i), count)
  }
  return { ...r, slot, refCount, spin, ints, arm }
}

describe('synthetic timers follow the counter the guest reads (TLFS 15.2, 15.3)', () => {
  it('fires a one-shot once polling has pushed the counter to COUNT, even if the clock lags', () => {
    const r = timerRig()
    r.clock.ns = 1_000_000 // counter 10000
    const start = r.spin(500) // reads alone push it to 10499
    expect(start).toBe(10_499n)
    const deadline = start + 200n
    r.arm(0, deadline)
    const seen = r.spin(300)
    expect(seen).toBeGreaterThanOrEqual(deadline)
    // The run loop's next service at the same clock instant must fire it: it is due.
    expect(r.hv.interrupts.nextDeadline(r.id)).toBeLessThanOrEqual(r.clock.ns)
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    const s = r.slot()
    expect(s.getUint32(0, true)).toBe(0x80000010)
    expect(s.getBigUint64(24, true)).toBe(deadline)
    const delivery = s.getBigUint64(32, true)
    expect(delivery).toBeGreaterThanOrEqual(deadline)
    expect(delivery).toBeLessThan(r.refCount()) // and before any later read
    expect(r.ints()).toBe(1)
  })

  it('still never fires early against the counter', () => {
    const r = timerRig()
    r.clock.ns = 500_000
    const start = r.spin(100)
    r.arm(0, start + 1_000n)
    r.spin(10) // well short of the deadline
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    expect(r.slot().getUint32(0, true)).toBe(0)
    // An idle VP sleeps until the counter reaches COUNT; at that clock time it fires.
    const wake = r.hv.interrupts.nextDeadline(r.id)
    expect(wake).toBeGreaterThan(r.clock.ns)
    r.clock.ns = wake - 100
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    expect(r.slot().getUint32(0, true)).toBe(0)
    r.clock.ns = wake
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    expect(r.slot().getUint32(0, true)).toBe(0x80000010)
    expect(r.slot().getBigUint64(32, true)).toBeGreaterThanOrEqual(start + 1_000n)
  })

  it('a second timer on a busy SINT sets MessagePending and is delivered after EOM (14.4)', () => {
    const r = timerRig()
    r.clock.ns = 2_000_000
    const t0 = r.spin(50)
    r.arm(0, t0 + 100n)
    r.spin(200)
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    expect(r.slot().getUint32(16, true)).toBe(0) // STIMER0's message sits in the slot
    expect(r.ints()).toBe(1)
    r.wrmsr(0, HV_X64_MSR_EOI, 0n) // the SINT handler's APIC EOI
    r.wrmsr(0, HV_X64_MSR_EOM, 0n) // EOM with the slot still full changes nothing
    const t1 = r.spin(10) + 50n
    r.arm(1, t1)
    expect(r.spin(2_000)).toBeGreaterThan(t1 + 1_000n)
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    expect(r.slot().getUint32(16, true)).toBe(0) // not overwritten
    expect(r.slot().getUint8(5) & 1).toBe(1) // MessagePending
    expect(r.ints()).toBe(1)
    // The guest consumes the message, then EOM: STIMER1's expiration arrives with its interrupt.
    r.slot().setUint32(0, 0, true)
    r.wrmsr(0, HV_X64_MSR_EOM, 0n)
    r.hv.interrupts.advanceTo(r.id, r.clock.ns) // the run loop injects what is pending
    expect(r.slot().getUint32(0, true)).toBe(0x80000010)
    expect(r.slot().getUint32(16, true)).toBe(1)
    expect(r.slot().getBigUint64(24, true)).toBe(t1)
    expect(r.slot().getUint8(5) & 1).toBe(0)
    expect(r.ints()).toBe(2)
  })
})
