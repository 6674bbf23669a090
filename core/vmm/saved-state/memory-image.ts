/**
 * Guest RAM in a saved state: only the 4 KiB pages holding a non-zero byte, as
 * `u32 page count of the RAM | (u32 page number, 4096 bytes)*` in ascending page order.
 * Restoring zero-fills RAM first, so pages absent from the image read as zero, and tells
 * the memory's write observers (decode caches) that everything changed.
 */
import { PAGE_SIZE, type GuestMemory } from '../../memory/guest-memory'
import { ByteReader, ByteWriter } from '../../hypervisor/save-restore/byte-stream'
import { SavedStateError } from './container'

function pageIsZero(ram: Uint8Array, base: number): boolean {
  // 32-bit steps: RAM blocks are page aligned.
  const words = new Uint32Array(ram.buffer, ram.byteOffset + base, PAGE_SIZE / 4)
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false
  return true
}

export function encodeMemoryImage(memory: GuestMemory): Uint8Array {
  const w = new ByteWriter().u32(memory.pageCount)
  for (let page = 0; page < memory.pageCount; page++) {
    const base = page * PAGE_SIZE
    if (pageIsZero(memory.ram, base)) continue
    w.u32(page).bytes(memory.ram.subarray(base, base + PAGE_SIZE))
  }
  return w.finish()
}

/** Check an image against a RAM size (in pages) without applying it. */
export function checkMemoryImage(image: Uint8Array, pageCount: number): void {
  const r = new ByteReader(image)
  try {
    if (r.u32() !== pageCount) throw new SavedStateError('the memory image does not match the VM memory size')
    let last = -1
    while (r.remaining > 0) {
      const page = r.u32()
      if (page <= last || page >= pageCount) throw new SavedStateError('the memory image has an out-of-order or out-of-range page')
      last = page
      r.bytes(PAGE_SIZE)
    }
  } catch (e) {
    if (e instanceof SavedStateError) throw e
    throw new SavedStateError('the memory image is truncated')
  }
}

export function restoreMemoryImage(memory: GuestMemory, image: Uint8Array): void {
  checkMemoryImage(image, memory.pageCount)
  memory.ram.fill(0)
  const r = new ByteReader(image)
  r.u32()
  while (r.remaining > 0) {
    const page = r.u32()
    memory.ram.set(image.subarray(r.offset, r.offset + PAGE_SIZE), page * PAGE_SIZE)
    r.offset += PAGE_SIZE
  }
  memory.notifyWrite(0, memory.size)
}
