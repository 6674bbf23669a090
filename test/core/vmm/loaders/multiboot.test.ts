import { describe, expect, it } from 'vitest'
import { GuestMemory } from '../../../../core/memory/guest-memory'
import { loadKernel } from '../../../../core/vmm/loaders/load-kernel'
import { MultibootInfo, MultibootInfoFlag } from '../../../../core/vmm/loaders/multiboot'
import { KernelLoadError } from '../../../../core/vmm/loaders/image-reader'
import { Reg, Seg } from '../../../../core/x64/api'
import { buildElf } from './build-guest'

const MB = 1 << 20
const GUEST = `
.section .multiboot, "a"
.align 4
.long 0x1BADB002
.long 0x00000003
.long -(0x1BADB002 + 0x00000003)
.text
.globl _start
_start:
  mov $0x3f8, %dx
  hlt
.data
.ascii "DATAMARK"
.bss
.space 8192
`
const LINK = `ENTRY(_start)
SECTIONS { . = 0x100000; .text : { *(.multiboot) *(.text) } .data : { *(.data) } .bss : { *(.bss) } }`

function u32(m: GuestMemory, a: number) { return m.view.getUint32(a, true) }
function cstr(m: GuestMemory, a: number) {
  let s = ''
  while (m.ram[a]) s += String.fromCharCode(m.ram[a++])
  return s
}
function findBytes(m: GuestMemory, from: number, to: number, needle: string) {
  outer: for (let a = from; a < to; a++) {
    for (let i = 0; i < needle.length; i++) if (m.ram[a + i] !== needle.charCodeAt(i)) continue outer
    return a
  }
  return -1
}

describe.each([32, 64] as const)('multiboot v1 ELF%i kernel', (bits) => {
  const image = buildElf(GUEST, LINK, bits)
  const initrd = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) & 0xff)

  it('loads segments, zeroes bss and enters 32-bit flat protected mode', () => {
    const mem = new GuestMemory(32 * MB)
    mem.ram.fill(0xcc, 0x100000, 0x104000) // bss must be zeroed by the loader
    const s = loadKernel(mem, image, { memoryBytes: 32 * MB, cmdline: 'console=ttyS0 quiet', initrd })
    expect(s.format).toBe('multiboot')
    expect(s.mode).toBe('protected32')
    expect(u32(mem, 0x100000)).toBe(0x1badb002)
    expect(s.rip).toBe(0x10000cn) // _start after the 12-byte header
    expect([mem.ram[0x10000c], mem.ram[0x10000d], mem.ram[0x10000e]]).toEqual([0x66, 0xba, 0xf8]) // mov $0x3f8,%dx
    const data = findBytes(mem, 0x100000, 0x101000, 'DATAMARK')
    expect(data).toBeGreaterThan(0)
    expect(mem.ram.subarray(data + 8, data + 8 + 8192).every((b) => b === 0)).toBe(true)
    expect(s.gprs[Reg.RAX]).toBe(0x2badb002n)
    expect(s.cr0 & 1n).toBe(1n)
    expect(s.cr0 & 0x80000000n).toBe(0n)
    expect(s.efer).toBe(0n)
    expect(s.rflags).toBe(2n)
    const cs = s.segments[Seg.CS]
    expect(cs.base).toBe(0n)
    expect(cs.limit).toBe(0xffffffff)
    expect(cs.attributes & 0x4000).toBe(0x4000) // D: 32-bit code
    expect(cs.attributes & 0x8).toBe(0x8) // code
    for (const sg of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) {
      expect(s.segments[sg].limit).toBe(0xffffffff)
      expect(s.segments[sg].attributes & 0x8).toBe(0) // data
    }
    // The GDT in memory agrees with the selectors handed out.
    const gdt = Number(s.gdtr.base)
    const csDesc = mem.view.getBigUint64(gdt + cs.selector, true)
    expect((csDesc >> 40n) & 0xffn).toBe(0x9bn)
  })

  it('builds the information structure with memory, cmdline, module, mmap and loader name', () => {
    const mem = new GuestMemory(32 * MB)
    const s = loadKernel(mem, image, { memoryBytes: 32 * MB, cmdline: 'console=ttyS0 quiet', initrd })
    const info = Number(s.gprs[Reg.RBX])
    const flags = u32(mem, info)
    for (const f of [MultibootInfoFlag.MEMORY, MultibootInfoFlag.CMDLINE, MultibootInfoFlag.MODS, MultibootInfoFlag.MEM_MAP, MultibootInfoFlag.BOOT_LOADER_NAME]) {
      expect(flags & f).toBe(f)
    }
    expect(u32(mem, info + MultibootInfo.mem_lower)).toBe(639)
    expect(u32(mem, info + MultibootInfo.mem_upper)).toBe(31 * 1024)
    expect(cstr(mem, u32(mem, info + MultibootInfo.cmdline))).toBe('console=ttyS0 quiet')
    expect(cstr(mem, u32(mem, info + MultibootInfo.boot_loader_name))).toBe('HV Manager')
    expect(u32(mem, info + MultibootInfo.mods_count)).toBe(1)
    const mod = u32(mem, info + MultibootInfo.mods_addr)
    const start = u32(mem, mod)
    expect(u32(mem, mod + 4) - start).toBe(initrd.length)
    expect(start % 4096).toBe(0)
    expect(start).toBeGreaterThanOrEqual(0x100000 + 0x23 + 8192 - 0x10) // after kernel + bss
    expect(mem.readBytes(start, initrd.length)).toEqual(initrd)
    // mmap: walk entries by their size field; RAM (type 1) must avoid 0x9FC00-0xFFFFF.
    const len = u32(mem, info + MultibootInfo.mmap_length)
    let a = u32(mem, info + MultibootInfo.mmap_addr)
    const end = a + len
    const ram: Array<[number, number]> = []
    while (a < end) {
      const size = u32(mem, a)
      const base = Number(mem.view.getBigUint64(a + 4, true))
      const length = Number(mem.view.getBigUint64(a + 12, true))
      if (u32(mem, a + 20) === 1) ram.push([base, base + length])
      a += size + 4
    }
    expect(ram).toEqual([[0, 0x9fc00], [0x100000, 32 * MB]])
  })
})

