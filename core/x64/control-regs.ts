/**
 * Writes to CR0, CR3, CR4, CR8 and EFER with their consistency checks, long-mode
 * activation (EFER.LMA = LME && CR0.PG) and the TLB flushes they imply (Intel SDM
 * vol. 3, ch. 2.5 "Control registers", 9.8.5 "Initializing IA-32e mode",
 * 4.10.4 "Invalidation of TLBs and paging-structure caches").
 */
import type { CpuState } from './cpu-state'
import { CR0, CR4, EFER, Mode } from './constants'
import { gp } from './faults'
import { flushTlb, flushTlbNonGlobal } from './mmu'
import { updateMode } from './segmentation'
import { switchPcid } from './tlb-set'

/** CR4 bits this CPU implements (matches cpuid-model.ts). */
export const CR4_SUPPORTED = CR4.TSD | CR4.DE | CR4.PSE | CR4.PAE | CR4.MCE | CR4.PGE | CR4.PCE |
  CR4.OSFXSR | CR4.OSXMMEXCPT | CR4.PCIDE

/** CR3 bits 63:40 are reserved for MAXPHYADDR 40 (bit 63 is the PCID no-flush hint). */
const CR3_RSV_HI = 0x7fffff00

/** MOV CR0 (hi: the upper 32 bits must be zero). */
export function writeCr0(c: CpuState, v: number, hi: number): void {
  if (hi !== 0) gp(0)
  v = (v | CR0.ET) >>> 0
  if ((v & CR0.PG) !== 0 && (v & CR0.PE) === 0) gp(0)
  if ((v & CR0.NW) !== 0 && (v & CR0.CD) === 0) gp(0)
  const wasPg = (c.cr0 & CR0.PG) !== 0, pg = (v & CR0.PG) !== 0
  if (!wasPg && pg && (c.efer & EFER.LME) !== 0) {
    if ((c.cr4 & CR4.PAE) === 0) gp(0)
    c.efer |= EFER.LMA
  }
  if (wasPg && !pg) {
    // clearing PG with CR4.PCIDE = 1 is #GP (SDM vol. 3, 4.10.1)
    if (c.mode === Mode.Long64 || (c.cr4 & CR4.PCIDE) !== 0) gp(0)
    c.efer &= ~EFER.LMA
  }
  const changed = (c.cr0 ^ v) >>> 0
  c.cr0 = v
  if ((changed & (CR0.PG | CR0.WP | CR0.PE)) !== 0) flushTlb(c)
  updateMode(c)
}

/**
 * MOV to CR3: non-global translations go (SDM vol. 3, 4.10.4.1); with CR4.PCIDE = 1,
 * bits 11:0 are the PCID and bit 63 set keeps the new PCID's translations (bit 63 is not
 * stored).
 */
export function writeCr3(c: CpuState, v: number, hi: number): void {
  const pcide = (c.cr4 & CR4.PCIDE) !== 0
  // bits 63:40 are reserved; bit 63 only without PCIDs (SDM vol. 3, 4.10.4.1)
  if ((c.efer & EFER.LMA) !== 0 && ((hi & CR3_RSV_HI) !== 0 || (!pcide && hi < 0))) gp(0)
  const keep = pcide && hi < 0
  c.cr3 = ((pcide ? hi & 0x7fffffff : hi) >>> 0) * 4294967296 + (v >>> 0)
  if (pcide) {
    switchPcid(c, v & 0xfff, !keep)
    c.fetchCode = null
  } else flushTlbNonGlobal(c)
}

export function writeCr4(c: CpuState, v: number, hi: number): void {
  if (hi !== 0 || (v & ~CR4_SUPPORTED) !== 0) gp(0)
  if ((c.efer & EFER.LMA) !== 0 && (v & CR4.PAE) === 0) gp(0)
  const changed = c.cr4 ^ v
  // PCIDE can be set only in IA-32e mode with PCID 000H in CR3 (SDM vol. 3, 4.10.1)
  if ((changed & v & CR4.PCIDE) !== 0 && ((c.efer & EFER.LMA) === 0 || (c.cr3 % 4096) !== 0)) gp(0)
  c.cr4 = v
  // PCIDE 1 -> 0 invalidates everything, as does any change of PGE (SDM vol. 3, 4.10.4.1)
  if ((changed & (CR4.PAE | CR4.PSE | CR4.PGE | CR4.PCIDE)) !== 0) flushTlb(c)
}

export function writeCr8(c: CpuState, v: number, hi: number): void {
  if (hi !== 0 || (v & ~0xf) !== 0) gp(0)
  c.cr8 = v
}

/** WRMSR EFER: reserved bits and LME changes under paging #GP; LMA is read-only. */
export function writeEfer(c: CpuState, v: number, hi: number): void {
  if (hi !== 0 || (v & ~(EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE)) !== 0) gp(0)
  if ((c.cr0 & CR0.PG) !== 0 && ((v ^ c.efer) & EFER.LME) !== 0) gp(0)
  const changed = (c.efer ^ v) & EFER.NXE
  c.efer = (v & ~EFER.LMA) | (c.efer & EFER.LMA)
  if (changed) flushTlb(c)
}
