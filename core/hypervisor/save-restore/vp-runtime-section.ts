/**
 * Saved-state section `hv.vp-runtime`: the part of each VP's run time (HV_X64_MSR_VP_RUNTIME,
 * TLFS 10.3.2; saved per 17.1.5) below the MSR's 100 ns unit. The VP record carries the run
 * time in whole units; a VP saved mid-unit would, without this remainder, read its run time
 * up to one unit late after restore — and a guest that reads it would diverge from an
 * uninterrupted run.
 *
 * Version 2 stores the remainder in nanoseconds (0-99), whatever the run-time source.
 * Version 1 stored it in retired instructions at 10 per unit (0-9), i.e. tenths of a unit:
 * it restores as remainder × 10 ns.
 */
import type { Partition } from '../partition'
import { ByteReader, ByteWriter } from './byte-stream'
import { registerSaveSection } from './save-sections'
import { HvSaveRestoreStateResult as R } from './save-restore-types'

/** Nanoseconds per stored remainder step, and the largest remainder, by section version. */
const FORMAT: Record<number, { ns: number; max: number }> = { 1: { ns: 10, max: 9 }, 2: { ns: 1, max: 99 } }

function parse(p: Partition, data: Uint8Array, version: number): Array<[number, number]> | null {
  const f = FORMAT[version]
  if (!f) return null
  const r = new ByteReader(data)
  const out: Array<[number, number]> = []
  for (let n = r.u16('vp count'); n > 0; n--) {
    const index = r.u32('vp index')
    const remainder = r.u8('remainder')
    if (!p.vp(index) || remainder > f.max) return null
    out.push([index, remainder * f.ns])
  }
  return r.remaining === 0 ? out : null
}

registerSaveSection('hv.vp-runtime', {
  version: 2,
  save(p) {
    const vps = p.liveVps()
    const w = new ByteWriter().u16(vps.length)
    for (const vp of vps) w.u32(vp.index).u8(Math.floor(((vp.runTimeNs % 100) + 100) % 100))
    return w.finish()
  },
  check: (p, data, version) => (parse(p, data, version) ? R.HvStateComplete : R.HvStateCorruptData),
  restore(p, data, version) {
    // The VP record set the whole units with a zero remainder; add the saved one.
    for (const [index, ns] of parse(p, data, version) ?? []) p.vp(index)!.runTimeOffsetNs += ns
  },
})
