import { describe, it, expect } from 'vitest'
import { hasToolchain, run64, reg } from './harness'
import { ExitReason, Reg } from '../../../core/x64'

// #DB (SDM vol. 3, ch. 17): single-step traps, ICEBP, instruction breakpoints, general
// detect, RF. The #DB handler counts traps in R15, keeps DR6 in R14 and the pushed RIP of
// each trap at 0x5000 + 8 * n.

const DB_IDT = `
.macro gate vec, handler
  lea rax, [rip + \\handler]
  mov word ptr [0x3000 + \\vec*16], ax
  mov word ptr [0x3000 + \\vec*16 + 2], 0x08
  mov byte ptr [0x3000 + \\vec*16 + 4], 0
  mov byte ptr [0x3000 + \\vec*16 + 5], 0x8e
  shr rax, 16
  mov word ptr [0x3000 + \\vec*16 + 6], ax
  shr rax, 16
  mov dword ptr [0x3000 + \\vec*16 + 8], eax
  mov dword ptr [0x3000 + \\vec*16 + 12], 0
.endm
  gate 1, hdb
  gate 6, hud
  gate 0x80, h80
  mov word ptr [0x2ff0], 0xfff
  mov qword ptr [0x2ff2], 0x3000
  lidt [0x2ff0]
  xor r15, r15
  jmp start
hdb:
  inc r15
  mov rax, dr6
  mov r14, rax
  mov rax, [rsp]
  mov [0x5000 + r15*8], rax
  iretq
hud:
  mov rax, [rsp + 16]
  mov r13, rax
  add qword ptr [rsp], 2
  iretq
h80:
  mov r12, 0x80
  iretq
start:
`
const TF_ON = 'pushfq\n or qword ptr [rsp], 0x100\n popfq'
const TF_OFF = 'pushfq\n and qword ptr [rsp], ~0x100\n popfq'

function traced(body: string): ReturnType<typeof run64> {
  const out = run64(`${DB_IDT}\n${body}`)
  expect(out.r.reason).toBe(ExitReason.Halt)
  return out
}
const q = (m: { view: DataView }, a: number) => Number(m.view.getBigUint64(a, true))

