/**
 * GPA spaces of partitions (TLFS ch. 8) and how they relate to pools (ch. 7).
 *
 * The root's GPA space is identity-mapped onto a notional SPA space of `pageCount` pages
 * (the host app has no x86 RAM of its own): pages are numbers, their rights and pool
 * membership are kept sparsely. A child's GPA space is its `GuestMemory`: page g of the
 * child is backed by RAM page g of that GuestMemory, whatever source page the parent named.
 * The source page is recorded per target page (for pool and sharing rules), but bytes are
 * NOT shared between two mappings of one source page — a documented deviation from 8.x
 * (GuestMemory is one flat RAM block). Rights live in `memory.pageAccess`; a "mapped with no
 * rights" page (Inaccessible) is told apart from an unmapped one by the `mapped` table.
 * Overlay pages (the hypercall page) save the RAM bytes and rights beneath them and restore
 * them on removal (8.3).
 */
import {
  GuestMemory, HV_MAP_GPA_ALL, HV_MAP_GPA_EXECUTABLE, HV_MAP_GPA_KERNEL_EXECUTABLE, HV_MAP_GPA_READABLE,
  HV_MAP_GPA_WRITABLE, PAGE_SIZE,
} from '../memory/guest-memory'

/** TLFS 2.0 HV_MAP_GPA_FLAGS: only R (1), W (2) and X (4) exist. */
export const HV_MAP_GPA_TLFS_MASK = 0x7

/** TLFS flags (X = 4) → GuestMemory rights (X = kernel|user executable). */
export function tlfsToAccess(flags: number): number {
  return (flags & (HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)) | (flags & HV_MAP_GPA_KERNEL_EXECUTABLE ? HV_MAP_GPA_EXECUTABLE : 0)
}
/** GuestMemory rights → TLFS flags. */
export function accessToTlfs(access: number): number {
  return (access & (HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)) | (access & HV_MAP_GPA_EXECUTABLE ? HV_MAP_GPA_KERNEL_EXECUTABLE : 0)
}

/** A partition's view of its own GPA space, as the hypercall handlers need it. */
export interface GpaSpace {
  /** Number of pages in the GPA space (2^n bytes / 4 KiB). */
  readonly pageCount: number
  /** TLFS rights (R=1, W=2, X=4) of a page, or -1 when unmapped. */
  rights(page: number): number
  /** Set TLFS rights of a mapped page (root: identity page; child: its mapping). */
  setRights(page: number, flags: number): void
  /** Pages of this space deposited into some pool: inaccessible to every partition (7.1). */
  readonly pooled: Set<number>
  /** Number of child mappings that use a page of this space as their source. */
  readonly shared: Map<number, number>
}

/** The root partition's identity-mapped space (8.1: the root cannot unmap its pages). */
export class RootGpaSpace implements GpaSpace {
  readonly pooled = new Set<number>()
  readonly shared = new Map<number, number>()
  private readonly changed = new Map<number, number>()
  constructor(readonly pageCount: number) {}
  rights(page: number): number {
    if (page < 0 || page >= this.pageCount) return -1
    return this.changed.get(page) ?? HV_MAP_GPA_TLFS_MASK
  }
  setRights(page: number, flags: number): void {
    if (flags === HV_MAP_GPA_TLFS_MASK) this.changed.delete(page)
    else this.changed.set(page, flags)
  }
}

interface OverlayRecord {
  readonly saved: Uint8Array
  savedAccess: number
}

/** A child's space backed by its GuestMemory. */
export class ChildGpaSpace implements GpaSpace {
  readonly pooled = new Set<number>()
  readonly shared = new Map<number, number>()
  readonly pageCount: number
  /** 1 where the page is mapped (possibly with no rights). */
  readonly mapped: Uint8Array
  /** Source page number in the parent's space, per mapped target page. */
  readonly source: Float64Array
  /** 2 MiB regions (page >> 9) whose page table was drawn from the pool (costs.gpaPageTable). */
  readonly tableRegions = new Set<number>()
  private readonly overlays = new Map<number, OverlayRecord>()

