/**
 * Test helper: finds and decodes the multiboot v1 header of a kernel file (multiboot spec
 * §3.1: 4-byte aligned, within the first 8192 bytes, magic + flags + checksum summing to
 * zero; with flag bit 16 the five address fields follow).
 */
export const MULTIBOOT_HEADER_MAGIC = 0x1badb002

export interface MultibootHeader {
  offset: number
  flags: number
  headerAddr: number
  loadAddr: number
  loadEndAddr: number
  bssEndAddr: number
  entryAddr: number
}

export function findMultibootHeader(file: Uint8Array): MultibootHeader | null {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const limit = Math.min(8192, file.byteLength) - 12
  for (let off = 0; off <= limit; off += 4) {
    if (view.getUint32(off, true) !== MULTIBOOT_HEADER_MAGIC) continue
    const flags = view.getUint32(off + 4, true)
    const checksum = view.getUint32(off + 8, true)
    if (((MULTIBOOT_HEADER_MAGIC + flags + checksum) >>> 0) !== 0) continue
    const field = (i: number): number => (off + 12 + 4 * i + 4 <= file.byteLength ? view.getUint32(off + 12 + 4 * i, true) : 0)
    return {
      offset: off,
      flags,
      headerAddr: field(0),
      loadAddr: field(1),
      loadEndAddr: field(2),
      bssEndAddr: field(3),
      entryAddr: field(4),
    }
  }
  return null
}
