import { describe, expect, it } from 'vitest'
import { ApicReg as R } from '../../../../core/hypervisor/apic/apic-registers'
import * as S from '../../../../core/hypervisor/hv-status'
import { runVp } from '../../../../core/hypervisor/run-vp'
import { HV_X64_MSR_APIC_ASSIST_PAGE, HV_X64_MSR_EOI, HV_X64_MSR_ICR, HV_X64_MSR_TPR } from '../../../../core/hypervisor/synthetic-msrs'
import { ExitReason } from '../../../../core/x64/api'
import { rig } from './setup'

function apicOf(r: ReturnType<typeof rig>, i: number) {
  return r.hv.interrupts.of(r.id)!.vpState(r.vp(i)).apic
}
function enable(r: ReturnType<typeof rig>, i: number) {
  apicOf(r, i).write(R.SVR, 0x1ff)
}

describe('interrupt routing and delivery (TLFS 13.3)', () => {
  it('delivers a fixed interrupt to the addressed APIC at once, or through an interrupt window', () => {
    const r = rig(2)
    enable(r, 0); enable(r, 1)
    r.hv.interrupts.requestInterrupt(r.id, { type: 0, vector: 0x40, destination: 1 })
    expect(r.cpus[1].log).toContain('int 64')
    expect(r.cpus[0].log).not.toContain('int 64')
    r.cpus[0].interruptible = false
    r.hv.interrupts.requestInterrupt(r.id, { type: 0, vector: 0x41, destination: 0 })
    expect(r.cpus[0].log).not.toContain('int 65')
    expect(r.cpus[0].interruptWindowRequested).toBe(true)
    r.cpus[0].interruptible = true
    r.cpus[0].script.push({ reason: ExitReason.InterruptWindow })
    runVp(r.hv, r.vp(0), 10)
    expect(r.cpus[0].log).toContain('int 65')
  })

  it('routes PIC interrupts as ExtINT through the BSP LINT0 and ignores PPR', () => {
    const r = rig(1)
    let pending = true
    r.hv.interrupts.setExtIntSource(r.id, { pending: () => pending, acknowledge: () => ((pending = false), 0x20) })
    r.hv.interrupts.advanceTo(r.id, 0)
    expect(r.cpus[0].log).toContain('int 32')
  })

  it('wakes a halted VP with a due APIC timer (deadline visible to the VMM)', () => {
    const r = rig(1)
    const a = apicOf(r, 0)
    enable(r, 0)
    a.write(R.TIMER_DIVIDE, 0xb)
    a.write(R.LVT_TIMER, 0x50)
    a.write(R.TIMER_INITIAL, 1000)
    r.cpus[0].halted = true
    const d = r.hv.interrupts.nextDeadline(r.id)
    expect(d).toBe(10000)
    r.clock.ns = d - 1
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    expect(r.cpus[0].log).not.toContain('int 80')
    r.clock.ns = d
    r.hv.interrupts.advanceTo(r.id, r.clock.ns)
    expect(r.cpus[0].log).toContain('int 80')
  })

  it('sends IPIs through HV_X64_MSR_ICR, EOIs through HV_X64_MSR_EOI (RDMSR #GP) and checks TPR reserved bits', () => {
    const r = rig(2)
    enable(r, 0); enable(r, 1)
    expect(r.wrmsr(0, HV_X64_MSR_ICR, (1n << 56n) | 0x4055n)).toBe(true)
    expect(r.cpus[1].log).toContain('int 85')
    expect(apicOf(r, 1).isInService(0x55)).toBe(true)
    expect(r.rdmsr(1, HV_X64_MSR_EOI)).toBe('GP')
    expect(r.wrmsr(1, HV_X64_MSR_EOI, 0n)).toBe(true)
    expect(apicOf(r, 1).isInService(0x55)).toBe(false)
    expect(r.wrmsr(0, HV_X64_MSR_TPR, 0x100n)).toBe(false)
    expect(r.wrmsr(0, HV_X64_MSR_TPR, 0x20n)).toBe(true)
    expect(r.rdmsr(0, HV_X64_MSR_TPR)).toBe(0x20n)
  })

  it('starts an AP with INIT then SIPI (it waits, looking halted, in between)', () => {
    const r = rig(2)
    enable(r, 0)
    r.wrmsr(0, HV_X64_MSR_ICR, (1n << 56n) | 0x4500n)
    expect(r.vp(1).waitingForSipi).toBe(true)
    expect(r.cpus[1].halted).toBe(true)
    r.wrmsr(0, HV_X64_MSR_ICR, (1n << 56n) | 0x4608n)
    expect(r.cpus[1].log).toContain('sipi 8')
    expect(r.vp(1).waitingForSipi).toBe(false)
  })

  it('lets the guest skip an EOI through the APIC assist page and EOIs lazily (13.4)', () => {
    const r = rig(1)
    enable(r, 0)
    expect(r.wrmsr(0, HV_X64_MSR_APIC_ASSIST_PAGE, 0x5001n)).toBe(true)
    r.hv.interrupts.requestInterrupt(r.id, { type: 0, vector: 0x60, destination: 0 })
    const mem = r.p.memory!
    expect(mem.ram[0x5000] & 1).toBe(1) // NoEoiRequired
    mem.ram[0x5000] &= ~1 // guest: btr [assist], 0 → skip the EOI
    r.hv.interrupts.requestInterrupt(r.id, { type: 0, vector: 0x58, destination: 0 })
    expect(apicOf(r, 0).isInService(0x60)).toBe(false) // lazily EOId
    expect(r.cpus[0].log).toContain('int 88')
    expect(r.wrmsr(0, HV_X64_MSR_APIC_ASSIST_PAGE, 0x5001n)).toBe(true)
  })
})

