/**
 * TLB sets: one direct-mapped software TLB (read/write/execute tags per privilege bank,
 * see mmu.ts) per process-context identifier, with per-slot global flags, so that
 * - MOV to CR3 drops only non-global translations (Intel SDM vol. 3, 4.10.4.1),
 * - with CR4.PCIDE = 1 the translations of up to MAX_SETS PCIDs are kept side by side and
 *   MOV to CR3 with bit 63 set switches to the new PCID's set without invalidating
 *   (SDM vol. 3, 4.10.1 "Process-context identifiers"). A PCID that has no set takes the
 *   least recently activated one, which is emptied first (a TLB may drop any entry).
 * The active set's arrays are aliased by CpuState's tlb* fields, which the hot paths read.
 * Each fill is logged, so a flush costs what was filled since the last one (or one scan
 * of the set when the log overflowed).
 */
import type { CpuState } from './cpu-state'

export const TLB_BITS = 10
export const TLB_SIZE = 1 << TLB_BITS

/** Tag-array ids (slot = id * TLB_SIZE + index). */
export const TlbArray = { ReadS: 0, ReadU: 1, WriteS: 2, WriteU: 3, ExecS: 4, ExecU: 5 } as const

/** PCIDs whose translations are kept at once. */
export const MAX_SETS = 8
/** Fills remembered between flushes before a flush scans the whole set. */
const LOG_CAP = 2048
/** Distinct large pages remembered per set before INVLPG must assume any may be cached. */
const REGION_CAP = 32
const MASK = TLB_SIZE - 1
type F64 = Float64Array<ArrayBuffer>

export class TlbSet {
  /** The six tag arrays in TlbArray order (linear page number, NaN = invalid). */
  readonly tags: F64[]
  readonly readPhys: F64
  readonly writePhys: F64
  readonly execPhys: F64
  /** Per slot: bit 0 = global translation (G = 1 with CR4.PGE = 1), bit 1 = piece of a large page, bit 2 = of a 1-GiB page. */
  readonly global = new Uint8Array(6 * TLB_SIZE)
  readonly log = new Int32Array(LOG_CAP)
  logCount = 0
  overflow = false
  /** Some slot was filled with a global translation since the last full flush. */
  hasGlobal = false
  /** Largest page size class filled since the last full flush (paging.ts walkLarge). */
  largest = 0
  /** Large pages with pieces cached: 2-MiB region numbers (page / 512), -1 - (page / 2^18) for 1 GiB. */
  readonly regions = new Float64Array(REGION_CAP)
  regionCount = 0
  regionOverflow = false
  pcid = 0
  /** Activation stamp (least recently activated set is reused first). */
  used = 0

  constructor(tags: F64[], readPhys: F64, writePhys: F64, execPhys: F64) {
    this.tags = tags
    this.readPhys = readPhys
    this.writePhys = writePhys
    this.execPhys = execPhys
  }

  /** A set over CpuState's initial arrays (set 0). */
  static adopt(c: CpuState): TlbSet {
    return new TlbSet([c.tlbReadTagS, c.tlbReadTagU, c.tlbWriteTagS, c.tlbWriteTagU, c.tlbExecTagS, c.tlbExecTagU],
      c.tlbReadPhys, c.tlbWritePhys, c.tlbExecPhys)
  }

  static create(): TlbSet {
    const tags: F64[] = []
    for (let k = 0; k < 6; k++) tags.push(new Float64Array(TLB_SIZE).fill(NaN))
    return new TlbSet(tags, new Float64Array(2 * TLB_SIZE), new Float64Array(2 * TLB_SIZE), new Float64Array(2 * TLB_SIZE))
  }
}

