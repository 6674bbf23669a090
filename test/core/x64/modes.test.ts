import { describe, it, expect } from 'vitest'
import { hasToolchain, runGuest, newCpu, assemble, enterFlat32, installGdt } from './harness'
import { ExitReason, Reg, Seg } from '../../../core/x64'

function realModeCpu(source: string) {
  const { cpu, mem } = newCpu()
  mem.writeBytes(0x7c00, assemble(source, 0x7c00, 16))
  installGdt(mem, cpu) // descriptor table contents at 0x800 (the guest loads GDTR itself)
  cpu.reset()
  cpu.setSegment(Seg.CS, { base: 0n, limit: 0xffff, selector: 0, attributes: 0x9b })
  cpu.setRip(0x7c00n)
  return { cpu, mem }
}

describe.skipIf(!hasToolchain())('real mode and 16-bit code', () => {
  it('runs 16-bit code: addressing modes, IVT interrupts, segment arithmetic, 32-bit operands', () => {
    const { cpu, mem } = realModeCpu(`
      xor ax, ax
      mov ds, ax
      mov ss, ax
      mov sp, 0x7000
      mov word ptr [0x21*4], offset h21
      mov word ptr [0x21*4+2], 0
      mov bx, 0x1000
      mov si, 0x20
      mov byte ptr [bx+si+4], 0x77
      mov cl, [bx+si+4]
      int 0x21
      mov ax, 0x2000
      mov es, ax
      mov word ptr es:[0x10], 0x1234
      mov dx, es:[0x10]
      mov eax, 0x12345678
      add eax, eax
      mov edi, eax
      mov bp, 0x6ff0
      mov word ptr [bp], 0xabcd
      mov si, [bp]
      hlt
h21:  mov bx, 0x21
      iret`)
    const r = runGuest(cpu, 10_000)
    expect(r.reason).toBe(ExitReason.Halt)
    expect(cpu.getReg(Reg.RCX) & 0xffn).toBe(0x77n)
    expect(cpu.getReg(Reg.RBX) & 0xffffn).toBe(0x21n)
    expect(mem.view.getUint16(0x20010, true)).toBe(0x1234)
    expect(cpu.getReg(Reg.RDX) & 0xffffn).toBe(0x1234n)
    expect(cpu.getReg(Reg.RDI)).toBe(0x2468acf0n)
    expect(cpu.getReg(Reg.RSI) & 0xffffn).toBe(0xabcdn)
    expect(cpu.getReg(Reg.RSP)).toBe(0x7000n)
  })

  it('switches from real mode to 32-bit protected mode with LGDT, CR0.PE and a far jump', () => {
    const { cpu } = realModeCpu(`
      cli
      lgdt [gdtr]
      mov eax, cr0
      or al, 1
      mov cr0, eax
      .byte 0x66, 0xea
      .long pm32
      .word 0x18
gdtr: .word 9*8-1
      .long 0x800
.code32
pm32: mov ax, 0x10
      mov ds, ax
      mov ss, ax
      mov esp, 0x90000
      mov edi, 0xdeadbeef
      push 5
      pop esi
      hlt`)
    const r = runGuest(cpu, 10_000)
    expect(r.reason).toBe(ExitReason.Halt)
    expect(cpu.getSegment(Seg.CS).selector).toBe(0x18)
    expect(cpu.getSegment(Seg.SS).attributes & 0x4000).toBe(0x4000)
    expect(cpu.getReg(Reg.RDI)).toBe(0xdeadbeefn)
    expect(cpu.getReg(Reg.RSI)).toBe(5n)
    expect(cpu.getReg(Reg.RSP)).toBe(0x90000n)
  })
})

function prot32(source: string) {
  const { cpu, mem } = newCpu()
  mem.writeBytes(0x1000, assemble(source, 0x1000, 32))
  installGdt(mem, cpu)
  enterFlat32(cpu, 0x1000)
  cpu.setSegment(Seg.CS, { base: 0n, limit: 0xffffffff, selector: 0x18, attributes: 0xc09b })
  cpu.setReg(Reg.RSP, 0x90000n)
  return { cpu, mem }
}

