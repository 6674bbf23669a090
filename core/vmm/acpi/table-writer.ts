/**
 * Little-endian byte building for ACPI tables: the standard 36-byte description header
 * (ACPI 6.x §5.2.6) and the checksum rule (all bytes of a table sum to zero).
 */
export const ACPI_OEM_ID = 'HVMGR '
export const ACPI_OEM_TABLE_ID = 'HVMANAGR'
export const ACPI_HEADER_SIZE = 36

export class TableBytes {
  readonly bytes: Uint8Array
  private readonly view: DataView

  constructor(size: number) {
    this.bytes = new Uint8Array(size)
    this.view = new DataView(this.bytes.buffer)
  }
  u8(off: number, v: number): void { this.bytes[off] = v & 0xff }
  u16(off: number, v: number): void { this.view.setUint16(off, v, true) }
  u32(off: number, v: number): void { this.view.setUint32(off, v >>> 0, true) }
  u64(off: number, v: number): void {
    this.view.setUint32(off, v % 0x1_0000_0000, true)
    this.view.setUint32(off + 4, Math.floor(v / 0x1_0000_0000), true)
  }
  ascii(off: number, s: string): void {
    for (let i = 0; i < s.length; i++) this.bytes[off + i] = s.charCodeAt(i) & 0x7f
  }
  set(off: number, data: ArrayLike<number>): void { this.bytes.set(data, off) }
  /** Store the byte at `at` so that bytes [from, to) sum to zero. */
  checksum(at: number, from = 0, to = this.bytes.length): void {
    this.bytes[at] = 0
    let sum = 0
    for (let i = from; i < to; i++) sum += this.bytes[i]
    this.bytes[at] = (0x100 - (sum & 0xff)) & 0xff
  }
}

/** A table with its description header filled in; the checksum is set by `finish`. */
export function describedTable(signature: string, length: number, revision: number): TableBytes {
  const t = new TableBytes(length)
  t.ascii(0, signature)
  t.u32(4, length)
  t.u8(8, revision)
  t.ascii(10, ACPI_OEM_ID)
  t.ascii(16, ACPI_OEM_TABLE_ID)
  t.u32(24, 1)
  t.ascii(28, 'HVMG')
  t.u32(32, 1)
  return t
}

export function finish(t: TableBytes): Uint8Array {
  t.checksum(9)
  return t.bytes
}

/** True when the bytes sum to zero modulo 256. */
export function checksumOk(bytes: Uint8Array): boolean {
  let sum = 0
  for (const b of bytes) sum += b
  return (sum & 0xff) === 0
}
