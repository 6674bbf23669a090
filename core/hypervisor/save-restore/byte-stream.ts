/**
 * Little-endian byte writer and bounds-checked reader for saved-state encodings (TLFS 17
 * leaves the stream format to the implementation). The reader never throws a RangeError
 * into the host: running past the end raises `TruncatedError`, which decoders turn into
 * HvStateCorruptData or a typed container error.
 */

export class TruncatedError extends Error {
  constructor(what: string) {
    super(`saved state truncated while reading ${what}`)
  }
}

export class ByteWriter {
  private buf = new Uint8Array(256)
  private view = new DataView(this.buf.buffer)
  length = 0

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
    this.view = new DataView(next.buffer)
  }
  u8(v: number): this {
    this.ensure(1)
    this.view.setUint8(this.length, v)
    this.length += 1
    return this
  }
  u16(v: number): this {
    this.ensure(2)
    this.view.setUint16(this.length, v, true)
    this.length += 2
    return this
  }
  u32(v: number): this {
    this.ensure(4)
    this.view.setUint32(this.length, v >>> 0, true)
    this.length += 4
    return this
  }
  u64(v: bigint): this {
    this.ensure(8)
    this.view.setBigUint64(this.length, BigInt.asUintN(64, v), true)
    this.length += 8
    return this
  }
  /** A non-negative integer below 2^53 as 8 bytes. */
  num(v: number): this {
    return this.u64(BigInt(Math.max(0, Math.floor(v))))
  }
  f64(v: number): this {
    this.ensure(8)
    this.view.setFloat64(this.length, v, true)
    this.length += 8
    return this
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
    return this
  }
  /** u32 length, then the bytes. */
  blob(b: Uint8Array): this {
    return this.u32(b.length).bytes(b)
  }
  /** u16 length, then the string's UTF-16 code units truncated to bytes (names are ASCII). */
  str(s: string): this {
    const b = new Uint8Array(s.length)
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff
    return this.u16(b.length).bytes(b)
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length)
  }
}

export class ByteReader {
  private readonly view: DataView
  offset = 0

  constructor(readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  }
  get remaining(): number {
    return this.data.length - this.offset
  }
  private need(n: number, what: string): number {
    if (this.offset + n > this.data.length) throw new TruncatedError(what)
    const at = this.offset
    this.offset += n
    return at
  }
  u8(what = 'u8'): number {
    return this.view.getUint8(this.need(1, what))
  }
  u16(what = 'u16'): number {
    return this.view.getUint16(this.need(2, what), true)
  }
  u32(what = 'u32'): number {
    return this.view.getUint32(this.need(4, what), true)
  }
  u64(what = 'u64'): bigint {
    return this.view.getBigUint64(this.need(8, what), true)
  }
  num(what = 'number'): number {
    return Number(this.u64(what))
  }
  f64(what = 'f64'): number {
    return this.view.getFloat64(this.need(8, what), true)
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    const at = this.need(n, what)
    return this.data.slice(at, at + n)
  }
  blob(what = 'blob'): Uint8Array {
    return this.bytes(this.u32(what), what)
  }
  str(what = 'string'): string {
    const b = this.bytes(this.u16(what), what)
    let s = ''
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i])
    return s
  }
}
