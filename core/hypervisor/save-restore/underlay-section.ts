/**
 * Saved-state section `hv.underlay`: the guest RAM hidden beneath the GPA-space overlays of a
 * child (the hypercall page of 4.9 and guest-mapped stats pages of 21.3.3). The VMM saves RAM
 * as the guest sees it — showing the overlay — so without this the original bytes and rights
 * would be lost and reappear as the overlay's image once the guest removes it (8.3 says they
 * come back). Restore runs after the partition record and the `hv.stats` section have
 * re-created those overlays (sections apply in name order), then puts back what each one
 * hides. SynIC-style overlay pages carry their own hidden RAM in their sections.
 */
import { PAGE_SIZE } from '../../memory/guest-memory'
import { ChildGpaSpace } from '../gpa-space'
import type { Partition } from '../partition'
import { ByteReader, ByteWriter } from './byte-stream'
import { registerSaveSection } from './save-sections'
import { HvSaveRestoreStateResult as R } from './save-restore-types'

interface Underlay { page: number; access: number; bytes: Uint8Array }

function parse(p: Partition, data: Uint8Array): Underlay[] | null {
  const space = p.space
  if (!(space instanceof ChildGpaSpace)) return null
  const r = new ByteReader(data)
  const out: Underlay[] = []
  for (let n = r.u32('overlay count'); n > 0; n--) {
    const page = r.u32('overlay page')
    const access = r.u8('overlay access')
    const bytes = r.bytes(PAGE_SIZE, 'hidden RAM')
    if (page >= space.pageCount || (out.length > 0 && page <= out[out.length - 1].page)) return null
    out.push({ page, access, bytes })
  }
  return r.remaining === 0 ? out : null
}

registerSaveSection('hv.underlay', {
  version: 1,
  save(p) {
    const space = p.space
    if (!(space instanceof ChildGpaSpace)) return null
    const pages = space.overlayPages()
    if (pages.length === 0) return null
    const w = new ByteWriter().u32(pages.length)
    for (const page of pages) {
      const u = space.underlay(page)!
      w.u32(page).u8(u.access).bytes(u.bytes)
    }
    return w.finish()
  },
  check: (p, data) => (parse(p, data) ? R.HvStateComplete : R.HvStateCorruptData),
  restore(p, data) {
    const space = p.space as ChildGpaSpace
    // An overlay the restored state did not re-create has nothing to hide: skip it.
    for (const u of parse(p, data) ?? []) space.setUnderlay(u.page, u.bytes, u.access)
  },
})
