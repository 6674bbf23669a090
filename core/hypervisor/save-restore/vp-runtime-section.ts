/**
 * Saved-state section `hv.vp-runtime`: the part of each VP's run time (HV_X64_MSR_VP_RUNTIME,
 * TLFS 10.x; saved per 17.1.5) below the MSR's 100 ns unit. The VP record carries the run
 * time in whole units; at 10 retired instructions per unit a VP saved mid-unit would, without
 * this remainder, read its run time up to one unit late after restore — and a guest that
 * reads it would diverge from an uninterrupted run.
 */
import type { Partition } from '../partition'
import { ByteReader, ByteWriter } from './byte-stream'
import { registerSaveSection } from './save-sections'
import { HvSaveRestoreStateResult as R } from './save-restore-types'

function parse(p: Partition, data: Uint8Array): Array<[number, number]> | null {
  const r = new ByteReader(data)
  const out: Array<[number, number]> = []
  for (let n = r.u16('vp count'); n > 0; n--) {
    const index = r.u32('vp index')
    const remainder = r.u8('remainder')
    if (!p.vp(index) || remainder > 9) return null
    out.push([index, remainder])
  }
  return r.remaining === 0 ? out : null
}

registerSaveSection('hv.vp-runtime', {
  version: 1,
  save(p) {
    const vps = p.liveVps()
    const w = new ByteWriter().u16(vps.length)
    for (const vp of vps) w.u32(vp.index).u8((((vp.cpu.retired + vp.runTimeRetiredOffset) % 10) + 10) % 10)
    return w.finish()
  },
  check: (p, data) => (parse(p, data) ? R.HvStateComplete : R.HvStateCorruptData),
  restore(p, data) {
    // The VP record set the whole units with a zero phase; add the saved phase.
    for (const [index, remainder] of parse(p, data) ?? []) p.vp(index)!.runTimeRetiredOffset += remainder
  },
})
