import { describe, it, expect } from 'vitest'
import { hasToolchain, run64, reg } from './harness'
import { ExitReason, Reg } from '../../../core/x64'
import { run32, segDesc, CODE0, DATA0, CODE3, DATA3, tss32Desc, farCall, farJmp, retf } from './call-gate-env'

// Call gates (SDM vol. 3, 5.8.3-5.8.6). GDT: 0x08 ring-0 code, 0x10 ring-0 data, 0x18
// ring-3 code, 0x20 ring-3 data, 0x28 TSS (0xa00), gates 0x30-0x50 written by the guest,
// 0x58 a ring-0 stack segment 17 bytes long.
const GDT = [CODE0, DATA0, CODE3, DATA3, tss32Desc(0xa00), 0n, 0n, 0n, 0n, 0n, segDesc(0, 0x10, 0x92, 0x4)]

/** Ring 0 sets up gates and the TSS (SS0:ESP0), then RETFs to `user` at CPL 3. */
function toUser(user: string, handlers: string, ss0 = 0x10): string {
  return `
    gate 0x830, h32, 0x08, 0xec, 2      # 32-bit gate, DPL 3, 2 parameters
    gate 0x838, h16, 0x08, 0xe4, 1      # 16-bit gate, DPL 3, 1 parameter
    gate 0x840, h32, 0x08, 0x8c         # DPL 0
    gate 0x848, h32, 0x08, 0x6c         # not present
    gate 0x850, h32, 0x18, 0xec         # to ring-3 code
    mov dword ptr [0xa04], 0x90000
    mov word ptr [0xa08], ${ss0}
    mov ax, 0x28
    ltr ax
    push 0x23
    push 0xf000
    push 0x1b
    push offset user
    .byte 0xcb
  user:
    mov ax, 0x23
    mov ds, ax
    mov es, ax
    ${user}
    ud2
    ${handlers}`
}

const HANDLERS = `
  h32:
    mov esi, esp
    mov edi, 0x7000
    mov ecx, 6
    rep movsd
    mov [0x7018], esp
    mov ax, ss
    mov [0x701c], ax
    ${retf(8)}
  h16:
    mov esi, esp
    mov edi, 0x7100
    mov ecx, 5
    rep movsw
    mov [0x7110], esp
    .byte 0x66, 0xca, 2, 0               # o16 RETF 2`

const exitOn = (v: number) => 1 << v

describe.skipIf(!hasToolchain())('call gates, protected mode', () => {
  it('CALL through a 32-bit gate to ring 0: stack switch from the TSS, 2 parameters copied, RETF 8 back', () => {
    const { cpu, mem, r } = run32(toUser(`
      mov dword ptr [0x6010], offset ret1
      push 0x1111
      push 0x2222
      ${farCall(0x33)}
    ret1:
      mov [0x6000], esp
      mov ax, cs
      mov [0x6004], ax`, HANDLERS), GDT)
    expect(r.reason).toBe(ExitReason.Exception)
    expect(cpu.exit.vector).toBe(6)
    const d = (a: number) => mem.view.getUint32(a, true)
    expect([d(0x7000), d(0x7004), d(0x7008), d(0x700c), d(0x7010), d(0x7014)]).toEqual([d(0x6010), 0x1b, 0x2222, 0x1111, 0xeff8, 0x23])
    expect(d(0x7018)).toBe(0x90000 - 24)
    expect(mem.view.getUint16(0x701c, true)).toBe(0x10)
    expect(d(0x6000)).toBe(0xf000) // RETF 8 dropped the parameters from the caller's stack
    expect(mem.view.getUint16(0x6004, true)).toBe(0x1b)
  })
  it('CALL through a 16-bit gate pushes a 16-bit frame and copies one word', () => {
    const { cpu, mem, r } = run32(toUser(`
      mov dword ptr [0x6010], offset ret1
      push 0x3333
      ${farCall(0x3b)}
    ret1:
      mov [0x6000], esp`, HANDLERS), GDT)
    expect([r.reason, cpu.exit.vector]).toEqual([ExitReason.Exception, 6])
    const w = (a: number) => mem.view.getUint16(a, true)
    expect([0, 2, 4, 6, 8].map((o) => w(0x7100 + o))).toEqual([mem.view.getUint32(0x6010, true) & 0xffff, 0x1b, 0x3333, 0xeffc, 0x23])
    expect(mem.view.getUint32(0x7110, true)).toBe(0x90000 - 10)
    expect(mem.view.getUint32(0x6000, true)).toBe(0xeffe)
  })
  it('CALL through a gate at the same privilege pushes CS:EIP on the current stack', () => {
    const { cpu, r, mem } = run32(`
      gate 0x830, h, 0x08, 0x8c
      mov dword ptr [0x6010], offset back
      ${farCall(0x30)}
    back:
      mov [0x6000], esp
      ud2
    h:
      mov eax, [esp]
      mov ebx, [esp + 4]
      mov [0x6004], esp
      .byte 0xcb`, GDT)
    expect([r.reason, cpu.exit.vector]).toEqual([ExitReason.Exception, 6])
    expect(Number(reg(cpu, Reg.RAX))).toBe(mem.view.getUint32(0x6010, true))
    expect(Number(reg(cpu, Reg.RBX))).toBe(0x08)
    expect(mem.view.getUint32(0x6004, true)).toBe(0x80000 - 8)
    expect(mem.view.getUint32(0x6000, true)).toBe(0x80000)
  })
  const faults: Array<[string, string, number, number, number?]> = [
    ['gate DPL < CPL: #GP(gate)', farCall(0x43), 13, 0x40],
    ['gate not present: #NP(gate)', farCall(0x4b), 11, 0x48],
    ['JMP through a gate to an inner level: #GP(code selector)', farJmp(0x33), 13, 0x08],
    ['TSS SS0 with RPL != new CPL: #TS(SS0)', farCall(0x33), 10, 0x10, 0x13],
    ['null TSS SS0: #TS(0)', farCall(0x33), 10, 0, 0],
    ['the new stack cannot hold the frame: #SS(SS0)', farCall(0x33), 12, 0x58, 0x58],
  ]
  for (const [name, insn, vec, code, ss0] of faults) {
    it(name, () => {
      const { cpu, r } = run32(toUser(insn, HANDLERS, ss0 ?? 0x10), GDT, undefined, exitOn(vec) | exitOn(6))
      expect([r.reason, cpu.exit.vector, cpu.exit.errorCode]).toEqual([ExitReason.Exception, vec, code])
      expect(cpu.getSegment(1).selector & 3).toBe(3) // still in the caller
    })
  }
  it('a gate to a less privileged code segment: #GP(code selector)', () => {
    const { cpu, r } = run32(`gate 0x850, x, 0x18, 0xec\n ${farCall(0x50)}\n x: nop`, GDT, undefined, exitOn(13) | exitOn(6))
    expect([r.reason, cpu.exit.vector, cpu.exit.errorCode]).toEqual([ExitReason.Exception, 13, 0x18])
  })
})

