/**
 * A read/write hypervisor overlay page (TLFS 8.1.3 as used by 14.4 SIM/SIEF, 13.4 APIC
 * assist, 15.4 reference TSC and 14.2 monitor pages): while enabled it hides the RAM page at
 * its GPA and ignores that page's mapping rights; the guest reads and writes it like RAM.
 * Implementation: the page's bytes live in RAM while the overlay is active (so the CPU's
 * fast path and the hypervisor see the same bytes), the hidden RAM is parked in a buffer,
 * and on disable or relocation the two swap back. Contents persist across disable/enable
 * (DECISION 14.4). A GPA outside the RAM leaves the overlay enabled but inaccessible.
 */
import { HV_MAP_GPA_ALL, PAGE_SIZE, type GuestMemory } from '../../memory/guest-memory'

/** Which pages of a partition are covered by an active overlay (overlap check). */
export type OverlayRegistry = Map<number, OverlayPage>

export class OverlayPage {
  /** Page contents while inactive. */
  private readonly contents = new Uint8Array(PAGE_SIZE)
  /** The RAM bytes and rights hidden while active. */
  private readonly hidden = new Uint8Array(PAGE_SIZE)
  private hiddenAccess = 0
  /** Active page number (-1 when not placed in RAM). */
  page = -1

  constructor(
    private readonly memory: GuestMemory,
    private readonly registry: OverlayRegistry,
    readonly name: string,
  ) {}

  /** True when `page` may host this overlay (no other active overlay there). */
  canPlaceAt(page: number): boolean {
    const other = this.registry.get(page)
    return other === undefined || other === this
  }

  /** Place at `page` (or remove with -1). Pages beyond RAM are recorded as inaccessible (-1). */
  place(page: number): void {
    if (page === this.page) return
    this.remove()
    if (page < 0 || page >= this.memory.pageCount) return
    const base = page * PAGE_SIZE
    const ram = this.memory.ram
    this.hidden.set(ram.subarray(base, base + PAGE_SIZE))
    this.hiddenAccess = this.memory.pageAccess[page]
    ram.set(this.contents, base)
    this.memory.notifyWrite(base, PAGE_SIZE)
    if (this.hiddenAccess !== HV_MAP_GPA_ALL) this.memory.setAccess(page, 1, HV_MAP_GPA_ALL)
    this.page = page
    this.registry.set(page, this)
  }

  remove(): void {
    if (this.page < 0) return
    const base = this.page * PAGE_SIZE
    const ram = this.memory.ram
    this.contents.set(ram.subarray(base, base + PAGE_SIZE))
    ram.set(this.hidden, base)
    this.memory.notifyWrite(base, PAGE_SIZE)
    if (this.memory.pageAccess[this.page] !== this.hiddenAccess) this.memory.setAccess(this.page, 1, this.hiddenAccess)
    this.registry.delete(this.page)
    this.page = -1
  }

  get active(): boolean {
    return this.page >= 0
  }

  /** Byte offset in `memory.ram` of the active page, or -1. */
  get base(): number {
    return this.page < 0 ? -1 : this.page * PAGE_SIZE
  }

  /** A view of the page's current bytes (RAM when active, the parked copy otherwise). */
  bytes(): Uint8Array {
    return this.page < 0 ? this.contents : this.memory.ram.subarray(this.base, this.base + PAGE_SIZE)
  }

  /** Tell decode caches that the hypervisor changed bytes [offset, offset+length). */
  touched(offset: number, length: number): void {
    if (this.page >= 0) this.memory.notifyWrite(this.base + offset, length)
  }

  /**
   * Saved form (17.1.5): GPA page (-1 inactive), the overlay's bytes and, when active, the
   * RAM bytes and rights it hides (the VMM saves RAM, which shows the overlay, not them).
   */
  saveState(): { page: number; contents: Uint8Array; hidden: Uint8Array; hiddenAccess: number } {
    // Inactive: nothing is hidden (the parked copy is stale), so saves of equal state are equal.
    const active = this.page >= 0
    return { page: this.page, contents: this.bytes().slice(), hidden: active ? this.hidden.slice() : new Uint8Array(PAGE_SIZE), hiddenAccess: active ? this.hiddenAccess : 0 }
  }

  /** Inverse of `saveState`; RAM at the page gets the overlay bytes whether or not the VMM restored RAM first. */
  restoreState(s: { page: number; contents: Uint8Array; hidden: Uint8Array; hiddenAccess: number }): void {
    this.remove()
    this.contents.set(s.contents.subarray(0, PAGE_SIZE))
    if (s.page < 0 || s.page >= this.memory.pageCount || !this.canPlaceAt(s.page)) return
    const base = s.page * PAGE_SIZE
    this.hidden.set(s.hidden.subarray(0, PAGE_SIZE))
    this.hiddenAccess = s.hiddenAccess
    this.memory.ram.set(this.contents, base)
    this.memory.notifyWrite(base, PAGE_SIZE)
    if (this.memory.pageAccess[s.page] !== HV_MAP_GPA_ALL) this.memory.setAccess(s.page, 1, HV_MAP_GPA_ALL)
    this.page = s.page
    this.registry.set(s.page, this)
  }

  /** Zero the contents (VP reset). */
  clear(): void {
    this.bytes().fill(0)
    this.touched(0, PAGE_SIZE)
  }
}
