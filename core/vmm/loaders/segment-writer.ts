/**
 * Copies loadable pieces of an image into guest RAM with placement checks (layout.ts):
 * file bytes, then zeros up to the in-memory size (ELF .bss, multiboot bss_end_addr).
 */
import type { GuestMemory } from '../../memory/guest-memory'
import type { ElfImage } from './elf'
import { KernelLoadError } from './image-reader'
import { checkSegmentPlacement } from './layout'

export function loadPiece(memory: GuestMemory, memoryBytes: number, what: string, base: number, data: Uint8Array, memSize = data.length): void {
  checkSegmentPlacement(what, base, memSize, memoryBytes)
  if (base + memSize > memory.size) throw new KernelLoadError(`${what} ends past guest memory`)
  memory.writeBytes(base, data)
  if (memSize > data.length) memory.writeBytes(base + data.length, new Uint8Array(memSize - data.length))
}

export function loadElfSegments(memory: GuestMemory, memoryBytes: number, image: Uint8Array, elf: ElfImage): Array<{ name: string; base: number; size: number }> {
  const regions: Array<{ name: string; base: number; size: number }> = []
  elf.segments.forEach((s, i) => {
    loadPiece(memory, memoryBytes, `ELF segment ${i}`, s.paddr, image.subarray(s.fileOffset, s.fileOffset + s.fileSize), s.memSize)
    regions.push({ name: `segment ${i}`, base: s.paddr, size: s.memSize })
  })
  return regions
}
