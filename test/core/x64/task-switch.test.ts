import { describe, it, expect } from 'vitest'
import { hasToolchain, run64, reg } from './harness'
import { ExitReason, Reg } from '../../../core/x64'
import type { GuestMemory } from '../../../core/memory/guest-memory'
import { run32, CODE0, DATA0, CODE3, DATA3, tss32Desc, tss16Desc, farCall, farJmp } from './call-gate-env'

// Hardware task switches (SDM vol. 3, ch. 7). GDT: 0x28 TSS A (0xa00, the running task),
// 0x30 TSS B (0xb00), 0x38 task gate -> B, 0x40 16-bit TSS C (0xc00), 0x48 TSS with a
// too-small limit, 0x50 task gate not present. IDT (0x3000) entries are task gates to B.

const taskGate = (tss: number, present = true, dpl = 0) =>
  (BigInt(((present ? 0x80 : 0) | (dpl << 5) | 5) << 8) << 32n) | BigInt(tss << 16)
const GDT = [CODE0, DATA0, CODE3, DATA3, tss32Desc(0xa00), tss32Desc(0xb00), taskGate(0x30), tss16Desc(0xc00), tss32Desc(0xd00, 0x50), taskGate(0x30, false)]

/** TSS B: flat ring-0 segments, EAX = 0x1234, ESP = 0x60000; TSS C (16-bit): AX = 0x4321, SP = 0x5000. */
function tasks(_cpu: unknown, mem: GuestMemory): void {
  const v = mem.view
  v.setUint32(0xb24, 2, true)
  v.setUint32(0xb28, 0x1234, true)
  v.setUint32(0xb38, 0x60000, true)
  ;[0x10, 0x08, 0x10, 0x10, 0x10, 0x10].forEach((s, i) => v.setUint16(0xb48 + 4 * i, s, true))
  v.setUint16(0xc10, 2, true)
  v.setUint16(0xc12, 0x4321, true)
  v.setUint16(0xc1a, 0x5000, true)
  ;[0x10, 0x08, 0x10, 0x10].forEach((s, i) => v.setUint16(0xc22 + 2 * i, s, true))
}
const gdtAccess = (mem: GuestMemory, sel: number) => mem.ram[0x800 + sel + 5]
const d = (mem: GuestMemory, a: number) => mem.view.getUint32(a, true)
const LTR = 'mov ax, 0x28\n ltr ax'
const IDT = (vectors: number[]) => vectors.map((v) => `mov dword ptr [${0x3000 + v * 8}], 0x300000\n mov dword ptr [${0x3004 + v * 8}], 0x8500`).join('\n') +
  '\n mov word ptr [0x2ff0], 0x7ff\n mov dword ptr [0x2ff2], 0x3000\n lidt [0x2ff0]'