describe.skipIf(!hasToolchain())('#DB', () => {
  it('TF: a trap after every instruction that starts with TF = 1, with DR6.BS and RIP after it', () => {
    const { cpu, mem } = traced(`
      lea rax, [rip + after1]
      mov [0x6000], rax
      ${TF_ON}
      nop
    after1:
      mov eax, 1
      cpuid
      ${TF_OFF}
      nop
      nop`)
    // nop, mov, cpuid (an exit, completed by the VMM), pushfq, and, popfq (TF clears during it)
    expect(reg(cpu, Reg.R15)).toBe(6n)
    expect(Number(reg(cpu, Reg.R14)) & 0x4000).toBe(0x4000)
    expect(q(mem, 0x5008)).toBe(q(mem, 0x6000))
  })
  it('INT n gets no trap; the IRET restoring TF traps after the next instruction', () => {
    const { cpu } = traced(`
      ${TF_ON}
      int 0x80
      nop
      ${TF_OFF}`)
    // traps: nop, pushfq, and, popfq (none after INT 0x80 nor inside the handler)
    expect(reg(cpu, Reg.R12)).toBe(0x80n)
    expect(reg(cpu, Reg.R15)).toBe(4n)
  })
  it('MOV SS defers its single-step trap until after the next instruction', () => {
    const { cpu, mem } = traced(`
      lea rax, [rip + afterNop]
      mov [0x6000], rax
      mov ax, ss
      ${TF_ON}
      mov ss, ax
      nop
    afterNop:
      ${TF_OFF}`)
    // one trap for MOV SS + NOP (BS once), then pushfq, and, popfq
    expect(reg(cpu, Reg.R15)).toBe(4n)
    expect(q(mem, 0x5008)).toBe(q(mem, 0x6000))
  })
  it('ICEBP (F1) raises #DB as a trap without touching DR6', () => {
    const { cpu, mem } = traced(`
      lea rax, [rip + afterIcebp]
      mov [0x6000], rax
      .byte 0xf1
    afterIcebp:
      nop`)
    expect(reg(cpu, Reg.R15)).toBe(1n)
    expect(reg(cpu, Reg.R14)).toBe(0xffff0ff0n)
    expect(q(mem, 0x5008)).toBe(q(mem, 0x6000))
  })
  it('instruction breakpoint: #DB fault before the instruction, DR6.B1, RF set by the handler resumes', () => {
    const { cpu, mem } = run64(`${DB_IDT.replace('  iretq\nhud:', '  or qword ptr [rsp + 16], 0x10000\n  iretq\nhud:')}
      lea rax, [rip + target]
      mov dr1, rax
      mov [0x6000], rax
      mov eax, 0x4            # L1, R/W1 = 00 (execute), LEN1 = 00
      mov dr7, rax
      xor ebx, ebx
    target:
      inc ebx
      inc ebx`)
    expect(reg(cpu, Reg.R15)).toBe(1n)
    expect(reg(cpu, Reg.RBX)).toBe(2n) // the breakpointed INC ran exactly once
    expect(Number(reg(cpu, Reg.R14)) & 0xf).toBe(2)
    expect(q(mem, 0x5008)).toBe(q(mem, 0x6000))
  })
  it('fault-class exceptions push RF = 1; a software interrupt pushes the current RF (0)', () => {
    const { cpu } = traced(`
      ud2
      int 0x80`)
    expect(Number(reg(cpu, Reg.R13)) & 0x10000).toBe(0x10000)
  })
  it('DR7.GD: a debug-register access faults with DR6.BD, GD is cleared for the handler', () => {
    const { cpu, mem } = traced(`
      lea rax, [rip + movdr]
      mov [0x6000], rax
      mov eax, 0x2400
      mov dr7, rax
    movdr:
      mov rbx, dr0
      mov rcx, dr7`)
    // the handler's own MOV from DR6 works (GD cleared), then it returns to the MOV again
    expect(reg(cpu, Reg.R15)).toBe(1n)
    expect(Number(reg(cpu, Reg.R14)) & 0x2000).toBe(0x2000)
    expect(q(mem, 0x5008)).toBe(q(mem, 0x6000))
    expect(reg(cpu, Reg.RCX)).toBe(0x400n)
  })
  it('data breakpoints: a write (R/W = 01) or any access (11) overlapping DRn traps after the instruction, with DR6.Bn', () => {
    const { cpu, mem } = traced(`
      mov rax, 0x7004
      mov dr2, rax
      mov eax, (1 << 4) | (1 << 24) | (3 << 26)   # L2, write-only, 4 bytes
      mov dr7, rax
      lea rax, [rip + afterStore]
      mov [0x6000], rax
      mov ecx, [0x7004]                 # a read: no trap
      mov dword ptr [0x7000], 1         # no overlap: no trap
      mov dword ptr [0x7006], 5         # overlaps 0x7004..0x7007
    afterStore:
      mov r13, r15
      mov eax, (1 << 4) | (3 << 24) | (3 << 26)   # now reads too
      mov dr7, rax
      mov ecx, [0x7002]
      mov eax, 0x400
      mov dr7, rax
      mov dword ptr [0x7004], 1         # disabled: no trap`)
    expect(reg(cpu, Reg.R13)).toBe(1n)
    expect(reg(cpu, Reg.R15)).toBe(2n)
    expect(Number(reg(cpu, Reg.R14)) & 0xf).toBe(4)
    expect(q(mem, 0x5008)).toBe(q(mem, 0x6000))
    expect(mem.view.getUint32(0x7004, true)).toBe(1)
  })
  it('MOV to DR6/DR7 with bits 63:32 set is #GP in 64-bit mode', () => {
    const { cpu, r } = run64('mov rax, 1\n shl rax, 40\n mov dr7, rax', (c) => { c.exceptionBitmap = 1 << 13 })
    expect(r.reason).toBe(ExitReason.Exception)
    expect(cpu.exit.vector).toBe(13)
  })
})
