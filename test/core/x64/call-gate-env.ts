/**
 * Helpers for protected-mode system tests (call gates, task switches): descriptor
 * encoders, a GDT written from JS, and a 32-bit guest runner that stops at the first
 * exception selected in `exceptionBitmap` (tests end with UD2).
 */
import { assemble, newCpu, enterFlat32, runGuest, type RunResult } from './harness'
import type { X64Cpu } from '../../../core/x64'
import type { GuestMemory } from '../../../core/memory/guest-memory'

export const GDT = 0x800

/** A code/data/system segment descriptor. `access` is byte 5 (P, DPL, S, type), `flags` the G/D/L/AVL nibble. */
export function segDesc(base: number, limit: number, access: number, flags: number): bigint {
  const lo = ((base & 0xffff) << 16 | (limit & 0xffff)) >>> 0
  const hi = ((base & 0xff000000) | ((flags & 0xf) << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff)) >>> 0
  return (BigInt(hi) << 32n) | BigInt(lo)
}

export const CODE0 = segDesc(0, 0xfffff, 0x9a, 0xc)
export const DATA0 = segDesc(0, 0xfffff, 0x92, 0xc)
export const CODE3 = segDesc(0, 0xfffff, 0xfa, 0xc)
export const DATA3 = segDesc(0, 0xfffff, 0xf2, 0xc)
export const CODE64_0 = segDesc(0, 0xfffff, 0x9a, 0xa)
export const CODE64_3 = segDesc(0, 0xfffff, 0xfa, 0xa)
export const tss32Desc = (base: number, limit = 0x67, dpl = 0) => segDesc(base, limit, 0x89 | (dpl << 5), 0)
export const tss16Desc = (base: number, limit = 0x2b) => segDesc(base, limit, 0x81, 0)

/** Write descriptors (8 bytes each; a bigint pair for 16-byte ones) from GDT + 8. */
export function writeGdt(cpu: X64Cpu, mem: GuestMemory, entries: bigint[]): void {
  const v = mem.view
  v.setBigUint64(GDT, 0n, true)
  entries.forEach((d, i) => v.setBigUint64(GDT + 8 + i * 8, d, true))
  cpu.setGdtr({ base: BigInt(GDT), limit: (entries.length + 1) * 8 - 1 })
}

/** GNU-as macro: an 8-byte gate at `at` (absolute) to `handler` via `sel`, access byte `attr`. */
export const GATE_MACRO = `
.macro gate at, handler, sel, attr, params=0
  mov eax, offset \\handler
  mov word ptr [\\at], ax
  mov word ptr [\\at + 2], \\sel
  mov byte ptr [\\at + 4], \\params
  mov byte ptr [\\at + 5], \\attr
  shr eax, 16
  mov word ptr [\\at + 6], ax
.endm
`

/** Far CALL/JMP ptr16:32 and RETF imm16 as bytes (the assembler's spelling varies). */
export const farCall = (sel: number) => `.byte 0x9a\n .long 0\n .word ${sel}`
export const farJmp = (sel: number) => `.byte 0xea\n .long 0\n .word ${sel}`
export const retf = (imm: number) => `.byte 0xca\n .word ${imm}`

/** Run 32-bit code at 0x1000 (CPL 0, flat, paging off) until an exception in `stopOn` exits. */
export function run32(source: string, gdt: bigint[], setup?: (cpu: X64Cpu, mem: GuestMemory) => void, stopOn = 1 << 6): { cpu: X64Cpu; mem: GuestMemory; r: RunResult } {
  const { cpu, mem } = newCpu()
  mem.writeBytes(0x1000, assemble(`${GATE_MACRO}\n${source}\n ud2\n`, 0x1000, 32))
  enterFlat32(cpu, 0x1000)
  writeGdt(cpu, mem, gdt)
  cpu.setReg(4, 0x80000n)
  cpu.exceptionBitmap = stopOn
  setup?.(cpu, mem)
  const r = runGuest(cpu, 100_000)
  return { cpu, mem, r }
}