describe.skipIf(!hasToolchain())('32-bit protected mode', () => {
  it('BCD adjusts DAA/DAS/AAM/AAD and PUSHA/POPA', () => {
    const { cpu } = prot32(`
      mov al, 0x19
      add al, 0x28
      daa
      mov bl, al
      mov al, 0x42
      sub al, 0x15
      das
      mov cl, al
      mov al, 79
      aam
      mov dx, ax
      mov ax, 0x0708
      aad
      mov esi, 0x11
      mov edi, 0x22
      pusha
      xor esi, esi
      xor edi, edi
      popa
      hlt`)
    const r = runGuest(cpu, 1000)
    expect(r.reason).toBe(ExitReason.Halt)
    expect(cpu.getReg(Reg.RBX) & 0xffn).toBe(0x47n)
    expect(cpu.getReg(Reg.RCX) & 0xffn).toBe(0x27n)
    expect(cpu.getReg(Reg.RDX) & 0xffffn).toBe(0x0709n)
    expect(cpu.getReg(Reg.RAX) & 0xffffn).toBe(78n)
    expect(cpu.getReg(Reg.RSI)).toBe(0x11n)
    expect(cpu.getReg(Reg.RDI)).toBe(0x22n)
  })

  it('32-bit paging with 4 MiB and 4 KiB pages', () => {
    const { cpu, mem } = prot32(`
      mov edi, 0x40000
      mov dword ptr [edi], 0x00000083
      mov dword ptr [edi + 8], 0x00041003
      mov dword ptr [0x41000], 0x00300003
      mov eax, 0x40000
      mov cr3, eax
      mov eax, cr4
      or eax, 0x10
      mov cr4, eax
      mov eax, cr0
      or eax, 0x80000000
      mov cr0, eax
      mov dword ptr [0x800010], 0x55aa
      mov ebx, [0x800010]
      hlt`)
    const r = runGuest(cpu, 10_000)
    expect(r.reason).toBe(ExitReason.Halt)
    expect(mem.view.getUint32(0x300010, true)).toBe(0x55aa)
    expect(cpu.getReg(Reg.RBX)).toBe(0x55aan)
    expect(mem.view.getUint32(0x41000, true) & 0x60).toBe(0x60)
  })

  it('PAE paging with 2 MiB pages and a 4 KiB page', () => {
    const { cpu, mem } = prot32(`
      mov dword ptr [0x40000], 0x41001
      mov dword ptr [0x41000], 0x00000083
      mov dword ptr [0x41008], 0x42003
      mov dword ptr [0x42000 + 5*8], 0x00305003
      mov eax, 0x40000
      mov cr3, eax
      mov eax, cr4
      or eax, 0x20
      mov cr4, eax
      mov eax, cr0
      or eax, 0x80000000
      mov cr0, eax
      mov dword ptr [0x205004], 0x1234
      mov ecx, [0x205004]
      hlt`)
    const r = runGuest(cpu, 10_000)
    expect(r.reason).toBe(ExitReason.Halt)
    expect(mem.view.getUint32(0x305004, true)).toBe(0x1234)
    expect(cpu.getReg(Reg.RCX)).toBe(0x1234n)
  })

  it('INT through a 32-bit interrupt gate and IRETD; #GP(selector) on a bad segment load', () => {
    const { cpu } = prot32(`
      mov eax, offset h30
      mov word ptr [0x3000 + 0x30*8], ax
      mov word ptr [0x3000 + 0x30*8 + 2], 0x18
      mov word ptr [0x3000 + 0x30*8 + 4], 0x8e00
      shr eax, 16
      mov word ptr [0x3000 + 0x30*8 + 6], ax
      mov eax, offset hgp
      mov word ptr [0x3000 + 13*8], ax
      mov word ptr [0x3000 + 13*8 + 2], 0x18
      mov word ptr [0x3000 + 13*8 + 4], 0x8e00
      shr eax, 16
      mov word ptr [0x3000 + 13*8 + 6], ax
      mov word ptr [0x2ff0], 0x7ff
      mov dword ptr [0x2ff2], 0x3000
      lidt [0x2ff0]
      int 0x30
      mov ax, 0x18
      mov ds, ax
      mov ax, 0x38
      mov es, ax
      hlt
h30:  mov ebx, [esp + 4]
      mov ecx, 0x30
      iretd
hgp:  pop edx
      hlt`)
    const r = runGuest(cpu, 10_000)
    expect(r.reason).toBe(ExitReason.Halt)
    expect(cpu.getReg(Reg.RBX)).toBe(0x18n)
    expect(cpu.getReg(Reg.RCX)).toBe(0x30n)
    expect(cpu.getSegment(Seg.DS).selector).toBe(0x18) // readable code may be loaded into DS
    expect(cpu.getReg(Reg.RDX)).toBe(0x38n) // #GP(selector): a TSS descriptor is not a data segment
    expect(cpu.getSegment(Seg.ES).selector).toBe(0x10)
  })
})
