import { describe, expect, it } from 'vitest'
import * as S from '../../../core/hypervisor/hv-status'
import { HvCall } from '../../../core/hypervisor/hypercall-codes'
import { makeHypercallInput } from '../../../core/hypervisor/hypercall-input'
import { HvPartitionProperty as P } from '../../../core/hypervisor/partition-properties'
import { runVp } from '../../../core/hypervisor/run-vp'
import { HV_X64_MSR_GUEST_OS_ID, HV_X64_MSR_HYPERCALL, HV_X64_MSR_VP_INDEX } from '../../../core/hypervisor/synthetic-msrs'
import { ExitReason, Reg } from '../../../core/x64/api'
import type { FakeCpu } from './fake-cpu'
import { makeChild, makeHv, rootPages } from './helpers'

function setupVp(vps = 1) {
  const { hv, cpus } = makeHv()
  const c = makeChild(hv, 32 * 4096, 16)
  const root = hv.wrapper()
  root.HvMapGpaPages(c, 0, 7, rootPages(32))
  for (let i = 0; i < vps; i++) {
    root.HvCreateVp(c, i)
    root.HvSetVpRegisters(c, i, [{ name: 0, value: 0n }])
    hv.partition(c)!.vp(i)!.waitingForSipi = false
  }
  return { hv, c, p: hv.partition(c)!, cpus: cpus as FakeCpu[] }
}

function cpuid(hv: ReturnType<typeof setupVp>['hv'], p: ReturnType<typeof setupVp>['p'], leaf: number): number[] {
  const out = new Uint32Array(4)
  hv.cpuid(p.vp(0)!, leaf, 0, out)
  return [...out]
}

describe('discovery (TLFS ch. 3)', () => {
  it('sets CPUID.1:ECX[31] and the vendor/interface leaves (ideas 1-3)', () => {
    const { hv, p } = setupVp()
    expect(cpuid(hv, p, 1)[2] >>> 31).toBe(1)
    expect(cpuid(hv, p, 0x40000000)).toEqual([0x40000006, 0x7263694d, 0x666f736f, 0x76482074])
    expect(cpuid(hv, p, 0x40000001)).toEqual([0x31237648, 0, 0, 0])
    expect(cpuid(hv, p, 0x40000007)).toEqual([0, 0, 0, 0])
  })

  it('hides leaf 0x40000002 until GUEST_OS_ID is set (idea 4)', () => {
    const { hv, p } = setupVp()
    expect(cpuid(hv, p, 0x40000002)).toEqual([0, 0, 0, 0])
    p.guestOsId = 0x0001040600000001n
    expect(cpuid(hv, p, 0x40000002)).toEqual([6002, 0x60000, 2, 0])
  })

  it('reports privileges in 0x40000003 and follows property changes (ideas 5-6)', () => {
    const { hv, c, p } = setupVp()
    expect(cpuid(hv, p, 0x40000003).slice(0, 2)).toEqual([0x5ff, 0])
    hv.wrapper().HvSetPartitionProperty(c, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn & ~(1n << 5n))
    expect((cpuid(hv, p, 0x40000003)[0] >> 5) & 1).toBe(0)
    expect(cpuid(hv, p, 0x40000005)[0]).toBe(64)
  })
})