describe.skipIf(!hasToolchain())('task switches', () => {
  it('CALL to a TSS: state saved and loaded, back link, NT, busy bits, CR0.TS; IRET returns', () => {
    const { cpu, mem, r } = run32(`
      ${LTR}
      mov dword ptr [0xb20], offset taskB
      mov dword ptr [0x6010], offset back
      mov ebx, 0x5555
      ${farCall(0x30)}
    back:
      mov [0x6000], ebx
      pushfd
      pop eax
      mov [0x6004], eax
      mov eax, cr0
      mov [0x6008], eax
      ud2
    taskB:
      mov [0x6100], eax
      pushfd
      pop ecx
      mov [0x6104], ecx
      mov [0x6108], esp
      str dx
      mov [0x610c], dx
      mov al, byte ptr [0x835]
      mov [0x6110], al
      mov ebx, 0x7777
      iretd
      nop`, GDT, tasks)
    expect([r.reason, cpu.exit.vector]).toEqual([ExitReason.Exception, 6])
    expect(d(mem, 0x6100)).toBe(0x1234)
    expect(d(mem, 0x6104) & 0x4000).toBe(0x4000) // NT in the called task
    expect(d(mem, 0x6108)).toBe(0x60000)
    expect(d(mem, 0x610c) & 0xffff).toBe(0x30)
    expect(mem.ram[0x6110]).toBe(0x8b) // B busy while running
    expect(mem.view.getUint16(0xb00, true)).toBe(0x28) // back link
    expect(d(mem, 0xa20)).toBe(d(mem, 0x6010)) // A's saved EIP: after the CALL
    expect(d(mem, 0x6000)).toBe(0x5555) // A's EBX restored from its TSS
    expect(d(mem, 0x6004) & 0x4000).toBe(0)
    expect(d(mem, 0x6008) & 8).toBe(8) // CR0.TS
    expect(d(mem, 0xb34)).toBe(0x7777) // B's EBX saved by the IRET
    expect(gdtAccess(mem, 0x30)).toBe(0x89) // IRET cleared B's busy bit
    expect(gdtAccess(mem, 0x28)).toBe(0x8b)
    expect(cpu.getSegment(7).selector).toBe(0x28)
  })
  it('JMP through a task gate: no link, NT clear, the old task is no longer busy', () => {
    const { cpu, mem, r } = run32(`
      ${LTR}
      mov dword ptr [0xb20], offset taskB
      ${farJmp(0x38)}
    taskB:
      pushfd
      pop ecx
      ud2`, GDT, tasks)
    expect([r.reason, cpu.exit.vector]).toEqual([ExitReason.Exception, 6])
    expect(Number(reg(cpu, Reg.RCX)) & 0x4000).toBe(0)
    expect(mem.view.getUint16(0xb00, true)).toBe(0)
    expect([gdtAccess(mem, 0x28), gdtAccess(mem, 0x30)]).toEqual([0x89, 0x8b])
    expect(Number(reg(cpu, Reg.RAX))).toBe(0x1234)
  })
  it('an exception through a task gate pushes its error code on the new task\'s stack', () => {
    const { cpu, mem, r } = run32(`
      ${LTR}
      ${IDT([13])}
      mov dword ptr [0xb20], offset taskB
      mov dword ptr [0x6010], offset bad
      mov ax, 0x63
    bad:
      mov ds, ax
    taskB:
      pop eax
      ud2`, GDT, tasks)
    expect([r.reason, cpu.exit.vector]).toEqual([ExitReason.Exception, 6])
    expect(Number(reg(cpu, Reg.RAX))).toBe(0x60)
    expect(Number(reg(cpu, Reg.RSP))).toBe(0x60000)
    expect(d(mem, 0xa20)).toBe(d(mem, 0x6010)) // a fault saves the faulting EIP
    expect(mem.view.getUint16(0xb00, true)).toBe(0x28)
  })
  it('a double fault handled by a task gate (as 32-bit kernels do)', () => {
    const { cpu, r } = run32(`
      ${LTR}
      ${IDT([8])}
      mov dword ptr [0x3000 + 13 * 8 + 4], 0x0e00   # #GP gate not present -> #NP -> #DF
      mov dword ptr [0xb20], offset taskB
      mov ax, 0x63
      mov ds, ax
    taskB:
      pop eax
      str bx
      ud2`, GDT, tasks)
    expect([r.reason, cpu.exit.vector]).toEqual([ExitReason.Exception, 6])
    expect(Number(reg(cpu, Reg.RAX))).toBe(0)
    expect(Number(reg(cpu, Reg.RBX)) & 0xffff).toBe(0x30)
  })
  it('CALL to a 16-bit TSS and IRET back to the 32-bit task', () => {
    const { cpu, mem, r } = run32(`
      ${LTR}
      mov word ptr [0xc0e], offset taskC
      ${farCall(0x40)}
      mov [0x6000], ebx
      ud2
    taskC:
      mov [0x6100], eax
      mov [0x6104], esp
      iretd`, GDT, (c, m) => { tasks(c, m); c.setReg(Reg.RBX, 0x99n) })
    expect([r.reason, cpu.exit.vector]).toEqual([ExitReason.Exception, 6])
    expect(d(mem, 0x6100) & 0xffff).toBe(0x4321)
    expect(d(mem, 0x6104) & 0xffff).toBe(0x5000)
    expect(mem.view.getUint16(0xc00, true)).toBe(0x28)
    expect(d(mem, 0x6000)).toBe(0x99)
    expect(gdtAccess(mem, 0x40)).toBe(0x81)
  })
  const faults: Array<[string, string, number, number]> = [
    ['JMP to the busy running TSS: #GP(selector)', farJmp(0x28), 13, 0x28],
    ['CALL to a TSS with a limit below 0x67: #TS(selector)', farCall(0x48), 10, 0x48],
    ['a task gate not present: #NP(gate)', farCall(0x50), 11, 0x50],
    ['IRET with NT and a back link to a TSS that is not busy: #TS(link)', 'mov word ptr [0xa00], 0x30\n pushfd\n or dword ptr [esp], 0x4000\n popfd\n iretd', 10, 0x30],
  ]
  for (const [name, insn, vec, code] of faults) {
    it(name, () => {
      const { cpu, r } = run32(`${LTR}\n ${insn}`, GDT, tasks, (1 << vec) | (1 << 6))
      expect([r.reason, cpu.exit.vector, cpu.exit.errorCode]).toEqual([ExitReason.Exception, vec, code])
    })
  }
  it('IA-32e mode: a far JMP to a TSS is #GP(selector), IRET with NT is #GP(0)', () => {
    const a = run64('lea rbx, [rip + p]\n .byte 0xff, 0x2b\n p: .long 0\n .word 0x38', (c) => { c.exceptionBitmap = 1 << 13 })
    expect([a.r.reason, a.cpu.exit.vector, a.cpu.exit.errorCode]).toEqual([ExitReason.Exception, 13, 0x38])
    const b = run64('pushfq\n or qword ptr [rsp], 0x4000\n popfq\n iretq', (c) => { c.exceptionBitmap = 1 << 13 })
    expect([b.r.reason, b.cpu.exit.vector, b.cpu.exit.errorCode]).toEqual([ExitReason.Exception, 13, 0])
  })
})
