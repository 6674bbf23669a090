import { describe, expect, it } from 'vitest'
import { HvMessageBuffer } from '../../../../core/hypervisor/synic/message-layout'
import {
  HV_X64_MSR_EOM, HV_X64_MSR_HYPERCALL, HV_X64_MSR_SCONTROL, HV_X64_MSR_SIEFP, HV_X64_MSR_SIMP, HV_X64_MSR_SINT0, HV_X64_MSR_SVERSION,
} from '../../../../core/hypervisor/synthetic-msrs'
import { rig } from '../apic/setup'
import { ApicReg as R } from '../../../../core/hypervisor/apic/apic-registers'

function synicRig() {
  const r = rig(1)
  r.hv.interrupts.of(r.id)!.vpState(r.vp(0)).apic.write(R.SVR, 0x1ff)
  r.wrmsr(0, HV_X64_MSR_SCONTROL, 1n)
  r.wrmsr(0, HV_X64_MSR_SIMP, 0x10001n)
  r.wrmsr(0, HV_X64_MSR_SIEFP, 0x11001n)
  r.wrmsr(0, HV_X64_MSR_SINT0 + 2, 0x52n)
  const synic = r.hv.interrupts.of(r.id)!.vpState(r.vp(0)).synic
  return { ...r, synic, ram: r.p.memory!.ram }
}
function msg(type: number, tag: number): HvMessageBuffer {
  const b = new HvMessageBuffer()
  b.fill(type, 7n, Uint8Array.of(tag), 1)
  return b
}

describe('SynIC MSRs (TLFS 14.6)', () => {
  it('has the reset values and the #GP rules of SVERSION, EOM and SINTx', () => {
    const r = rig(1)
    expect(r.rdmsr(0, HV_X64_MSR_SVERSION)).toBe(1n)
    expect(r.wrmsr(0, HV_X64_MSR_SVERSION, 1n)).toBe(false)
    expect(r.rdmsr(0, HV_X64_MSR_EOM)).toBe(0n)
    expect(r.rdmsr(0, HV_X64_MSR_SINT0 + 5)).toBe(0x10000n)
    expect(r.wrmsr(0, HV_X64_MSR_SINT0, 0x10000n)).toBe(true) // masked vector 0 is legal
    expect(r.wrmsr(0, HV_X64_MSR_SINT0, 0x0fn)).toBe(false) // unmasked vector < 16
    expect(r.wrmsr(0, HV_X64_MSR_SINT0, 0x30n | (1n << 17n))).toBe(true)
    expect(r.rdmsr(0, HV_X64_MSR_SINT0)).toBe(0x30n | (1n << 17n))
  })

  it('refuses overlapping overlay pages with #GP', () => {
    const r = rig(1)
    expect(r.wrmsr(0, HV_X64_MSR_SIMP, 0x10001n)).toBe(true)
    expect(r.wrmsr(0, HV_X64_MSR_SIEFP, 0x10001n)).toBe(false)
    r.p.guestOsId = 1n
    r.wrmsr(0, HV_X64_MSR_HYPERCALL, 0x20001n)
    expect(r.wrmsr(0, HV_X64_MSR_SIEFP, 0x20001n)).toBe(false)
    expect(r.wrmsr(0, HV_X64_MSR_SIEFP, 0x21001n)).toBe(true)
  })
})

describe('message slots (TLFS 14.3)', () => {
  it('fills an empty slot, raises the SINT vector, sets MessagePending on a busy slot and rescans on EOM', () => {
    const s = synicRig()
    s.synic.enqueue(2, msg(0x11, 0xa1))
    const slot = 0x10000 + 2 * 256
    expect(s.ram[slot]).toBe(0x11)
    expect(s.ram[slot + 16]).toBe(0xa1)
    expect(s.cpus[0].log).toContain('int 82')
    s.synic.enqueue(2, msg(0x11, 0xa2))
    expect(s.ram[slot + 16]).toBe(0xa1) // never overwritten
    expect(s.ram[slot + 5] & 1).toBe(1) // MessagePending
    s.ram.fill(0, slot, slot + 4) // guest: MessageType = 0
    s.wrmsr(0, HV_X64_MSR_EOM, 0n)
    expect(s.ram[slot + 16]).toBe(0xa2)
    expect(s.ram[slot + 5] & 1).toBe(0)
  })

  it('fills the slot of a masked SINT without an interrupt', () => {
    const s = synicRig()
    s.synic.enqueue(3, msg(0x12, 1))
    expect(s.ram[0x10000 + 3 * 256]).toBe(0x12)
    expect(s.cpus[0].log.filter((l) => l.startsWith('int'))).toHaveLength(0)
  })

  it('interrupts on event flags only on a 0→1 edge and refuses a masked SINT', () => {
    const s = synicRig()
    expect(s.synic.signalEvent(2, 9)).toBe(true)
    expect(s.ram[0x11000 + 2 * 256 + 1]).toBe(2)
    const ints = () => s.cpus[0].log.filter((l) => l === 'int 82').length
    expect(ints()).toBe(1)
    s.hv.interrupts.of(s.id)!.vpState(s.vp(0)).apic.eoi()
    expect(s.synic.signalEvent(2, 9)).toBe(true)
    expect(ints()).toBe(1)
    expect(s.synic.signalEvent(4, 1)).toBe(false)
  })
})