describe('synthetic MSRs through runVp', () => {
  it('shares GUEST_OS_ID between VPs and gives VP_INDEX per VP (ideas 8, 14)', () => {
    const { hv, p, cpus } = setupVp(2)
    cpus[0].script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_GUEST_OS_ID, valueLo: 1, valueHi: 0x10406 })
    runVp(hv, p.vp(0)!, 10)
    cpus[1].script.push({ reason: ExitReason.MsrRead, msr: HV_X64_MSR_GUEST_OS_ID }, { reason: ExitReason.MsrRead, msr: HV_X64_MSR_VP_INDEX }, { reason: ExitReason.MsrWrite, msr: HV_X64_MSR_VP_INDEX })
    runVp(hv, p.vp(1)!, 10)
    expect(cpus[1].log).toEqual(['rdmsr 10406:1', 'rdmsr 0:1', 'exc 13 0'])
  })

  it('raises #GP for hypercall MSRs without the privilege (idea 6)', () => {
    const { hv, c, p, cpus } = setupVp()
    hv.wrapper().HvSetPartitionProperty(c, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn & ~(1n << 5n))
    cpus[0].script.push({ reason: ExitReason.MsrRead, msr: HV_X64_MSR_GUEST_OS_ID })
    runVp(hv, p.vp(0)!, 10)
    expect(cpus[0].log).toEqual(['exc 13 0'])
  })

  it('keeps Enable = 0 while GUEST_OS_ID is 0, overlays the page once enabled, restores RAM when disabled (9-12, 90)', () => {
    const { hv, p, cpus } = setupVp()
    const mem = p.memory!
    mem.ram.fill(0x5a, 5 * 4096, 6 * 4096)
    const vp = p.vp(0)!
    cpus[0].script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_HYPERCALL, valueLo: 0x5001, valueHi: 0 })
    runVp(hv, vp, 10)
    expect(p.hypercallMsr).toBe(0x5000n)
    p.guestOsId = 1n
    cpus[0].script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_HYPERCALL, valueLo: 0x5001, valueHi: 0 })
    runVp(hv, vp, 10)
    expect(p.hypercallMsr).toBe(0x5001n)
    expect([...mem.ram.subarray(5 * 4096, 5 * 4096 + 5)]).toEqual([0x0f, 0x01, 0xc1, 0xc3, 0xcc])
    // A guest write into the page raises #GP (U22).
    cpus[0].script.push({ reason: ExitReason.MemoryAccess, gpa: 5 * 4096 + 8, accessType: 1 })
    runVp(hv, vp, 10)
    expect(cpus[0].log.at(-1)).toBe('exc 13 0')
    cpus[0].script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_GUEST_OS_ID, valueLo: 0, valueHi: 0 })
    runVp(hv, vp, 10)
    expect(p.hypercallMsr & 1n).toBe(0n)
    expect(mem.ram[5 * 4096]).toBe(0x5a)
  })

  it('refuses a hypercall page beyond the GPA space with #GP and keeps the old value (11)', () => {
    const { hv, p, cpus } = setupVp()
    p.guestOsId = 1n
    cpus[0].script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_HYPERCALL, valueLo: 0x1000001, valueHi: 0 })
    runVp(hv, p.vp(0)!, 10)
    expect(cpus[0].log).toEqual(['exc 13 0'])
    expect(p.hypercallMsr).toBe(0n)
  })
})

