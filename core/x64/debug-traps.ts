/**
 * Debug exceptions (#DB, vector 1): single-step traps (EFLAGS.TF), instruction breakpoints
 * (DR0-DR3 with DR7 R/W = 00), data breakpoints (R/W = 01 writes, 11 reads and writes),
 * general detect (DR7.GD), the resume flag (RF) and the DR6 status bits; I/O breakpoints
 * (R/W = 10) are accepted but never fire. Intel SDM vol. 3, ch. 17.2 "Debug registers",
 * 17.3 "Debug exceptions".
 *
 * The run loop calls debugBeforeStep/debugAfterStep around each interpreted instruction
 * while debugging is active (TF or RF set, or `dbArmed`); compiled blocks do not run then.
 * Pages holding a data breakpoint get no TLB entries (mmu.ts), so every access to them
 * takes the slow path, which calls dataBreakpoint.
 */
import type { CpuState } from './cpu-state'
import { FLAGS, Mode, Vector } from './constants'
import { fault } from './faults'
import { flushTlb } from './mmu'

const SEG_CS = 1

/** DR6 status bits. */
export const DR6 = { B0: 0x1, BD: 0x2000, BS: 0x4000, BT: 0x8000 } as const
/** DR7 control bits (Ln = bit 2n, Gn = bit 2n+1; R/Wn at 16+4n, LENn at 18+4n). */
export const DR7 = { GD: 0x2000 } as const

/** RFLAGS bits that make the run loop single-step through debugBeforeStep/AfterStep. */
export const DEBUG_FLAGS = FLAGS.TF | FLAGS.RF

/** Re-derive the numeric DR copies and `dbArmed` after DR0-3/DR7 change. */
export function refreshDebug(c: CpuState): void {
  const dr7 = Number(c.dr[7] & 0xffffffffn)
  c.dr7Lo = dr7
  let armed = 0, watch = 0
  for (let n = 0; n < 4; n++) {
    c.dbAddr[n] = Number(BigInt.asIntN(64, c.dr[n]))
    if (((dr7 >> (2 * n)) & 3) === 0) continue
    const rw = (dr7 >>> (16 + 4 * n)) & 3
    if (rw === 0) armed = 1
    else if (rw === 1) watch |= 1 << n
    else if (rw === 3) watch |= (1 << n) | (1 << (n + 4))
  }
  // data breakpoints: their pages must leave the TLB (and stay out, see watchedPage)
  if (watch !== 0 || c.dbWatch !== 0) flushTlb(c)
  c.dbWatch = watch
  c.dbArmed = armed | (watch !== 0 ? 1 : 0) | (c.dbDeferred !== 0 ? 1 : 0)
}

/** Breakpoint n's watched range start (aligned to its length) in the current mode's linear terms. */
function watchStart(c: CpuState, n: number, len: number): number {
  const a = c.mode === Mode.Long64 ? c.dbAddr[n] : c.dbAddr[n] >>> 0
  const r = a % len
  return a - (r < 0 ? r + len : r)
}

function watchLen(c: CpuState, n: number): number {
  const l = (c.dr7Lo >>> (18 + 4 * n)) & 3
  return l === 0 ? 1 : l === 1 ? 2 : l === 3 ? 4 : 8
}

/** Is linear page `page` holding a data breakpoint (no TLB entry allowed)? */
export function watchedPage(c: CpuState, page: number): boolean {
  for (let n = 0; n < 4; n++) {
    if ((c.dbWatch & (1 << n)) === 0) continue
    if (Math.floor(watchStart(c, n, watchLen(c, n)) / 4096) === page) return true
  }
  return false
}

/** A data access of `size` bytes at `lin`: note the data breakpoints it hits (a trap after the instruction). */
export function dataBreakpoint(c: CpuState, lin: number, size: number, write: boolean): void {
  for (let n = 0; n < 4; n++) {
    if ((c.dbWatch & (1 << n)) === 0 || (!write && (c.dbWatch & (1 << (n + 4))) === 0)) continue
    const len = watchLen(c, n), a = watchStart(c, n, len)
    if (lin < a + len && a < lin + size) c.dbHits |= 1 << n
  }
}

function setDr6(c: CpuState, bits: number, clearB: boolean): void {
  let v = Number(c.dr[6] & 0xffffffffn)
  // B0-B3 report the breakpoints of this exception; BD/BS/BT stay set until software clears them
  if (clearB) v &= ~0xf
  c.dr[6] = BigInt((v | bits) >>> 0)
}

/**
 * Before an instruction: instruction breakpoints (a fault: nothing executed, RF pushed as
 * is), then RF is cleared "at the start of the instruction after the check for code
 * breakpoint" (SDM vol. 3, 17.3.1.1), and TF is sampled for the single-step trap.
 */
export function debugBeforeStep(c: CpuState): void {
  c.dbMovSs = 0
  c.dbHits = 0
  c.dbStepPending = (c.eflags & FLAGS.TF) !== 0 ? 1 : 0
  if (c.dbArmed !== 0 && (c.eflags & FLAGS.RF) === 0) {
    const dr7 = c.dr7Lo
    const long = c.mode === Mode.Long64
    const lin = long ? c.rip : (c.segBase[SEG_CS] + c.rip) >>> 0
    let hits = 0
    for (let n = 0; n < 4; n++) {
      if (((dr7 >> (2 * n)) & 3) === 0 || ((dr7 >>> (16 + 4 * n)) & 3) !== 0) continue
      const a = long ? c.dbAddr[n] : c.dbAddr[n] >>> 0
      if (a === lin) hits |= 1 << n
    }
    if (hits !== 0) {
      c.dbStepPending = 0
      setDr6(c, hits, true)
      fault(Vector.DB, 0, false)
    }
  }
  c.eflags &= ~FLAGS.RF
}

/**
 * After an instruction retired: whether a #DB trap is due now (DR6 updated). Traps of an
 * instruction that loaded SS wait until the next instruction retires (SDM vol. 3, 6.8.3).
 */
export function debugAfterStep(c: CpuState): boolean {
  let hit = (c.dbStepPending !== 0 ? DR6.BS : 0) | c.dbHits
  c.dbStepPending = 0
  c.dbHits = 0
  if (c.dbMovSs !== 0) {
    c.dbMovSs = 0
    if (hit !== 0) { c.dbDeferred |= hit; c.dbArmed = 1 }
    return false
  }
  if (c.dbDeferred !== 0) {
    hit |= c.dbDeferred
    c.dbDeferred = 0
    refreshDebug(c)
  }
  if (hit === 0) return false
  setDr6(c, hit, (hit & 0xf) !== 0)
  return true
}

/** MOV to/from a debug register with DR7.GD set: #DB fault with DR6.BD, GD cleared (SDM 17.2.4). */
export function generalDetect(c: CpuState): void {
  if ((c.dr7Lo & DR7.GD) === 0) return
  c.dr[7] &= ~BigInt(DR7.GD)
  refreshDebug(c)
  setDr6(c, DR6.BD, true)
  fault(Vector.DB, 0, false)
}

/** Fault-class exceptions push RF = 1 (SDM vol. 3, 17.3.1.1); traps, aborts and #DB push RF as is. */
export function pushesRf(vector: number): boolean {
  return vector !== Vector.DB && vector !== Vector.NMI && vector !== Vector.BP && vector !== Vector.OF &&
    vector !== Vector.DF && vector !== Vector.MC && vector < 32
}
