import { describe, expect, it } from 'vitest'
import { ApicReg as R } from '../../../../core/hypervisor/apic/apic-registers'
import { referenceTimeFromTscPage } from '../../../../core/hypervisor/timers/reference-time'
import {
  HV_X64_MSR_REFERENCE_TSC, HV_X64_MSR_SCONTROL, HV_X64_MSR_SIMP, HV_X64_MSR_SINT0, HV_X64_MSR_STIMER0_CONFIG,
  HV_X64_MSR_TIME_REF_COUNT,
} from '../../../../core/hypervisor/synthetic-msrs'
import { rig } from '../apic/setup'

describe('reference counter and TSC page (TLFS 15.2, 15.4)', () => {
  it('counts 100 ns units of guest time from creation, read-only, strictly increasing, stopped while suspended', () => {
    const r = rig(2)
    r.clock.ns = 12_345
    expect(r.rdmsr(0, HV_X64_MSR_TIME_REF_COUNT)).toBe(123n)
    expect(r.rdmsr(1, HV_X64_MSR_TIME_REF_COUNT)).toBe(124n) // same instant: still increases
    expect(r.wrmsr(0, HV_X64_MSR_TIME_REF_COUNT, 0n)).toBe(false)
    r.vp(0).explicitSuspend = true
    r.vp(1).explicitSuspend = true
    r.rdmsr(0, HV_X64_MSR_TIME_REF_COUNT)
    r.clock.ns = 1_012_345
    const frozen = r.rdmsr(0, HV_X64_MSR_TIME_REF_COUNT) as bigint
    expect(frozen).toBeLessThan(130n)
    r.vp(0).explicitSuspend = false
    r.hv.interrupts.advanceTo(r.id, r.clock.ns) // the run loop samples the clock when the VP resumes
    r.clock.ns += 10_000
    // It stood still at 123 (12.345 µs) for the whole suspension, then advanced 100 units.
    expect(r.rdmsr(0, HV_X64_MSR_TIME_REF_COUNT)).toBe(223n)
  })

  it('needs AccessPartitionReferenceTsc and publishes a page that agrees with the counter within one unit', () => {
    const r = rig(1)
    expect(r.p.privileges & (1n << 9n)).toBe(0n)
    const withTsc = rig(1, { privileges: 0x5ffn | (1n << 9n) })
    expect(withTsc.wrmsr(0, HV_X64_MSR_REFERENCE_TSC, 0x30001n)).toBe(true)
    const page = withTsc.p.memory!.ram.subarray(0x30000, 0x31000)
    for (const t of [1_000, 777_777, 123_456_789]) {
      withTsc.clock.ns = t
      const ref = withTsc.rdmsr(0, HV_X64_MSR_TIME_REF_COUNT) as bigint
      const viaPage = referenceTimeFromTscPage(page, BigInt(t))!
      expect(Number(viaPage - ref)).toBeGreaterThanOrEqual(-1)
      expect(Number(viaPage - ref)).toBeLessThanOrEqual(1)
    }
    const seq = new DataView(page.buffer, page.byteOffset).getUint32(0, true)
    expect(seq).not.toBe(0)
    expect(seq).not.toBe(0xffffffff)
  })
})

describe('synthetic timers (TLFS 15.3)', () => {
  function timerRig() {
    const r = rig(1)
    r.hv.interrupts.of(r.id)!.vpState(r.vp(0)).apic.write(R.SVR, 0x1ff)
    r.wrmsr(0, HV_X64_MSR_SCONTROL, 1n)
    r.wrmsr(0, HV_X64_MSR_SIMP, 0x10001n)
    r.wrmsr(0, HV_X64_MSR_SINT0 + 3, 0x53n)
    const slot = () => new DataView(r.p.memory!.ram.buffer, 0x10000 + 3 * 256, 256)
    return { ...r, slot }
  }

  it('fires a one-shot at its absolute time, never early, with the expiration message, and clears Enable', () => {
    const r = timerRig()
    r.wrmsr(0, HV_X64_MSR_STIMER0_CONFIG, (3n << 16n) | 8n) // AutoEnable, SINT3
    r.wrmsr(0, HV_X64_MSR_STIMER0_CONFIG + 1, 500n) // expire at ref 500 = 50 µs
    expect((r.rdmsr(0, HV_X64_MSR_STIMER0_CONFIG) as bigint) & 1n).toBe(1n)
    const d = r.hv.interrupts.nextDeadline(r.id)
    expect(d).toBe(50_000)
    r.clock.ns = d - 1
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    expect(r.slot().getUint32(0, true)).toBe(0)
    r.clock.ns = d + 40
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    const s = r.slot()
    expect(s.getUint32(0, true)).toBe(0x80000010)
    expect(s.getUint8(4)).toBe(24)
    expect(s.getBigUint64(24, true)).toBe(500n)
    expect(s.getBigUint64(32, true)).toBe(500n)
    expect(r.cpus[0].log).toContain('int 83')
    expect((r.rdmsr(0, HV_X64_MSR_STIMER0_CONFIG) as bigint) & 1n).toBe(0n)
  })

  it('runs periodic timers from enable, and SINTx = 0 or COUNT = 0 disable', () => {
    const r = timerRig()
    r.clock.ns = 1000
    r.wrmsr(0, HV_X64_MSR_STIMER0_CONFIG + 3, 100n) // STIMER1_COUNT: period 10 µs
    r.wrmsr(0, HV_X64_MSR_STIMER0_CONFIG + 2, (3n << 16n) | 3n) // enabled periodic
    expect(r.hv.interrupts.nextDeadline(r.id)).toBe(11_000)
    r.clock.ns = 11_000
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    expect(r.slot().getUint32(16, true)).toBe(1)
    expect(r.hv.interrupts.nextDeadline(r.id)).toBe(21_000)
    r.wrmsr(0, HV_X64_MSR_STIMER0_CONFIG + 3, 0n)
    expect((r.rdmsr(0, HV_X64_MSR_STIMER0_CONFIG + 2) as bigint) & 1n).toBe(0n)
    r.wrmsr(0, HV_X64_MSR_STIMER0_CONFIG + 2, 1n) // Enable with SINT 0 → cleared
    expect(r.rdmsr(0, HV_X64_MSR_STIMER0_CONFIG + 2)).toBe(0n)
    expect(r.hv.interrupts.nextDeadline(r.id)).toBe(Infinity)
  })
})
