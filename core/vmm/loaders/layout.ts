/**
 * Where the loaders put their own data in guest-physical memory, and the PC memory map
 * they report (multiboot mmap, Linux e820). Everything the loader builds lives in the
 * conventional memory below 0x30000, which kernels never ask to be loaded into; kernels go
 * at or above 1 MiB, initrds high.
 *
 *   0x01000 GDT            0x02000 multiboot info, mmap, modules, names
 *   0x07000 Linux boot_params (zero page)
 *   0x08000-0x0FFFF boot stack (top 0x10000)
 *   0x10000 identity page tables (PML4, PDPT, 4 PDs of 2 MiB pages = 4 GiB)
 *   0x20000 kernel command line (up to 64 KiB)
 */
import { KernelLoadError } from './image-reader'

export const GDT_ADDR = 0x1000
export const MULTIBOOT_INFO_ADDR = 0x2000
export const MULTIBOOT_INFO_END = 0x3000
export const BOOT_PARAMS_ADDR = 0x7000
export const BOOT_STACK_TOP = 0x10000
export const PAGE_TABLES_ADDR = 0x10000
export const PAGE_TABLES_SIZE = 6 * 0x1000
export const CMDLINE_ADDR = 0x20000
export const CMDLINE_MAX = 0x10000
export const LOADER_AREA_START = 0x1000
export const LOADER_AREA_END = 0x30000

/** Conventional memory ends where the EBDA would start (QEMU/SeaBIOS report 639 KiB). */
export const LOW_RAM_END = 0x9fc00
export const HIGH_RAM_START = 0x100000
/** RAM above this is shadowed by the I/O APIC / local APIC / BIOS MMIO window. */
export const MMIO_HOLE_START = 0xfec00000

export const E820 = { RAM: 1, RESERVED: 2, ACPI: 3, NVS: 4, UNUSABLE: 5 } as const

export interface MemoryRange {
  base: number
  length: number
  type: number
}

/** The highest usable RAM address + 1 for a machine with `memoryBytes` of RAM. */
export function ramTop(memoryBytes: number): number {
  return Math.min(memoryBytes, MMIO_HOLE_START)
}

/** The memory map as a PC firmware reports it: low RAM, the EBDA/BIOS holes reserved, high RAM. */
export function pcMemoryMap(memoryBytes: number): MemoryRange[] {
  if (memoryBytes < HIGH_RAM_START + 0x100000) throw new KernelLoadError(`guest memory of ${memoryBytes} bytes is too small to boot a kernel (need at least 2 MiB)`)
  return [
    { base: 0, length: LOW_RAM_END, type: E820.RAM },
    { base: LOW_RAM_END, length: 0xa0000 - LOW_RAM_END, type: E820.RESERVED },
    { base: 0xf0000, length: 0x10000, type: E820.RESERVED },
    { base: HIGH_RAM_START, length: ramTop(memoryBytes) - HIGH_RAM_START, type: E820.RAM },
  ]
}

/**
 * Refuse a kernel segment [base, base+size) that is outside RAM, in the <1 MiB hole, or on
 * top of the loader's own data.
 */
export function checkSegmentPlacement(what: string, base: number, size: number, memoryBytes: number): void {
  const end = base + size
  const hex = (n: number) => '0x' + n.toString(16)
  if (!Number.isSafeInteger(base) || !Number.isSafeInteger(end) || base < 0 || end > ramTop(memoryBytes)) {
    throw new KernelLoadError(`${what} [${hex(base)}, ${hex(end)}) is outside guest RAM (${hex(ramTop(memoryBytes))} bytes usable)`)
  }
  if (size === 0) return
  if (base < LOW_RAM_END ? end > LOW_RAM_END && base < HIGH_RAM_START : base < HIGH_RAM_START) {
    throw new KernelLoadError(`${what} [${hex(base)}, ${hex(end)}) overlaps the reserved area between 639 KiB and 1 MiB`)
  }
  if (base < LOADER_AREA_END && end > LOADER_AREA_START) {
    throw new KernelLoadError(`${what} [${hex(base)}, ${hex(end)}) overlaps the loader's boot data at [${hex(LOADER_AREA_START)}, ${hex(LOADER_AREA_END)})`)
  }
}
