/**
 * The architectural MSRs the CPU owns (api.ts: everything else, including APIC_BASE and
 * the 0x40000000+ synthetic range, exits). Reads/writes return lo/hi halves; invalid
 * writes raise #GP (non-canonical bases, reserved EFER bits). Intel SDM vol. 4.
 */
import type { CpuState } from './cpu-state'
import { MSR } from './constants'
import { gp } from './faults'
import { writeEfer } from './control-regs'
import { ARCH_CAPABILITIES_LO, ARCH_CAPABILITIES_HI } from './cpuid-model'

const TWO32 = 4294967296

/** Result halves of ownedMsrRead. */
export const msrValue = { lo: 0, hi: 0 }

function isMtrr(i: number): boolean {
  return i === MSR.MTRRCAP || i === MSR.MTRR_DEF_TYPE || (i >= 0x200 && i <= 0x20f) || i === 0x250 || i === 0x258 || i === 0x259 || (i >= 0x268 && i <= 0x26f)
}
function isMc(i: number): boolean {
  return i === MSR.MCG_CAP || i === MSR.MCG_STATUS || i === MSR.MCG_CTL || (i >= 0x400 && i < 0x400 + 4 * 4)
}

export function ownsMsr(i: number): boolean {
  switch (i) {
    case MSR.TSC: case MSR.SYSENTER_CS: case MSR.SYSENTER_ESP: case MSR.SYSENTER_EIP: case MSR.MISC_ENABLE:
    case MSR.PAT: case MSR.EFER: case MSR.STAR: case MSR.LSTAR: case MSR.CSTAR: case MSR.SFMASK:
    case MSR.FS_BASE: case MSR.GS_BASE: case MSR.KERNEL_GS_BASE: case MSR.TSC_AUX:
    case MSR.SPEC_CTRL: case MSR.PRED_CMD: case MSR.ARCH_CAPABILITIES:
      return true
    default:
      return isMtrr(i) || isMc(i)
  }
}

function split(v: number): void {
  msrValue.lo = v | 0
  msrValue.hi = Math.floor(v / TWO32) | 0
}
function splitBig(v: bigint): void {
  msrValue.lo = Number(v & 0xffffffffn) | 0
  msrValue.hi = Number((v >> 32n) & 0xffffffffn) | 0
}

/** Read an owned MSR into msrValue; false when not owned. */
export function ownedMsrRead(c: CpuState, i: number): boolean {
  switch (i) {
    case MSR.TSC: split(Math.max(0, Math.floor(c.readTsc() + c.tscOffset))); return true
    case MSR.SYSENTER_CS: split(c.sysenterCs); return true
    case MSR.SYSENTER_ESP: split(c.sysenterEsp); return true
    case MSR.SYSENTER_EIP: split(c.sysenterEip); return true
    case MSR.MISC_ENABLE: splitBig(c.miscEnable); return true
    case MSR.PAT: splitBig(c.pat); return true
    case MSR.EFER: split(c.efer); return true
    case MSR.STAR: splitBig(c.star); return true
    case MSR.LSTAR: split(c.lstar); return true
    case MSR.CSTAR: split(c.cstar); return true
    case MSR.SFMASK: split(c.sfmask); return true
    case MSR.FS_BASE: split(c.segBase[4]); return true
    case MSR.GS_BASE: split(c.segBase[5]); return true
    case MSR.KERNEL_GS_BASE: split(c.kernelGsBase); return true
    case MSR.TSC_AUX: split(c.tscAux); return true
    case MSR.SPEC_CTRL: split(c.specCtrl); return true
    case MSR.PRED_CMD: return gp(0) // write-only (SDM vol. 4 table 2-2)
    case MSR.ARCH_CAPABILITIES: msrValue.lo = ARCH_CAPABILITIES_LO | 0; msrValue.hi = ARCH_CAPABILITIES_HI | 0; return true
    case MSR.MTRRCAP: splitBig(0x508n); return true // 8 variable ranges, fixed ranges, WC
    case MSR.MCG_CAP: splitBig(4n); return true // 4 banks, no MCG_CTL
    default:
      if (isMtrr(i) || isMc(i)) { splitBig(c.msrStore.get(i) ?? 0n); return true }
      return false
  }
}

function canonical(lo: number, hi: number): number {
  const v = hi * TWO32 + (lo >>> 0)
  if (v < -0x800000000000 || v >= 0x800000000000) gp(0)
  return v
}

/** Write an owned MSR; false when not owned. Raises #GP on invalid values. */
export function ownedMsrWrite(c: CpuState, i: number, lo: number, hi: number): boolean {
  const big = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)
  switch (i) {
    case MSR.TSC: c.tscOffset = Number(big) - c.readTsc(); return true
    case MSR.SYSENTER_CS: c.sysenterCs = lo & 0xffff; return true
    case MSR.SYSENTER_ESP: c.sysenterEsp = canonical(lo, hi); return true
    case MSR.SYSENTER_EIP: c.sysenterEip = canonical(lo, hi); return true
    case MSR.MISC_ENABLE: c.miscEnable = big; return true
    case MSR.PAT: {
      for (let b = 0; b < 8; b++) { const t = Number((big >> BigInt(b * 8)) & 0xffn); if (t === 2 || t === 3 || t > 7) gp(0) }
      c.pat = big; return true
    }
    case MSR.EFER: writeEfer(c, lo, hi); return true
    case MSR.STAR: c.star = big; return true
    case MSR.LSTAR: c.lstar = canonical(lo, hi); return true
    case MSR.CSTAR: c.cstar = canonical(lo, hi); return true
    case MSR.SFMASK: c.sfmask = lo >>> 0; return true
    case MSR.FS_BASE: c.segBase[4] = canonical(lo, hi); return true
    case MSR.GS_BASE: c.segBase[5] = canonical(lo, hi); return true
    case MSR.KERNEL_GS_BASE: c.kernelGsBase = canonical(lo, hi); return true
    case MSR.TSC_AUX: if (hi !== 0) gp(0); c.tscAux = lo >>> 0; return true
    // SPEC_CTRL: IBRS (0), STIBP (1), SSBD (2); PRED_CMD: IBPB (0). Nothing speculates, so
    // the value is only kept for reads; reserved bits fault.
    case MSR.SPEC_CTRL: if (hi !== 0 || (lo & ~7) !== 0) gp(0); c.specCtrl = lo; return true
    case MSR.PRED_CMD: if (hi !== 0 || (lo & ~1) !== 0) gp(0); return true
    case MSR.MTRRCAP: case MSR.MCG_CAP: case MSR.ARCH_CAPABILITIES: gp(0)
    default:
      if (isMtrr(i) || isMc(i)) { c.msrStore.set(i, big); return true }
      return false
  }
}