describe('HvAssertVirtualInterrupt / HvClearVirtualInterrupt (TLFS 13.5)', () => {
  function assert(r: ReturnType<typeof rig>, type: number, flags: number, dest: bigint, vector: number) {
    const root = r.hv.wrapper()
    const i = r.hv.input()
    i.setBigUint64(0, r.id, true)
    i.setUint32(8, type, true)
    i.setUint32(12, flags, true)
    i.setBigUint64(16, dest, true)
    i.setUint32(24, vector, true)
    i.setUint32(28, 0, true)
    void root
    return r.hv.callFromHost(r.hv.root, 0x55, {}).status
  }
  function clear(r: ReturnType<typeof rig>) {
    r.hv.input().setBigUint64(0, r.id, true)
    return r.hv.callFromHost(r.hv.root, 0x56, {}).status
  }

  it('checks types, vectors and destinations', () => {
    const r = rig(1)
    enable(r, 0)
    expect(assert(r, 2, 0, 0n, 0x30)).toBe(S.HV_STATUS_INVALID_PARAMETER) // SMI
    expect(assert(r, 0, 4, 0n, 0x30)).toBe(S.HV_STATUS_INVALID_PARAMETER) // reserved flag
    expect(assert(r, 4, 0, 0n, 1)).toBe(S.HV_STATUS_INVALID_PARAMETER) // NMI with a vector
    expect(assert(r, 0, 0, 0n, 0x100)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(assert(r, 0, 0, 5n, 0x30)).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    expect(assert(r, 7, 0, 1n, 0x30)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(assert(r, 4, 0, 0n, 0)).toBe(S.HV_STATUS_SUCCESS)
    expect(r.cpus[0].log).toContain('nmi')
  })

  it('replaces or withdraws an unacknowledged level assertion', () => {
    const r = rig(1)
    enable(r, 0)
    r.cpus[0].interruptible = false
    expect(assert(r, 0, 1, 0n, 0x70)).toBe(0)
    expect(assert(r, 0, 1, 0n, 0x71)).toBe(0)
    const a = apicOf(r, 0)
    expect(a.highestIrr()).toBe(0x71)
    expect(assert(r, 0, 1, 0n, 0xffffffff)).toBe(0)
    expect(a.highestIrr()).toBe(-1)
  })

  it('ExtInt: acknowledged state, ACKNOWLEDGED and NOT_ACKNOWLEDGED', () => {
    const r = rig(1)
    expect(clear(r)).toBe(S.HV_STATUS_NOT_ACKNOWLEDGED)
    expect(assert(r, 7, 0, 0n, 0x21)).toBe(0)
    expect(r.cpus[0].log).toContain('int 33')
    expect(assert(r, 7, 0, 0n, 0x22)).toBe(S.HV_STATUS_ACKNOWLEDGED)
    expect(clear(r)).toBe(0)
    expect(assert(r, 7, 0, 0n, 0x22)).toBe(0)
  })
})