describe('multiboot a.out kludge and malformed images', () => {
  // A flat image: header at offset 0x10 describing load_addr 0x200000, 0x40 bytes + 0x1000 bss, entry 0x200030.
  function kludgeImage(over: Partial<Record<'header' | 'load' | 'loadEnd' | 'bssEnd' | 'entry', number>> = {}): Uint8Array {
    const img = new Uint8Array(0x40)
    const v = new DataView(img.buffer)
    const flags = 0x10000
    v.setUint32(0x10, 0x1badb002, true)
    v.setUint32(0x14, flags, true)
    v.setUint32(0x18, (-(0x1badb002 + flags)) >>> 0, true)
    v.setUint32(0x1c, over.header ?? 0x200010, true)
    v.setUint32(0x20, over.load ?? 0x200000, true)
    v.setUint32(0x24, over.loadEnd ?? 0x200040, true)
    v.setUint32(0x28, over.bssEnd ?? 0x201040, true)
    v.setUint32(0x2c, over.entry ?? 0x200030, true)
    img[0x30] = 0xf4
    return img
  }

  it('loads through the address fields', () => {
    const mem = new GuestMemory(8 * MB)
    mem.ram.fill(0xaa, 0x200040, 0x201040)
    const s = loadKernel(mem, kludgeImage(), { memoryBytes: 8 * MB })
    expect(s.rip).toBe(0x200030n)
    expect(mem.ram[0x200030]).toBe(0xf4)
    expect(u32(mem, 0x200010)).toBe(0x1badb002)
    expect(mem.ram.subarray(0x200040, 0x201040).every((b) => b === 0)).toBe(true)
    expect(u32(mem, Number(s.gprs[Reg.RBX])) & MultibootInfoFlag.MODS).toBe(0)
  })

  it('rejects images with clear errors', () => {
    const mem = new GuestMemory(4 * MB)
    const opts = { memoryBytes: 4 * MB }
    expect(() => loadKernel(mem, kludgeImage({ loadEnd: 0x200100 }), opts)).toThrow(/truncated/)
    expect(() => loadKernel(mem, kludgeImage({ load: 0x3ff000, header: 0x3ff010, loadEnd: 0x3ff040, bssEnd: 0x500000 }), opts)).toThrow(/outside guest RAM/)
    expect(() => loadKernel(mem, kludgeImage({ load: 0xa0000, header: 0xa0010, loadEnd: 0xa0040, bssEnd: 0 }), opts)).toThrow(/639 KiB/)
    expect(() => loadKernel(mem, kludgeImage({ load: 0x2000, header: 0x2010, loadEnd: 0x2040, bssEnd: 0 }), opts)).toThrow(/boot data/)
    expect(() => loadKernel(mem, kludgeImage({ header: 0x1ffff0 }), opts)).toThrow(KernelLoadError)
    const bad = kludgeImage()
    bad[0x14] |= 0x8 // unknown required flag; fix checksum so the header is still found
    new DataView(bad.buffer).setUint32(0x18, (-(0x1badb002 + 0x10008)) >>> 0, true)
    expect(() => loadKernel(mem, bad, opts)).toThrow(/unsupported features/)
  })

  it('rejects a truncated multiboot ELF', () => {
    const image = buildElf(GUEST, LINK, 32)
    const mem = new GuestMemory(4 * MB)
    expect(() => loadKernel(mem, image.subarray(0, 0x1010), { memoryBytes: 4 * MB })).toThrow(KernelLoadError)
  })
})