  constructor(readonly memory: GuestMemory) {
    this.pageCount = memory.pageCount
    this.mapped = new Uint8Array(this.pageCount)
    this.source = new Float64Array(this.pageCount).fill(-1)
    // Nothing is mapped until the parent calls HvMapGpaPages (8.1).
    memory.setAccess(0, this.pageCount, 0)
  }

  rights(page: number): number {
    if (page < 0 || page >= this.pageCount || this.mapped[page] === 0) return -1
    const ov = this.overlays.get(page)
    return accessToTlfs(ov ? ov.savedAccess : this.memory.pageAccess[page])
  }

  setRights(page: number, flags: number): void {
    this.setAccessRaw(page, tlfsToAccess(flags))
  }

  /** Map `page` to `sourcePage` of the parent with TLFS rights `flags`. Returns the superseded source or -1. */
  map(page: number, sourcePage: number, flags: number): number {
    const old = this.mapped[page] ? this.source[page] : -1
    this.mapped[page] = 1
    this.source[page] = sourcePage
    this.setAccessRaw(page, this.pooled.has(page) ? 0 : tlfsToAccess(flags))
    return old
  }

  /** Unmap `page`. Returns the superseded source or -1. */
  unmap(page: number): number {
    if (!this.mapped[page]) return -1
    const old = this.source[page]
    this.mapped[page] = 0
    this.source[page] = -1
    this.setAccessRaw(page, 0)
    return old
  }

  isOverlay(page: number): boolean {
    return this.overlays.has(page)
  }

  /** Cover `page` with `bytes` (one page, readable and executable, not writable: 4.9 / U22). */
  installOverlay(page: number, bytes: Uint8Array): void {
    if (this.overlays.has(page)) this.removeOverlay(page)
    const base = page * PAGE_SIZE
    const rec: OverlayRecord = { saved: this.memory.ram.slice(base, base + PAGE_SIZE), savedAccess: this.memory.pageAccess[page] }
    this.overlays.set(page, rec)
    this.memory.writeBytes(base, bytes)
    this.memory.setAccess(page, 1, HV_MAP_GPA_READABLE | HV_MAP_GPA_EXECUTABLE)
  }

  /** Remove the overlay at `page`: the RAM beneath and its rights become visible again (8.3). */
  removeOverlay(page: number): void {
    const rec = this.overlays.get(page)
    if (!rec) return
    this.overlays.delete(page)
    this.memory.writeBytes(page * PAGE_SIZE, rec.saved)
    this.memory.setAccess(page, 1, rec.savedAccess)
  }

  /** Pages covered by an overlay, ascending (what the saved state must carry beneath them, 17.1.5). */
  overlayPages(): number[] {
    return [...this.overlays.keys()].sort((a, b) => a - b)
  }

  /** A copy of the RAM bytes and rights hidden beneath the overlay at `page`, or undefined. */
  underlay(page: number): { bytes: Uint8Array; access: number } | undefined {
    const rec = this.overlays.get(page)
    return rec && { bytes: rec.saved.slice(), access: rec.savedAccess }
  }

  /** Replace what the overlay at `page` hides (restore); false when no overlay covers `page`. */
  setUnderlay(page: number, bytes: Uint8Array, access: number): boolean {
    const rec = this.overlays.get(page)
    if (!rec || bytes.length !== PAGE_SIZE) return false
    rec.saved.set(bytes)
    rec.savedAccess = access
    return true
  }

  /** Mark a page as deposited (pool page: no access for anyone) or released back with RWX. */
  setPooled(page: number, pooled: boolean): void {
    if (pooled) {
      this.pooled.add(page)
      this.setAccessRaw(page, 0)
    } else {
      this.pooled.delete(page)
      const base = page * PAGE_SIZE
      // 7.3.2: withdrawn pages come back zero-filled with R, W and X.
      this.memory.writeBytes(base, new Uint8Array(PAGE_SIZE))
      this.setAccessRaw(page, HV_MAP_GPA_ALL)
    }
  }

  private setAccessRaw(page: number, access: number): void {
    const ov = this.overlays.get(page)
    if (ov) ov.savedAccess = access
    else if (this.memory.pageAccess[page] !== access) this.memory.setAccess(page, 1, access)
  }
}