describe.skipIf(!hasToolchain())('call gates, IA-32e mode', () => {
  const GATE64 = `
    lea rax, [rip + h64]
    mov word ptr [0x848], ax
    mov word ptr [0x84a], 0x08
    mov word ptr [0x84c], 0xec00
    shr rax, 16
    mov word ptr [0x84e], ax
    shr rax, 16
    mov dword ptr [0x850], eax
    mov dword ptr [0x854], 0
    mov word ptr [0x2ff0], 0x5f
    mov qword ptr [0x2ff2], 0x800
    lgdt [0x2ff0]
    mov qword ptr [0xa04], 0x90000`
  const toUser64 = (user: string) => `
    ${GATE64}
    push 0x2b
    push 0x60000
    push 0x202
    push 0x33
    lea rax, [rip + user]
    push rax
    iretq
  user:
    ${user}
    ud2
  h64:
    mov r8, [rsp]
    mov r9, [rsp + 8]
    mov r10, [rsp + 16]
    mov r11, [rsp + 24]
    mov r13, rsp
    mov ax, ss
    movzx r14, ax
    .byte 0x48, 0xcb                     # RETFQ
  ptr: .long 0
    .word 0x4b
  ptr16: .long 0
    .word 0x5b`
  const userPages = (_c: unknown, mem: { view: DataView }) => {
    const v = mem.view
    v.setUint32(0x70000, v.getUint32(0x70000, true) | 4, true)
    v.setUint32(0x71000, v.getUint32(0x71000, true) | 4, true)
    for (let i = 0; i < 512; i++) v.setUint32(0x72000 + i * 8, v.getUint32(0x72000 + i * 8, true) | 4, true)
  }
  it('CALL FAR through a 64-bit gate from ring 3: RSP0 from the TSS, SS = NULL, RETFQ back', () => {
    const { cpu, r } = run64(toUser64(`
      lea rbx, [rip + ptr]
      lea r15, [rip + back]
      .byte 0xff, 0x1b                     # CALL FAR m16:32 [rbx]
    back:
      mov r12, rsp`), (c, mem) => { userPages(c, mem); c.exceptionBitmap = 1 << 6 })
    expect([r.reason, cpu.exit.vector]).toEqual([ExitReason.Exception, 6])
    expect(reg(cpu, Reg.R8)).toBe(reg(cpu, Reg.R15))
    expect([reg(cpu, Reg.R9), reg(cpu, Reg.R10), reg(cpu, Reg.R11)]).toEqual([0x33n, 0x60000n, 0x2bn])
    expect(reg(cpu, Reg.R13)).toBe(BigInt(0x90000 - 32))
    expect(reg(cpu, Reg.R14)).toBe(0n)
    expect(reg(cpu, Reg.R12)).toBe(0x60000n)
    expect(cpu.getSegment(1).selector).toBe(0x33)
  })
  it('a 16-bit gate type in IA-32e mode: #GP(selector)', () => {
    const { cpu, r } = run64(toUser64(`
      mov word ptr [0x858], 0
      lea rbx, [rip + ptr16]
      .byte 0xff, 0x1b`), (c, mem) => {
      userPages(c, mem)
      mem.view.setBigUint64(0x858, 0x0000e40000080000n, true)
      c.exceptionBitmap = (1 << 6) | (1 << 13) | (1 << 14)
    })
    expect([r.reason, cpu.exit.vector, cpu.exit.errorCode]).toEqual([ExitReason.Exception, 13, 0x58])
  })
})
