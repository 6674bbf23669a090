/**
 * Kernels without a boot protocol: a plain ELF64 x86-64 image (entered in long mode with
 * the loader's identity map, at the physical address of e_entry), a plain ELF32 image
 * (entered in 32-bit flat protected mode), and a flat binary loaded at 1 MiB and entered at
 * its first byte in 32-bit flat protected mode.
 */
import type { GuestMemory } from '../../memory/guest-memory'
import type { BootState } from './boot-state'
import { enterLongMode64, enterProtectedMode32 } from './cpu-setup'
import { ElfClass, parseElf, physicalEntry } from './elf'
import { KernelLoadError } from './image-reader'
import { HIGH_RAM_START } from './layout'
import { loadElfSegments, loadPiece } from './segment-writer'

export function loadPlainElf(memory: GuestMemory, image: Uint8Array, memoryBytes: number): BootState {
  const elf = parseElf(image)
  const regions = loadElfSegments(memory, memoryBytes, image, elf)
  const entry = physicalEntry(elf)
  if (elf.elfClass === ElfClass.ELF64) {
    if (entry >= 2 ** 32) throw new KernelLoadError(`ELF64 entry point 0x${entry.toString(16)} is outside the 4 GiB identity map`)
    return enterLongMode64(memory, { format: 'elf64', entry, regions })
  }
  return enterProtectedMode32(memory, { format: 'elf32', entry, regions })
}

export function loadFlat(memory: GuestMemory, image: Uint8Array, memoryBytes: number): BootState {
  if (image.length === 0) throw new KernelLoadError('kernel image is empty')
  loadPiece(memory, memoryBytes, 'flat image', HIGH_RAM_START, image)
  return enterProtectedMode32(memory, {
    format: 'flat',
    entry: HIGH_RAM_START,
    regions: [{ name: 'kernel', base: HIGH_RAM_START, size: image.length }],
  })
}