/** Remember slot `slot` of the active set as global or not (after a fill). */
export function noteFill(c: CpuState, slot: number, global: boolean, large: number): void {
  const s = c.tlbSet
  if (large > s.largest) s.largest = large
  s.global[slot] = (global ? 1 : 0) | (large === 0 ? 0 : large === 1 ? 2 : 6)
  if (large !== 0) addRegion(s, large, s.tags[slot >> TLB_BITS][slot & MASK])
  if (global) s.hasGlobal = true
  if (s.logCount < LOG_CAP) s.log[s.logCount++] = slot
  else s.overflow = true
}

export function flushSetAll(s: TlbSet): void {
  if (s.overflow) for (let k = 0; k < 6; k++) s.tags[k].fill(NaN)
  else {
    const log = s.log, tags = s.tags
    for (let n = 0; n < s.logCount; n++) { const slot = log[n]; tags[slot >> TLB_BITS][slot & MASK] = NaN }
  }
  s.logCount = 0
  s.overflow = false
  s.hasGlobal = false
  s.largest = 0
  s.regionCount = 0
  s.regionOverflow = false
}

function addRegion(s: TlbSet, large: number, page: number): void {
  const key = large === 2 ? -1 - Math.floor(page / 262144) : Math.floor(page / 512)
  const r = s.regions
  for (let k = 0; k < s.regionCount; k++) if (r[k] === key) return
  if (s.regionCount < REGION_CAP) r[s.regionCount++] = key
  else s.regionOverflow = true
}

/** Drop the non-global translations of set `s`. */
export function flushSetNonGlobal(s: TlbSet): void {
  if (!s.hasGlobal) { flushSetAll(s); return }
  const g = s.global, tags = s.tags
  const log = s.log
  let kept = 0
  if (s.overflow) {
    // scan, and log the global survivors again so the next flushes can use the log
    let over = false
    for (let k = 0; k < 6; k++) {
      const t = tags[k], base = k * TLB_SIZE
      for (let i = 0; i < TLB_SIZE; i++) {
        if ((g[base + i] & 1) === 0) t[i] = NaN
        else if (t[i] === t[i]) { if (kept < LOG_CAP) log[kept++] = base + i; else over = true }
      }
    }
    s.overflow = over
  } else {
    for (let n = 0; n < s.logCount; n++) {
      const slot = log[n]
      // global entries stay logged (a later full flush must find them)
      if ((g[slot] & 1) === 0) tags[slot >> TLB_BITS][slot & MASK] = NaN
      else log[kept++] = slot
    }
  }
  s.logCount = kept
  // the large pages still cached are those of the surviving (global) entries
  s.regionCount = 0
  s.regionOverflow = false
  for (let n = 0; n < kept; n++) {
    const slot = log[n], f = g[slot]
    if ((f & 2) !== 0) addRegion(s, (f & 4) !== 0 ? 2 : 1, tags[slot >> TLB_BITS][slot & MASK])
  }
  if (s.overflow) s.regionOverflow = true
}

/** Make `s` the set the hot paths use. */
export function activateSet(c: CpuState, s: TlbSet): void {
  c.tlbSet = s
  s.used = ++c.tlbStamp
  c.tlbReadTagS = s.tags[0]; c.tlbReadTagU = s.tags[1]
  c.tlbWriteTagS = s.tags[2]; c.tlbWriteTagU = s.tags[3]
  c.tlbExecTagS = s.tags[4]; c.tlbExecTagU = s.tags[5]
  c.tlbReadPhys = s.readPhys; c.tlbWritePhys = s.writePhys; c.tlbExecPhys = s.execPhys
  const user = c.cpl === 3
  c.tlbRead = user ? c.tlbReadTagU : c.tlbReadTagS
  c.tlbWrite = user ? c.tlbWriteTagU : c.tlbWriteTagS
  c.fetchLo = 0; c.fetchHi = 0
}

/**
 * MOV to CR3 with CR4.PCIDE = 1: switch to `pcid`'s set; `flush` (CR3 bit 63 clear)
 * drops its non-global translations (SDM vol. 3, 4.10.4.1).
 */
