/**
 * `loadKernel(memory, image, opts)`: detect a kernel image's format, load it into guest
 * memory and return the BootState to apply to the boot VP. Detection order:
 *  1. Linux bzImage: boot_flag 0xAA55 at 0x1FE and "HdrS" at 0x202 (boot protocol ≥ 2.06).
 *  2. Multiboot v1: a valid header in the first 8 KiB (ELF32/ELF64 or a.out kludge).
 *  3. Plain ELF: ELF64 entered in long mode, ELF32 in 32-bit protected mode.
 *  4. Anything else: a flat binary at 1 MiB entered in 32-bit protected mode.
 * Every malformed image ends in a KernelLoadError with a message for the user.
 */
import type { GuestMemory } from '../../memory/guest-memory'
import type { BootState } from './boot-state'
import { isElf } from './elf'
import { KernelLoadError } from './image-reader'
import { isBzImage, loadLinux } from './linux'
import { findMultibootHeader, loadMultiboot } from './multiboot'
import { loadFlat, loadPlainElf } from './plain-images'

export interface KernelLoadOptions {
  initrd?: Uint8Array
  cmdline?: string
  /** Guest RAM size (≤ memory.size); the memory map reported to the kernel. */
  memoryBytes: number
}

export type KernelFormat = 'linux' | 'multiboot' | 'elf' | 'flat'

export function detectKernelFormat(image: Uint8Array): KernelFormat {
  if (isBzImage(image)) return 'linux'
  if (findMultibootHeader(image)) return 'multiboot'
  if (isElf(image)) return 'elf'
  return 'flat'
}

export function loadKernel(memory: GuestMemory, image: Uint8Array, opts: KernelLoadOptions): BootState {
  if (!Number.isSafeInteger(opts.memoryBytes) || opts.memoryBytes <= 0 || opts.memoryBytes > memory.size) {
    throw new KernelLoadError(`memoryBytes ${opts.memoryBytes} does not fit the guest memory of ${memory.size} bytes`)
  }
  try {
    if (isBzImage(image)) return loadLinux(memory, image, opts)
    const mb = findMultibootHeader(image)
    if (mb) return loadMultiboot(memory, image, mb, opts)
    if (isElf(image)) {
      if (opts.initrd) throw new KernelLoadError('a plain ELF kernel has no way to receive an initrd (use multiboot or a bzImage)')
      return loadPlainElf(memory, image, opts.memoryBytes)
    }
    if (opts.initrd) throw new KernelLoadError('a flat binary kernel has no way to receive an initrd')
    return loadFlat(memory, image, opts.memoryBytes)
  } catch (e) {
    if (e instanceof KernelLoadError) throw e
    // Anything else is a loader bug or an absurd size; still report it as a load failure.
    throw new KernelLoadError(`kernel image could not be loaded: ${e instanceof Error ? e.message : String(e)}`)
  }
}
