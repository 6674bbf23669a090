/**
 * The decoded-code cache: for every physical page that 64-bit code has run from, an array
 * of pre-decoded instruction closures indexed by page offset (compile.ts builds them on
 * first execution). A page holding cached code gets no write-TLB entries, so every store
 * to it takes the slow path, which drops the page's closures (self-modifying code);
 * writes from outside the CPU arrive through GuestMemory.onExternalWrite.
 */
import type { CpuState, CodeBlock } from './cpu-state'
import { TLB_SIZE } from './cpu-state'

/** The closure array of physical page `gpage` (created and marked on first use). */
export function pageCode(c: CpuState, gpage: number): Array<CodeBlock | undefined> | null {
  if (gpage >= c.codeMark.length) return null
  // a page whose code keeps being overwritten (code and hot data sharing a page) is
  // interpreted; a kernel patches its text in bursts at boot (alternatives, jump labels,
  // ftrace), so once the page has been quiet for a while its code is cached again
  if (c.codeInvalidations[gpage] >= MAX_INVALIDATIONS) {
    if (c.retired - c.codeInvalidatedAt[gpage] < QUIET_RETIRED) return null
    c.codeInvalidations[gpage] = 0
  }
  let arr = c.codePages[gpage]
  if (arr === undefined) {
    arr = new Array<CodeBlock | undefined>(4096)
    c.codePages[gpage] = arr
    if (c.codeMark[gpage] !== 1) {
      c.codeMark[gpage] = 1
      purgeWriteTlb(c, gpage * 4096)
    }
  }
  return arr
}

/** Remove write-TLB entries that map physical page `base` (it now holds cached code). */
function purgeWriteTlb(c: CpuState, base: number): void {
  const phys = c.tlbWritePhys
  for (let i = 0; i < TLB_SIZE; i++) {
    if (phys[i] === base) c.tlbWriteTagS[i] = NaN
    if (phys[i + TLB_SIZE] === base) c.tlbWriteTagU[i] = NaN
  }
}

const MAX_INVALIDATIONS = 16
/** Instructions without a store to a given-up page before its code is cached again. */
const QUIET_RETIRED = 2_000_000

export function invalidateCodePage(c: CpuState, gpage: number): void {
  if (c.codeInvalidations[gpage] < 255) c.codeInvalidations[gpage]++
  c.codeInvalidatedAt[gpage] = c.retired
  const arr = c.codePages[gpage]
  c.codePages[gpage] = undefined
  c.codeMark[gpage] = 0
  if (arr !== undefined && c.fetchCode === arr) { c.fetchCode = null; c.fetchLo = 0; c.fetchHi = 0 }
}

/** Invalidate the code of every page in [gpa, gpa + length). */
export function invalidateCodeRange(c: CpuState, gpa: number, length: number): void {
  const first = Math.max(0, Math.floor(gpa / 4096)), last = Math.min(c.codeMark.length - 1, Math.floor((gpa + length - 1) / 4096))
  for (let p = first; p <= last; p++) if (c.codeMark[p] === 1) invalidateCodePage(c, p)
}

/** `ip` lies in the fetch window (the page whose code is cached in `c.fetchCode`). */
export function inFetchWindow(c: CpuState, ip: number): boolean {
  return ip >= c.fetchLo && ip < c.fetchHi
}

/** Drop every cached closure. */
export function flushCode(c: CpuState): void {
  c.codePages.fill(undefined)
  c.codeMark.fill(0)
  c.codeInvalidations.fill(0)
  c.codeInvalidatedAt.fill(0)
  c.fetchCode = null
  c.fetchLo = 0
  c.fetchHi = 0
  // no block refers to the records any more (flushes come between runs, never inside one)
  c.recTop = 0
  c.recFns.length = 0
}
