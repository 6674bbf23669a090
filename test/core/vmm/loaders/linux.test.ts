import { describe, expect, it } from 'vitest'
import { GuestMemory } from '../../../../core/memory/guest-memory'
import { loadKernel } from '../../../../core/vmm/loaders/load-kernel'
import { BootParams } from '../../../../core/vmm/loaders/linux'
import { Reg, Seg } from '../../../../core/x64/api'

const MB = 1 << 20

interface Opts { version?: number; xloadflags?: number; setupSects?: number; initSize?: number; cmdlineSize?: number; initrdAddrMax?: number; pmBytes?: number }

/** A tiny bzImage-like file: boot sector + setup sectors with a setup header, then a protected-mode "kernel". */
function bzImage(o: Opts = {}): Uint8Array {
  const setupSects = o.setupSects ?? 2
  const pm = o.pmBytes ?? 0x600
  const img = new Uint8Array((setupSects + 1) * 512 + pm)
  const v = new DataView(img.buffer)
  img[BootParams.setup_sects] = setupSects
  v.setUint16(BootParams.boot_flag, 0xaa55, true)
  img[0x200] = 0xeb
  img[0x201] = 0x6a // header ends at 0x26c
  v.setUint32(BootParams.header, 0x53726448, true)
  v.setUint16(BootParams.version, o.version ?? 0x020f, true)
  img[BootParams.loadflags] = 0x01
  v.setUint32(BootParams.code32_start, 0x100000, true)
  v.setUint32(BootParams.initrd_addr_max, o.initrdAddrMax ?? 0x7fffffff, true)
  v.setUint32(BootParams.kernel_alignment, 0x200000, true)
  img[BootParams.relocatable_kernel] = 1
  v.setUint16(BootParams.xloadflags, o.xloadflags ?? 0x1, true)
  v.setUint32(BootParams.cmdline_size, o.cmdlineSize ?? 2047, true)
  v.setUint32(BootParams.init_size, o.initSize ?? 0x400000, true)
  v.setUint16(0x268, 0x1234, true) // kernel_info_offset: last header field, must be copied
  const pmStart = (setupSects + 1) * 512
  for (let i = 0; i < pm; i++) img[pmStart + i] = (i * 7 + 1) & 0xff
  return img
}

const u32 = (m: GuestMemory, a: number) => m.view.getUint32(a, true)

