import { describe, it, expect } from 'vitest'
import { hasToolchain, run64, reg, runGuest, newCpu, assemble, CODE_BASE } from './harness'
import { ExitReason, Reg, Seg } from '../../../core/x64'
import { HV_MAP_GPA_READABLE, HV_MAP_GPA_ALL } from '../../../core/memory/guest-memory'

/** GNU-as macro that writes a 64-bit IDT gate for `vec` to the IDT at 0x3000. */
const GATE64 = `
.macro gate vec, handler, attr=0x8e
  lea rax, [rip + \\handler]
  mov word ptr [0x3000 + \\vec*16], ax
  mov word ptr [0x3000 + \\vec*16 + 2], 0x08
  mov byte ptr [0x3000 + \\vec*16 + 4], 0
  mov byte ptr [0x3000 + \\vec*16 + 5], \\attr
  shr rax, 16
  mov word ptr [0x3000 + \\vec*16 + 6], ax
  shr rax, 16
  mov dword ptr [0x3000 + \\vec*16 + 8], eax
  mov dword ptr [0x3000 + \\vec*16 + 12], 0
.endm
`
const LIDT = `
  mov word ptr [0x2ff0], 0xfff
  mov qword ptr [0x2ff2], 0x3000
  lidt [0x2ff0]
`

function userTables(cpu: { memory: { view: DataView } }): void {
  const v = cpu.memory.view
  v.setUint32(0x70000, v.getUint32(0x70000, true) | 4, true)
  v.setUint32(0x71000, v.getUint32(0x71000, true) | 4, true)
  for (let i = 0; i < 512; i++) v.setUint32(0x72000 + i * 8, v.getUint32(0x72000 + i * 8, true) | 4, true)
}

