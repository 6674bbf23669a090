/**
 * Bounds-checked little-endian reads from a kernel image, and the error every loader
 * throws. Kernel images come from users: a truncated or corrupt file must end in a clear
 * `KernelLoadError`, never in a RangeError deep inside a loader.
 */

export class KernelLoadError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KernelLoadError'
  }
}

export class ImageReader {
  private readonly view: DataView

  constructor(readonly bytes: Uint8Array, private readonly what = 'kernel image') {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get length(): number {
    return this.bytes.length
  }

  has(offset: number, size: number): boolean {
    return Number.isSafeInteger(offset) && offset >= 0 && size >= 0 && offset + size <= this.bytes.length
  }

  private need(offset: number, size: number, field: string): void {
    if (!this.has(offset, size)) {
      throw new KernelLoadError(`${this.what} is truncated: ${field} at offset 0x${offset.toString(16)} (+${size}) is past its end (${this.bytes.length} bytes)`)
    }
  }

  u8(offset: number, field = 'byte'): number {
    this.need(offset, 1, field)
    return this.bytes[offset]
  }

  u16(offset: number, field = 'u16'): number {
    this.need(offset, 2, field)
    return this.view.getUint16(offset, true)
  }

  u32(offset: number, field = 'u32'): number {
    this.need(offset, 4, field)
    return this.view.getUint32(offset, true)
  }

  /** A u64 as a number; values beyond 2^53 are refused (no guest address we place can be that large). */
  u64(offset: number, field = 'u64'): number {
    this.need(offset, 8, field)
    const v = this.view.getBigUint64(offset, true)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new KernelLoadError(`${this.what}: ${field} 0x${v.toString(16)} is out of range`)
    return Number(v)
  }

  /** A u64 as a bigint (virtual addresses of higher-half kernels). */
  u64big(offset: number, field = 'u64'): bigint {
    this.need(offset, 8, field)
    return this.view.getBigUint64(offset, true)
  }

  slice(offset: number, size: number, field = 'data'): Uint8Array {
    this.need(offset, size, field)
    return this.bytes.subarray(offset, offset + size)
  }
}