export function switchPcid(c: CpuState, pcid: number, flush: boolean): void {
  const sets = c.tlbSets
  let s: TlbSet | undefined
  for (let k = 0; k < sets.length; k++) if (sets[k].pcid === pcid) { s = sets[k]; break }
  if (s === undefined) {
    if (sets.length < MAX_SETS) { s = TlbSet.create(); sets.push(s) } else {
      s = sets[0]
      for (let k = 1; k < sets.length; k++) if (sets[k].pcid === -1 || (s.pcid !== -1 && sets[k].used < s.used)) s = sets[k]
      flushSetAll(s)
    }
    s.pcid = pcid
  } else if (flush) flushSetNonGlobal(s)
  activateSet(c, s)
}



/**
 * A physical page now holds cached code: inactive sets must not keep write entries for
 * it (the active set is purged by code-cache.ts), or stores would bypass invalidation.
 */
export function purgeInactiveWrites(c: CpuState, base: number): void {
  const sets = c.tlbSets
  if (sets.length < 2) return
  for (let k = 0; k < sets.length; k++) {
    const s = sets[k]
    if (s === c.tlbSet) continue
    const phys = s.writePhys, ts = s.tags[TlbArray.WriteS], tu = s.tags[TlbArray.WriteU]
    for (let i = 0; i < TLB_SIZE; i++) {
      if (phys[i] === base) ts[i] = NaN
      if (phys[i + TLB_SIZE] === base) tu[i] = NaN
    }
  }
}

/**
 * INVPCID (SDM vol. 2): 0 = one address in one PCID, 1 = one PCID, 2 = everything incl.
 * global translations, 3 = everything but global translations. Dropping more is allowed.
 */
export function invalidatePcid(c: CpuState, type: number, pcid: number, lin: number): void {
  const region4m = false // INVPCID exists only in IA-32e mode
  for (const s of c.tlbSets) {
    if (type === 2) flushSetAll(s)
    else if (type === 3) flushSetNonGlobal(s)
    else if (s.pcid === pcid) {
      if (type === 0) flushSetSlot(s, lin, region4m)
      else flushSetNonGlobal(s)
    }
  }
  c.fetchLo = 0; c.fetchHi = 0; c.fetchCode = null
}

/**
 * INVLPG in one set: the slot of `lin`'s page and, when large pages were cached (as 4 KiB
 * pieces), every piece of the large page holding it (`region4m`: 32-bit paging's 4 MiB).
 */
export function flushSetSlot(s: TlbSet, lin: number, region4m = false): void {
  const page = Math.floor(lin / 4096), i = page & MASK
  for (let k = 0; k < 6; k++) s.tags[k][i] = NaN
  if (s.largest === 0) return
  // only when a large page around `lin` may have pieces here (user pages usually have none)
  const r2m = Math.floor(page / 512), r1g = -1 - Math.floor(page / 262144)
  let huge = s.regionOverflow && s.largest === 2, hit = s.regionOverflow
  for (let k = 0; k < s.regionCount; k++) {
    const key = s.regions[k]
    if (key === r1g) { hit = true; huge = true } else if (key === r2m || (region4m && key === (r2m ^ 1))) hit = true
  }
  if (!hit) return
  const span = huge ? 262144 : region4m ? 1024 : 512
  const first = Math.floor(page / span) * span
  const g = s.global
  for (let k = 0; k < 6; k++) {
    const t = s.tags[k], base = k * TLB_SIZE
    if (span >= TLB_SIZE) {
      for (let j = 0; j < TLB_SIZE; j++) if ((g[base + j] & 2) !== 0 && Math.floor(t[j] / span) * span === first) t[j] = NaN
    } else {
      for (let p = first; p < first + span; p++) if (t[p & MASK] === p && (g[base + (p & MASK)] & 2) !== 0) t[p & MASK] = NaN
    }
  }
}
