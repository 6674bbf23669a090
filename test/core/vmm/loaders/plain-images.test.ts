import { describe, expect, it } from 'vitest'
import { GuestMemory } from '../../../../core/memory/guest-memory'
import { detectKernelFormat, loadKernel } from '../../../../core/vmm/loaders/load-kernel'
import { KernelLoadError } from '../../../../core/vmm/loaders/image-reader'
import { Seg } from '../../../../core/x64/api'
import { buildElf } from './build-guest'

const MB = 1 << 20
// A higher-half ELF64: linked at 0xffffffff80200000, loaded (p_paddr) at 0x200000.
const HIGH = `.text
.globl _start
nop
_start:
  hlt
`
const HIGH_LD = `ENTRY(_start)
SECTIONS { . = 0xffffffff80200000; .text : AT(0x200000) { *(.text) } }`

describe('plain ELF and flat images', () => {
  it('loads an ELF64 at its physical addresses and enters long mode at the physical entry', () => {
    const img = buildElf(HIGH, HIGH_LD, 64)
    expect(detectKernelFormat(img)).toBe('elf')
    const mem = new GuestMemory(8 * MB)
    const s = loadKernel(mem, img, { memoryBytes: 8 * MB })
    expect(s.format).toBe('elf64')
    expect(s.mode).toBe('long64')
    expect(s.rip).toBe(0x200001n)
    expect(mem.ram[0x200001]).toBe(0xf4)
    expect(s.efer & 0x400n).toBe(0x400n)
  })

  it('loads an ELF32 in protected mode', () => {
    const img = buildElf(HIGH, `ENTRY(_start) SECTIONS { . = 0x300000; .text : { *(.text) } }`, 32)
    const mem = new GuestMemory(8 * MB)
    const s = loadKernel(mem, img, { memoryBytes: 8 * MB })
    expect(s.format).toBe('elf32')
    expect(s.rip).toBe(0x300001n)
    expect(s.segments[Seg.CS].attributes & 0x4000).toBe(0x4000)
  })

  it('loads a flat binary at 1 MiB in 32-bit protected mode', () => {
    const mem = new GuestMemory(4 * MB)
    const s = loadKernel(mem, Uint8Array.of(0xb0, 0x41, 0xe6, 0xf4), { memoryBytes: 4 * MB })
    expect(s.format).toBe('flat')
    expect(s.rip).toBe(0x100000n)
    expect(mem.readBytes(0x100000, 4)).toEqual(Uint8Array.of(0xb0, 0x41, 0xe6, 0xf4))
    expect(s.cr0 & 1n).toBe(1n)
  })

  it('rejects broken ELF files and oversize flat images', () => {
    const mem = new GuestMemory(2 * MB)
    const img = buildElf(HIGH, HIGH_LD, 64)
    const badMachine = img.slice()
    badMachine[18] = 40 // EM_ARM
    expect(() => loadKernel(mem, badMachine, { memoryBytes: 2 * MB })).toThrow(/not x86/)
    expect(() => loadKernel(mem, img.subarray(0, 40), { memoryBytes: 2 * MB })).toThrow(KernelLoadError)
    expect(() => loadKernel(mem, img, { memoryBytes: 2 * MB })).toThrow(/outside guest RAM/)
    expect(() => loadKernel(mem, new Uint8Array(2 * MB), { memoryBytes: 2 * MB })).toThrow(/outside guest RAM/)
    expect(() => loadKernel(mem, new Uint8Array(0), { memoryBytes: 2 * MB })).toThrow(/empty/)
  })
})
