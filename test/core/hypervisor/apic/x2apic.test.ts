/**
 * x2APIC and TSC-deadline from inside a guest (TLFS 13.1 + SDM §11.12, §11.5.4.1): CPUID.1
 * advertises both, the guest switches to x2APIC, reads its 32-bit ID, takes a SELF IPI and a
 * TSC-deadline interrupt (never before the deadline), and the illegal accesses fault.
 */
import { describe, expect, it } from 'vitest'
import { hasToolchain } from '../../x64/harness'
import { GP_COUNT, guestRig } from '../synic/guest-rig'

const GUEST = `
main:
  GATE 0x40, ipi_handler
  GATE 0x41, timer_handler
  mov eax, 1
  cpuid
  mov [DATA + 0x20], ecx
  mov ecx, 0x1b
  rdmsr
  or eax, 0x400
  wrmsr
  RDM 0x802
  mov [DATA + 0x28], rax
  RDM 0x80d
  mov [DATA + 0x30], rax
  WRM 0x80f, 0x1ff
  sti
  WRM 0x83f, 0x40
  nop
  mov [DATA + 0x38], rax
  WRM 0x832, 0x41 | (2 << 17)
  rdtsc
  shl rdx, 32
  or rax, rdx
  add rax, 40000
  mov [DATA + 0x40], rax
  mov rbx, rax
  WRM 0x6e0, rbx
1:
  cmp dword ptr [DATA + 12], 0
  jne 2f
  hlt
  jmp 1b
2:
  WRM 0x80b, 1
  RDM 0x80b
  WRM 0x802, 5
  RDM 0x80e
  mov ecx, 0x1b
  rdmsr
  and eax, ~0x400
  wrmsr
  DONE
ipi_handler:
  inc dword ptr [DATA + 8]
  push rax
  push rcx
  push rdx
  WRM 0x80b, 0
  pop rdx
  pop rcx
  pop rax
  iretq
timer_handler:
  push rax
  push rcx
  push rdx
  rdtsc
  shl rdx, 32
  or rax, rdx
  mov [DATA + 0x48], rax
  inc dword ptr [DATA + 12]
  WRM 0x80b, 0
  pop rdx
  pop rcx
  pop rax
  iretq
`

describe.skipIf(!hasToolchain())('guest code: x2APIC and TSC-deadline (TLFS 13.1)', () => {
  it('advertises and implements x2APIC MSRs and the TSC-deadline timer; illegal accesses #GP', () => {
    const r = guestRig(GUEST)
    expect(r.run(3_000_000)).toBe('done')
    const ecx = r.u32(0x20)
    expect((ecx >>> 21) & 1).toBe(1) // x2APIC
    expect((ecx >>> 24) & 1).toBe(1) // TSC-deadline
    expect(r.u64(0x28)).toBe(0n) // x2APIC ID of VP 0
    expect(r.u64(0x30)).toBe(1n) // LDR: cluster 0, bit (id & 15)
    expect(r.u32(8)).toBe(1) // the SELF IPI arrived
    const deadline = r.u64(0x40)
    const fired = r.u64(0x48)
    expect(fired >= deadline).toBe(true)
    expect(fired - deadline < 1000n).toBe(true) // within a few instructions (TSC = ns here)
    // #GP: EOI ≠ 0, read of write-only EOI, write of read-only ID, DFR absent, x2APIC → xAPIC.
    expect(r.u32(GP_COUNT)).toBe(5)
  })
})

describe.skipIf(!hasToolchain())('guest code: xAPIC MMIO access forms (TLFS 13.2)', () => {
  it('a dword at a 16-byte-aligned offset works; misaligned or non-dword accesses raise #GP', () => {
    const r = guestRig(`
main:
  GATE 13, gp_resume
  mov rdi, 0xfee00000
  mov dword ptr [rdi + 0x80], 0x20
  mov eax, dword ptr [rdi + 0x80]
  mov [DATA + 0x20], eax
  lea rax, [rip + 1f]
  mov [DATA + 0x50], rax
  mov eax, dword ptr [rdi + 0x81]
1:
  lea rax, [rip + 2f]
  mov [DATA + 0x50], rax
  mov ax, word ptr [rdi + 0x80]
2:
  lea rax, [rip + 3f]
  mov [DATA + 0x50], rax
  mov byte ptr [rdi + 0x80], 0x70
3:
  lea rax, [rip + 4f]
  mov [DATA + 0x50], rax
  mov rax, qword ptr [rdi + 0x80]
4:
  mov eax, dword ptr [rdi + 0x80]
  mov [DATA + 0x28], eax
  DONE
gp_resume:
  add rsp, 8
  push rax
  mov rax, [DATA + 0x50]
  mov [rsp + 8], rax
  pop rax
  inc dword ptr [DATA + 4]
  iretq
`)
    expect(r.run()).toBe('done')
    expect(r.u32(0x20)).toBe(0x20) // TPR written and read back through MMIO
    expect(r.u32(GP_COUNT)).toBe(4) // misaligned dword, word read, byte write, qword read
    expect(r.u32(0x28)).toBe(0x20) // the faulting byte write changed nothing
  })
})