describe.skipIf(!hasToolchain())('long-mode events', () => {
  it('INT n through a 64-bit IDT gate and IRETQ back', () => {
    const { cpu, r } = run64(`${GATE64}
      gate 0x80, h80, 0xee
      ${LIDT}
      mov rbx, 0
      mov rdx, rsp
      int 0x80
      mov rsi, rsp
      jmp done
h80:  mov rbx, 0x80
      mov rcx, [rsp + 8]
      mov r8, [rsp + 32]
      iretq
done: nop`)
    expect(r.reason).toBe(ExitReason.Halt)
    expect(reg(cpu, Reg.RBX)).toBe(0x80n)
    expect(reg(cpu, Reg.RCX)).toBe(0x08n) // CS pushed
    expect(reg(cpu, Reg.R8)).toBe(0x10n) // SS pushed
    expect(reg(cpu, Reg.RSI)).toBe(reg(cpu, Reg.RDX))
  })

  it('#PF pushes the error code, sets CR2 and restarts; A/D bits get set', () => {
    const { cpu, r, mem } = run64(`${GATE64}
      gate 14, hpf
      ${LIDT}
      mov rax, 0x400123
      mov qword ptr [rax], 7
      mov r9, [rax]
      jmp done
hpf:  mov r12, cr2
      pop r13
      mov r11, 0x70000 + 0x2000 + 2*8
      mov qword ptr [r11], 0x74003
      invlpg [0x400123]
      iretq
done: nop`, (c, m) => {
      // PDE 2 -> page table at 0x74000 with a not-present entry for 0x400000
      m.ram.fill(0, 0x74000, 0x75000)
      m.view.setUint32(0x74000, 0x200003, true) // later made reachable by the handler
      m.view.setUint32(0x72000 + 2 * 8, 0, true)
      void c
    })
    expect(r.reason).toBe(ExitReason.Halt)
    expect(reg(cpu, Reg.R12)).toBe(0x400123n)
    expect(reg(cpu, Reg.R13)).toBe(2n) // not present, write, supervisor
    expect(reg(cpu, Reg.R9)).toBe(7n)
    expect(mem.view.getUint32(0x200123, true)).toBe(7)
    expect(mem.view.getUint32(0x74000, true) & 0x60).toBe(0x60) // accessed + dirty
  })

  it('write to a read-only page with CR0.WP and NX fetch both #PF with the right bits', () => {
    const wp = run64('mov rax, 0x600000\nmov byte ptr [rax], 1', (c, m) => {
      m.view.setUint32(0x72000 + 3 * 8, 0x600081, true) // present, read-only, 2M
      c.setCr(0, 0x80010011n) // CR0.WP
      c.exceptionBitmap = 1 << 14
    })
    expect(wp.r.reason).toBe(ExitReason.Exception)
    expect(wp.cpu.exit.errorCode).toBe(3)
    expect(wp.cpu.getCr(2)).toBe(0x600000n)
    const nx = run64('mov rax, 0x600000\njmp rax', (c, m) => {
      m.view.setUint32(0x72000 + 3 * 8, 0x600083, true)
      m.view.setUint32(0x72000 + 3 * 8 + 4, 0x80000000, true)
      c.setEfer(0xd00n) // NXE
      c.exceptionBitmap = 1 << 14
    })
    expect(nx.r.reason).toBe(ExitReason.Exception)
    expect(nx.cpu.exit.errorCode).toBe(0x11)
    expect(nx.cpu.getRip()).toBe(0x600000n)
    const rsvd = run64('mov rax, 0x600000\njmp rax', (c, m) => {
      m.view.setUint32(0x72000 + 3 * 8, 0x600083, true)
      m.view.setUint32(0x72000 + 3 * 8 + 4, 0x80000000, true)
      c.exceptionBitmap = 1 << 14
    })
    expect(rsvd.cpu.exit.errorCode).toBe(9) // XD set while EFER.NXE=0: reserved-bit violation
  })

  it('SYSRET to CPL 3 and SYSCALL back, with STAR selectors and RCX/R11', () => {
    const { cpu, r } = run64(`
      mov ecx, 0xc0000080
      rdmsr
      or eax, 1
      wrmsr
      mov ecx, 0xc0000081
      mov eax, 0
      mov edx, 0x00200008
      wrmsr
      mov ecx, 0xc0000082
      lea rax, [rip + kentry]
      mov rdx, rax
      shr rdx, 32
      wrmsr
      mov ecx, 0xc0000084
      mov eax, 0x200
      xor edx, edx
      wrmsr
      lea rcx, [rip + user]
      mov r11, 0x202
      sysretq
user: mov r14, cs
      mov r15, ss
      mov rsp, 0x60000
      syscall
kentry:
      mov r12, rcx
      mov r13, cs
      pushfq
      pop r10
      jmp done
done: nop`, (c) => userTables(c))
    expect(r.reason).toBe(ExitReason.Halt)
    expect(reg(cpu, Reg.R14)).toBe(0x33n)
    expect(reg(cpu, Reg.R15)).toBe(0x2bn)
    expect(reg(cpu, Reg.R13)).toBe(0x08n)
    expect(reg(cpu, Reg.R11) & 0x200n).toBe(0x200n)
    expect(reg(cpu, Reg.R10) & 0x200n).toBe(0n) // SFMASK cleared IF
    expect(cpu.getSegment(Seg.SS).selector).toBe(0x10)
  })

  it('an interrupt from CPL 3 switches to the TSS RSP0 stack; HLT at CPL 3 is #GP', () => {
    const { cpu, r, mem } = run64(`${GATE64}
      gate 0x40, h40, 0xee
      gate 13, hgp
      ${LIDT}
      mov qword ptr [0xa04], 0x50000
      push 0x2b
      push 0x68000
      push 0x202
      push 0x33
      lea rax, [rip + user]
      push rax
      iretq
user: int 0x40
      hlt
h40:  mov r8, rsp
      mov r9, [rsp + 24]
      iretq
hgp:  mov r10, [rsp]
      mov r11, [rsp + 8]
      mov r12, [rsp + 16]
      jmp done
done: nop`, (c) => userTables(c))
    void mem
    expect(r.reason).toBe(ExitReason.Halt)
    expect(reg(cpu, Reg.R8)).toBe(0x50000n - 40n)
    expect(reg(cpu, Reg.R9)).toBe(0x68000n)
    expect(reg(cpu, Reg.R10)).toBe(0n) // #GP(0)
    expect(reg(cpu, Reg.R12)).toBe(0x33n)
  })

  it('triple fault when the IDT cannot deliver anything', () => {
    const { r } = run64('mov word ptr [0x2ff0], 0\nlidt [0x2ff0]\nud2')
    expect(r.reason).toBe(ExitReason.TripleFault)
  })

  it('interrupt window after STI + one instruction, then deliverInterrupt', () => {
    const { cpu, mem } = newCpu()
    const code = assemble(`${GATE64}
      gate 0x41, h41
      ${LIDT}
      mov rbx, 0
      sti
      mov rcx, 1
      mov rcx, 2
1:    jmp 1b
h41:  mov rbx, 0x41
      hlt`, CODE_BASE, 64)
    mem.writeBytes(CODE_BASE, code)
    const { enterLong64, installGdt } = harnessFns
    enterLong64(cpu, mem, CODE_BASE)
    installGdt(mem, cpu)
    cpu.setReg(Reg.RSP, 0x80000n)
    cpu.interruptWindowRequested = true
    expect(cpu.run(10_000)).toBe(ExitReason.InterruptWindow)
    expect(reg(cpu, Reg.RCX)).toBe(1n) // the instruction after STI ran
    expect(cpu.canTakeInterrupt()).toBe(true)
    cpu.interruptWindowRequested = false
    cpu.deliverInterrupt(0x41)
    expect(cpu.run(10_000)).toBe(ExitReason.Halt)
    expect(reg(cpu, Reg.RBX)).toBe(0x41n)
  })
})

