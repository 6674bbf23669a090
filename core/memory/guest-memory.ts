/**
 * Guest physical memory of one partition: a RAM block starting at GPA 0, per-page access
 * rights (the HV_MAP_GPA_* flags of TLFS 5.x "GPA mapping"), and named MMIO ranges.
 *
 * The CPU reads `ram` directly on its fast path for pages whose rights allow the access;
 * everything else goes through `classify()`. `generation` changes whenever rights or
 * ranges change so that CPUs can drop cached translations.
 */

/** HV_MAP_GPA_PERMISSIONS (TLFS "HvMapGpaPages"). */
export const HV_MAP_GPA_READABLE = 0x1
export const HV_MAP_GPA_WRITABLE = 0x2
export const HV_MAP_GPA_KERNEL_EXECUTABLE = 0x4
export const HV_MAP_GPA_USER_EXECUTABLE = 0x8
export const HV_MAP_GPA_EXECUTABLE = HV_MAP_GPA_KERNEL_EXECUTABLE | HV_MAP_GPA_USER_EXECUTABLE
export const HV_MAP_GPA_ALL = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE

export const PAGE_SHIFT = 12
export const PAGE_SIZE = 4096

/** What a physical access hits. */
export const GpaKind = { Ram: 0, Mmio: 1, Unmapped: 2, Denied: 3 } as const
export type GpaKind = (typeof GpaKind)[keyof typeof GpaKind]

/** A device region accessed synchronously (local APIC page, I/O APIC, HPET…). Sizes are 1, 2 or 4. */
export interface MmioHandler {
  read(offset: number, size: number): number
  write(offset: number, size: number, value: number): void
}

export interface MmioRange {
  readonly name: string
  readonly base: number
  readonly size: number
  readonly handler: MmioHandler
}

export class GuestMemory {
  readonly ram: Uint8Array
  readonly view: DataView
  readonly size: number
  /** HV_MAP_GPA_* flags per 4 KiB RAM page; 0 means the page is not mapped. */
  readonly pageAccess: Uint8Array
  /** Bumped on every change of rights or ranges. */
  generation = 0
  private readonly mmio: MmioRange[] = []
  /** Observers of writes that bypass the CPU (DMA, loaders, the hypervisor) — e.g. decode caches. */
  private readonly writeObservers: Array<(gpa: number, length: number) => void> = []

  constructor(sizeBytes: number, initialAccess = HV_MAP_GPA_ALL) {
    if (!Number.isInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % PAGE_SIZE !== 0) {
      throw new RangeError(`guest memory size must be a positive multiple of ${PAGE_SIZE}, got ${sizeBytes}`)
    }
    this.size = sizeBytes
    this.ram = new Uint8Array(sizeBytes)
    this.view = new DataView(this.ram.buffer)
    this.pageAccess = new Uint8Array(sizeBytes / PAGE_SIZE).fill(initialAccess)
  }

  get pageCount(): number {
    return this.pageAccess.length
  }

  setAccess(firstPage: number, count: number, flags: number): void {
    if (firstPage < 0 || firstPage + count > this.pageAccess.length) throw new RangeError('GPA page range outside RAM')
    this.pageAccess.fill(flags, firstPage, firstPage + count)
    this.generation++
  }

  addMmio(name: string, base: number, size: number, handler: MmioHandler): void {
    for (const r of this.mmio) {
      if (base < r.base + r.size && r.base < base + size) {
        throw new Error(`MMIO range ${name} [0x${base.toString(16)}+0x${size.toString(16)}] overlaps ${r.name}`)
      }
    }
    this.mmio.push({ name, base, size, handler })
    this.generation++
  }

  removeMmio(name: string): void {
    const i = this.mmio.findIndex((r) => r.name === name)
    if (i >= 0) {
      this.mmio.splice(i, 1)
      this.generation++
    }
  }

  findMmio(gpa: number): MmioRange | undefined {
    for (const r of this.mmio) if (gpa >= r.base && gpa < r.base + r.size) return r
    return undefined
  }

  /** Classify an access of `rights` (HV_MAP_GPA_* bits) at `gpa`. MMIO ranges overlay RAM. */
  classify(gpa: number, rights: number): GpaKind {
    if (this.mmio.length !== 0 && this.findMmio(gpa)) return GpaKind.Mmio
    if (gpa < 0 || gpa >= this.size) return GpaKind.Unmapped
    const a = this.pageAccess[gpa >>> PAGE_SHIFT]
    if (a === 0) return GpaKind.Unmapped
    return (a & rights) === rights ? GpaKind.Ram : GpaKind.Denied
  }

  /** True when the whole page is plain RAM with `rights` and no MMIO overlay. */
  isRamPage(page: number, rights: number): boolean {
    if (page < 0 || page >= this.pageAccess.length) return false
    if ((this.pageAccess[page] & rights) !== rights) return false
    if (this.mmio.length === 0) return true
    const base = page * PAGE_SIZE
    for (const r of this.mmio) if (base < r.base + r.size && r.base < base + PAGE_SIZE) return false
    return true
  }

  onExternalWrite(observer: (gpa: number, length: number) => void): void {
    this.writeObservers.push(observer)
  }

  /** Copy bytes into RAM from outside the CPU (loaders, hypervisor overlay pages). */
  writeBytes(gpa: number, bytes: Uint8Array): void {
    if (gpa < 0 || gpa + bytes.length > this.size) throw new RangeError(`write of ${bytes.length} bytes at GPA 0x${gpa.toString(16)} is outside RAM`)
    this.ram.set(bytes, gpa)
    for (const o of this.writeObservers) o(gpa, bytes.length)
  }

  readBytes(gpa: number, length: number): Uint8Array {
    if (gpa < 0 || gpa + length > this.size) throw new RangeError(`read of ${length} bytes at GPA 0x${gpa.toString(16)} is outside RAM`)
    return this.ram.slice(gpa, gpa + length)
  }

  /** Notify observers that RAM changed through a path other than writeBytes. */
  notifyWrite(gpa: number, length: number): void {
    for (const o of this.writeObservers) o(gpa, length)
  }
}
