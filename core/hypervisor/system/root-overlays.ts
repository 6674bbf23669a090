/**
 * Overlay pages in the root partition's GPA space (TLFS 8.3, 19.1, 21.1, 22). The root is the
 * host app: its GPA space is notional (identity-mapped, no bytes), so a page the hypervisor
 * maps into it — a statistics page, an event-log buffer page — is a Uint8Array registered
 * here under its root GPA page number. The host reads it with `read(page)`, the way a real
 * root would read the mapped GPA. Event-log buffers get GPAs allocated from the top of the
 * root's space downwards (DECISION: hypervisor-chosen overlay GPAs, away from RAM).
 */
export class RootOverlays {
  private readonly pages = new Map<number, Uint8Array>()
  private readonly refreshers = new Map<number, () => void>()
  private nextTop: number

  constructor(readonly pageCount: number) {
    this.nextTop = pageCount - 1
  }

  isMapped(page: number): boolean {
    return this.pages.has(page)
  }

  /** Map `bytes` (4 KiB) at `page`; `refresh` is called before each read (live stats pages). */
  map(page: number, bytes: Uint8Array, refresh?: () => void): void {
    this.pages.set(page, bytes)
    if (refresh) this.refreshers.set(page, refresh)
  }

  unmap(page: number): void {
    this.pages.delete(page)
    this.refreshers.delete(page)
  }

  /** The page's current bytes (a live view, read-only by convention), or undefined when nothing is mapped. */
  read(page: number): Uint8Array | undefined {
    this.refreshers.get(page)?.()
    return this.pages.get(page)
  }

  /** Pick `n` free GPA pages for hypervisor-placed overlays. */
  allocate(n: number): number[] {
    const out: number[] = []
    while (out.length < n && this.nextTop >= 0) {
      const p = this.nextTop--
      if (!this.pages.has(p)) out.push(p)
    }
    return out
  }
}