import * as harnessFns from './harness'

describe.skipIf(!hasToolchain())('exits and memory', () => {
  it('IN/OUT and REP INSB/OUTSB exit one element at a time', () => {
    const { cpu, mem } = newCpu()
    mem.writeBytes(CODE_BASE, assemble(`
      mov dx, 0x3f8
      mov al, 0x41
      out dx, al
      mov dx, 0x60
      in al, dx
      mov bl, al
      mov rsi, 0x20000
      mov dword ptr [rsi], 0x44434241
      mov dx, 0x3f8
      mov rcx, 4
      rep outsb
      mov rdi, 0x21000
      mov dx, 0x60
      mov rcx, 3
      rep insb
      hlt`, CODE_BASE, 64))
    harnessFns.enterLong64(cpu, mem, CODE_BASE)
    let n = 0
    const r = runGuest(cpu, 10_000, (port) => (port === 0x60 ? 0x10 + n++ : 0xff))
    expect(r.reason).toBe(ExitReason.Halt)
    expect(r.serial).toBe('AABCD')
    expect(reg(cpu, Reg.RBX) & 0xffn).toBe(0x10n)
    expect([...mem.readBytes(0x21000, 3)]).toEqual([0x11, 0x12, 0x13])
    expect(reg(cpu, Reg.RCX)).toBe(0n)
  })

  it('unmapped and write-protected GPAs exit with MemoryAccess before the instruction executes', () => {
    const { cpu, mem } = newCpu()
    mem.writeBytes(CODE_BASE, assemble(`
      mov rax, 0x3000000
      mov rbx, [rax]
      mov rcx, 0x30000
      mov qword ptr [rcx], 5
      hlt`, CODE_BASE, 64))
    harnessFns.enterLong64(cpu, mem, CODE_BASE)
    mem.setAccess(0x30, 1, HV_MAP_GPA_READABLE)
    expect(cpu.run(100)).toBe(ExitReason.MemoryAccess)
    expect(cpu.exit.gpa).toBe(0x3000000)
    expect(cpu.exit.accessType).toBe(0)
    expect(cpu.memory.ram[Number(cpu.getRip())]).toBe(0x48) // still at mov rbx,[rax]
    cpu.setRip(cpu.getRip() + 3n)
    expect(cpu.run(100)).toBe(ExitReason.MemoryAccess)
    expect(cpu.exit.gpa).toBe(0x30000)
    expect(cpu.exit.accessType).toBe(1)
    mem.setAccess(0x30, 1, HV_MAP_GPA_ALL)
    expect(cpu.run(100)).toBe(ExitReason.Halt)
    expect(mem.view.getUint32(0x30000, true)).toBe(5)
  })

  it('MMIO ranges are accessed synchronously; 8-byte accesses split in two', () => {
    const { cpu, mem } = newCpu()
    const log: string[] = []
    mem.addMmio('dev', 0x1000000, 0x1000, {
      read: (off, size) => { log.push(`r${off}:${size}`); return 0x11223344 },
      write: (off, size, v) => { log.push(`w${off}:${size}=${v.toString(16)}`) },
    })
    mem.writeBytes(CODE_BASE, assemble(`
      mov rax, 0x1000000
      mov dword ptr [rax + 8], 0xcafe
      mov rbx, [rax + 16]
      mov cx, [rax]
      hlt`, CODE_BASE, 64))
    harnessFns.enterLong64(cpu, mem, CODE_BASE)
    expect(cpu.run(100)).toBe(ExitReason.Halt)
    expect(log).toEqual(['w8:4=cafe', 'r16:4', 'r20:4', 'r0:2'])
    expect(reg(cpu, Reg.RBX)).toBe(0x1122334411223344n)
    expect(reg(cpu, Reg.RCX) & 0xffffn).toBe(0x3344n)
  })

  it('self-modifying code executes the new bytes', () => {
    const { cpu } = run64(`
      lea rax, [rip + patch]
      mov byte ptr [rax + 1], 0x2a
patch: mov bl, 0
      movzx r8, bl`)
    expect(reg(cpu, Reg.R8)).toBe(0x2an)
  })

  it('CPUID, RDMSR of a foreign MSR and VMCALL exit with instruction lengths', () => {
    const { cpu, mem } = newCpu()
    mem.writeBytes(CODE_BASE, assemble('mov eax, 1\ncpuid\nmov ecx, 0x40000001\nrdmsr\nvmcall\nhlt', CODE_BASE, 64))
    harnessFns.enterLong64(cpu, mem, CODE_BASE)
    expect(cpu.run(100)).toBe(ExitReason.Cpuid)
    expect(cpu.exit.leaf).toBe(1)
    expect(cpu.exit.instructionLength).toBe(2)
    expect([...cpu.exit.instructionBytes.slice(0, 2)]).toEqual([0x0f, 0xa2])
    cpu.completeCpuid(1, 2, 3, 4)
    expect(reg(cpu, Reg.RDX)).toBe(4n)
    expect(cpu.run(100)).toBe(ExitReason.MsrRead)
    expect(cpu.exit.msr).toBe(0x40000001)
    cpu.completeMsrRead(0x55, 0x66)
    expect(reg(cpu, Reg.RAX)).toBe(0x55n)
    expect(cpu.run(100)).toBe(ExitReason.Vmcall)
    expect(cpu.exit.instructionLength).toBe(3)
    cpu.completeInstruction()
    expect(cpu.run(100)).toBe(ExitReason.Halt)
  })

  it('owned MSRs round-trip through WRMSR/RDMSR and readMsr', () => {
    const { cpu } = run64(`
      mov ecx, 0xc0000100
      mov eax, 0x1000
      mov edx, 0xffff8000
      wrmsr
      mov ecx, 0xc0000102
      mov eax, 0x2000
      xor edx, edx
      wrmsr
      swapgs
      mov ecx, 0xc0000101
      rdmsr
      mov r8, rax
      mov rax, qword ptr fs:[0]`)
    expect(cpu.readMsr(0xc0000100)).toBe(0xffff800000001000n)
    expect(reg(cpu, Reg.R8)).toBe(0x2000n)
    expect(cpu.readMsr(0x1b)).toBeUndefined()
  })

  it('speculation controls: CPUID 7 EDX, IA32_ARCH_CAPABILITIES immunity bits, SPEC_CTRL/PRED_CMD checks', () => {
    // #GP handler: count in r15, skip the 2-byte RDMSR/WRMSR
    const { cpu, r } = run64(`${GATE64}
      gate 13, hgp
      ${LIDT}
      xor r15, r15
      mov eax, 7
      xor ecx, ecx
      cpuid
      mov r8, rdx
      mov ecx, 0x10a
      rdmsr
      mov r9, rdx
      shl r9, 32
      or r9, rax
      wrmsr
      mov ecx, 0x48
      mov eax, 5
      xor edx, edx
      wrmsr
      xor eax, eax
      rdmsr
      mov r10, rax
      mov eax, 8
      wrmsr
      mov ecx, 0x49
      mov eax, 1
      wrmsr
      rdmsr
      jmp done
    hgp:
      inc r15
      add rsp, 8
      add qword ptr [rsp], 2
      iretq
    done:`)
    expect(r.reason).toBe(ExitReason.Halt)
    const edx = Number(reg(cpu, Reg.R8))
    for (const bit of [26, 27, 29, 31]) expect((edx >>> bit) & 1).toBe(1)
    const cap = reg(cpu, Reg.R9)
    // RDCL_NO, IBRS_ALL, SSB_NO, MDS_NO, IF_PSCHANGE_MC_NO, TAA_NO, BHI_NO, GDS_NO, RFDS_NO, ITS_NO; never RSBA (2) or TSX_CTRL (7)
    for (const bit of [0, 1, 4, 5, 6, 8, 20, 26, 27, 62]) expect((cap >> BigInt(bit)) & 1n).toBe(1n)
    for (const bit of [2, 7]) expect((cap >> BigInt(bit)) & 1n).toBe(0n)
    expect(reg(cpu, Reg.R10)).toBe(5n)
    // faults: WRMSR ARCH_CAPABILITIES, SPEC_CTRL reserved bit 3, RDMSR PRED_CMD
    expect(reg(cpu, Reg.R15)).toBe(3n)
    expect(cpu.readMsr(0x48)).toBe(5n)
    expect(cpu.readMsr(0x49)).toBeUndefined()
  })
})