describe('Linux boot protocol (bzImage)', () => {
  it('loads the protected-mode kernel at 1 MiB and fills boot_params', () => {
    const mem = new GuestMemory(64 * MB)
    const img = bzImage()
    const initrd = Uint8Array.from({ length: 10000 }, (_, i) => i & 0xff)
    const s = loadKernel(mem, img, { memoryBytes: 64 * MB, cmdline: 'console=ttyS0 panic=-1', initrd })
    expect(s.format).toBe('linux')
    expect(mem.readBytes(0x100000, 0x600)).toEqual(img.subarray(3 * 512))
    const bp = Number(s.gprs[Reg.RSI])
    expect(bp % 16).toBe(0)
    const hdr = (off: number) => bp + off
    expect(mem.view.getUint16(hdr(BootParams.boot_flag), true)).toBe(0xaa55)
    expect(u32(mem, hdr(BootParams.header))).toBe(0x53726448)
    expect(mem.view.getUint16(hdr(0x268), true)).toBe(0x1234)
    expect(mem.ram[hdr(BootParams.type_of_loader)]).toBe(0xff)
    expect(mem.ram[hdr(BootParams.loadflags)] & 0x81).toBe(0x81)
    expect(mem.view.getUint16(hdr(BootParams.heap_end_ptr), true)).not.toBe(0)
    // Command line
    let a = u32(mem, hdr(BootParams.cmd_line_ptr))
    let cmd = ''
    while (mem.ram[a]) cmd += String.fromCharCode(mem.ram[a++])
    expect(cmd).toBe('console=ttyS0 panic=-1')
    // initrd high, page aligned, above the kernel's init_size, within initrd_addr_max and RAM
    const rd = u32(mem, hdr(BootParams.ramdisk_image))
    expect(u32(mem, hdr(BootParams.ramdisk_size))).toBe(10000)
    expect(rd % 4096).toBe(0)
    expect(rd + 10000).toBeLessThanOrEqual(64 * MB)
    expect(rd).toBeGreaterThan(64 * MB - 2 * 10000 - 4096)
    expect(mem.readBytes(rd, 10000)).toEqual(initrd)
    // e820
    const n = mem.ram[hdr(BootParams.e820_entries)]
    const ram: Array<[number, number]> = []
    for (let i = 0; i < n; i++) {
      const e = hdr(BootParams.e820_table) + i * 20
      if (u32(mem, e + 16) === 1) ram.push([Number(mem.view.getBigUint64(e, true)), Number(mem.view.getBigUint64(e + 8, true))])
    }
    expect(ram).toEqual([[0, 0x9fc00], [0x100000, 63 * MB]])
  })

  it('enters the 64-bit entry in long mode with identity paging over 4 GiB and the boot GDT', () => {
    const mem = new GuestMemory(64 * MB)
    const s = loadKernel(mem, bzImage(), { memoryBytes: 64 * MB })
    expect(s.mode).toBe('long64')
    expect(s.rip).toBe(0x100200n)
    expect(s.cr0 & 0x80000001n).toBe(0x80000001n)
    expect(s.cr4 & 0x20n).toBe(0x20n)
    expect(s.efer & 0x500n).toBe(0x500n)
    expect(s.rflags).toBe(2n)
    expect(s.segments[Seg.CS].selector).toBe(0x10)
    expect(s.segments[Seg.CS].attributes & 0x2000).toBe(0x2000) // L
    expect(s.segments[Seg.CS].attributes & 0x4000).toBe(0) // D must be 0 with L
    expect(s.segments[Seg.DS].selector).toBe(0x18)
    expect(s.segments[Seg.SS].selector).toBe(0x18)
    const gdt = Number(s.gdtr.base)
    expect(s.gdtr.limit).toBeGreaterThanOrEqual(0x1f)
    const code = mem.view.getBigUint64(gdt + 0x10, true)
    expect((code >> 53n) & 1n).toBe(1n) // L bit in the descriptor
    // Walk the page tables for a few addresses, as the MMU would.
    const translate = (va: number): number => {
      const cr3 = Number(s.cr3)
      const pml4e = mem.view.getBigUint64(cr3 + ((va / 2 ** 39) & 511) * 8, true)
      expect(pml4e & 1n).toBe(1n)
      const pdpte = mem.view.getBigUint64(Number(pml4e & ~0xfffn) + (Math.floor(va / 2 ** 30) & 511) * 8, true)
      expect(pdpte & 1n).toBe(1n)
      const pde = mem.view.getBigUint64(Number(pdpte & ~0xfffn) + (Math.floor(va / 2 ** 21) & 511) * 8, true)
      expect(pde & 0x83n).toBe(0x83n)
      return Number(pde & ~0x1fffffn) + (va % 2 ** 21)
    }
    for (const va of [0, 0x100200, 0x7000, 0x3fffffff, 0x40000000, 0xfec00000, 0xffffffff]) expect(translate(va)).toBe(va)
  })

  it('uses the 32-bit entry when the kernel has no 64-bit entry', () => {
    const mem = new GuestMemory(16 * MB)
    const s = loadKernel(mem, bzImage({ xloadflags: 0 }), { memoryBytes: 16 * MB })
    expect(s.mode).toBe('protected32')
    expect(s.rip).toBe(0x100000n)
    expect(s.gprs[Reg.RSI]).toBe(0x7000n)
    expect(s.segments[Seg.CS].selector).toBe(0x10)
    expect(s.cr0 & 0x80000000n).toBe(0n)
  })

  it('reports malformed or unfitting kernels clearly', () => {
    const mem = new GuestMemory(8 * MB)
    const o = { memoryBytes: 8 * MB }
    expect(() => loadKernel(mem, bzImage({ version: 0x0204 }), o)).toThrow(/2\.04 is too old/)
    expect(() => loadKernel(mem, bzImage().subarray(0, 0x300), o)).toThrow(/truncated/)
    expect(() => loadKernel(mem, bzImage({ initSize: 16 * MB }), o)).toThrow(/init_size/)
    expect(() => loadKernel(mem, bzImage({ cmdlineSize: 5 }), { ...o, cmdline: 'console=ttyS0' })).toThrow(/at most 5/)
    expect(() => loadKernel(mem, bzImage(), { ...o, initrd: new Uint8Array(5 * MB) })).toThrow(/initrd/)
    expect(() => loadKernel(mem, bzImage(), { memoryBytes: 16 * MB })).toThrow(/memoryBytes/)
  })

  it('honours initrd_addr_max', () => {
    const mem = new GuestMemory(64 * MB)
    const s = loadKernel(mem, bzImage({ initrdAddrMax: 0x00ffffff }), { memoryBytes: 64 * MB, initrd: new Uint8Array(0x3000) })
    const rd = u32(mem, Number(s.gprs[Reg.RSI]) + BootParams.ramdisk_image)
    expect(rd).toBe(0x1000000 - 0x3000)
  })
})