describe('native hypercall ABI (TLFS 4.3-4.7)', () => {
  function withPage() {
    const s = setupVp()
    s.p.guestOsId = 1n
    s.cpus[0].script.push({ reason: ExitReason.MsrWrite, msr: HV_X64_MSR_HYPERCALL, valueLo: 0x2001, valueHi: 0 })
    runVp(s.hv, s.p.vp(0)!, 10)
    const cpu = s.cpus[0]
    cpu.enterLongModeIdentity()
    cpu.rip = 0x2000n
    return { ...s, cpu }
  }
  function vmcall(s: ReturnType<typeof withPage>, rcx: bigint, rdx = 0n, r8 = 0n) {
    s.cpu.rip = 0x2000n
    s.cpu.setReg(Reg.RCX, rcx)
    s.cpu.setReg(Reg.RDX, rdx)
    s.cpu.setReg(Reg.R8, r8)
    s.cpu.script.push({ reason: ExitReason.Vmcall, instructionLength: 3 })
    return runVp(s.hv, s.p.vp(0)!, 10)
  }

  it('raises #UD outside the hypercall page, in real mode and at CPL 3 (18, 19)', () => {
    const s = withPage()
    s.cpu.rip = 0x3000n
    s.cpu.script.push({ reason: ExitReason.Vmcall, instructionLength: 3 })
    runVp(s.hv, s.p.vp(0)!, 10)
    expect(s.cpu.log.at(-1)).toBe('exc 6')
    s.cpu.segs[1].selector = 0x0b
    vmcall(s, makeHypercallInput(HvCall.HvCallGetPartitionId))
    expect(s.cpu.log.at(-1)).toBe('exc 6')
  })

  it('returns the status in RAX and advances past VMCALL (20, 31)', () => {
    const s = withPage()
    s.cpu.setReg(Reg.RBX, 0x1234n)
    vmcall(s, makeHypercallInput(0x72))
    expect(s.cpu.getReg(Reg.RAX)).toBe(BigInt(S.HV_STATUS_INVALID_HYPERCALL_CODE))
    expect(s.cpu.rip).toBe(0x2003n)
    expect(s.cpu.getReg(Reg.RBX)).toBe(0x1234n)
  })

  it('checks parameter GPA alignment, page crossing and bounds (26-29)', () => {
    const s = withPage()
    vmcall(s, makeHypercallInput(HvCall.HvCallGetMemoryBalance), 0x1004n, 0x3000n)
    expect(s.cpu.getReg(Reg.RAX)).toBe(BigInt(S.HV_STATUS_INVALID_ALIGNMENT))
    vmcall(s, makeHypercallInput(HvCall.HvCallDepositMemory, { repCount: 1 }), 0x1ff8n)
    expect(s.cpu.getReg(Reg.RAX)).toBe(BigInt(S.HV_STATUS_INVALID_ALIGNMENT))
    vmcall(s, makeHypercallInput(HvCall.HvCallGetMemoryBalance), 0x100000000n, 0x3000n)
    expect(s.cpu.getReg(Reg.RAX)).toBe(BigInt(S.HV_STATUS_INVALID_ALIGNMENT))
    // No input: a misaligned input GPA is ignored; the child lacks AccessPartitionId.
    vmcall(s, makeHypercallInput(HvCall.HvCallGetPartitionId), 0x3n, 0x3000n)
    expect(s.cpu.getReg(Reg.RAX)).toBe(BigInt(S.HV_STATUS_ACCESS_DENIED))
  })

  it('reads the input block from guest memory and writes output and reps completed', () => {
    const s = withPage()
    const mem = s.p.memory!
    // HvGetVpRegisters on itself (allowed: parent or self) for Rbx and Rip.
    mem.view.setBigUint64(0x4000, s.c, true)
    mem.view.setUint32(0x4008, 0, true)
    mem.view.setUint32(0x4010, 0x00020003, true)
    mem.view.setUint32(0x4014, 0x00020010, true)
    s.cpu.setReg(Reg.RBX, 0xabcdn)
    vmcall(s, makeHypercallInput(HvCall.HvCallGetVpRegisters, { repCount: 2 }), 0x4000n, 0x5000n)
    expect(s.cpu.getReg(Reg.RAX)).toBe(2n << 32n)
    expect(mem.view.getBigUint64(0x5000, true)).toBe(0xabcdn)
    expect(mem.view.getBigUint64(0x5010, true)).toBe(0x2000n)
  })

  it('continues a rep call by rewriting the start index in RCX (34)', () => {
    const s = withPage()
    s.p.maxRepsPerInvocation = 1
    const mem = s.p.memory!
    mem.view.setBigUint64(0x4000, s.c, true)
    mem.view.setUint32(0x4010, 0x00020000, true)
    mem.view.setUint32(0x4014, 0x00020001, true)
    vmcall(s, makeHypercallInput(HvCall.HvCallGetVpRegisters, { repCount: 2 }), 0x4000n, 0x5000n)
    expect(s.cpu.rip).toBe(0x2000n)
    expect(s.cpu.getReg(Reg.RCX) >> 48n).toBe(1n)
  })

  it('suspends with a memory intercept when the input page is unmapped (37)', () => {
    const s = withPage()
    s.hv.wrapper().HvUnmapGpaPages(s.c, 4, 1)
    const kind = vmcall(s, makeHypercallInput(HvCall.HvCallGetMemoryBalance), 0x4000n, 0x5000n)
    expect(kind).toBe(5) // VpExitKind.MemoryAccess
    expect(s.p.vp(0)!.memoryUnmapped).toBe(true)
    expect(s.cpu.rip).toBe(0x2000n)
  })
})
