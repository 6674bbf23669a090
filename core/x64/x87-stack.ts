/**
 * The x87 register stack (Intel SDM vol. 1, 8.1.2 "x87 FPU data registers", 8.1.7 tag
 * word, 8.5.1.1 stack overflow/underflow): 80-bit physical registers in CpuState.fpr,
 * TOP, the abridged tag (bit p set = physical register p in use), the full tag word,
 * and folding an instruction's exception flags into the status word.
 */
import type { CpuState } from './cpu-state'
import { type F80, F80Class, FSW, INDEFINITE, classify, status } from './f80'

export function readPhys(c: CpuState, p: number): F80 {
  const o = p * 3
  return { se: c.fpr[o + 2], hi: c.fpr[o + 1], lo: c.fpr[o] }
}

export function writePhys(c: CpuState, p: number, v: F80): void {
  const o = p * 3
  c.fpr[o] = v.lo
  c.fpr[o + 1] = v.hi
  c.fpr[o + 2] = v.se & 0xffff
}

export function phys(c: CpuState, i: number): number {
  return (c.fpTop + i) & 7
}

export function st(c: CpuState, i: number): F80 {
  return readPhys(c, phys(c, i))
}

export function isEmpty(c: CpuState, i: number): boolean {
  return (c.fpTag & (1 << phys(c, i))) === 0
}

export function setSt(c: CpuState, i: number, v: F80): void {
  const p = phys(c, i)
  writePhys(c, p, v)
  c.fpTag |= 1 << p
}

/** Stack-fault flags (IE|SF); C1 tells overflow (1) from underflow (0). */
export const stackFault = { overflow: false, underflow: false }

export function underflow(): void {
  status.flags |= FSW.IE | FSW.SF
  stackFault.underflow = true
}

/** Push; onto a non-empty register it is a stack overflow and (masked) pushes the indefinite. */
export function push(c: CpuState, v: F80): void {
  const p = (c.fpTop - 1) & 7
  if ((c.fpTag & (1 << p)) !== 0) {
    status.flags |= FSW.IE | FSW.SF
    stackFault.overflow = true
    v = INDEFINITE
  }
  c.fpTop = p
  writePhys(c, p, v)
  c.fpTag |= 1 << p
}

export function pop(c: CpuState): void {
  c.fpTag &= ~(1 << c.fpTop)
  c.fpTop = (c.fpTop + 1) & 7
}

export function beginOp(): void {
  status.flags = 0
  status.up = false
  stackFault.overflow = false
  stackFault.underflow = false
}

/** C1 handling of the finishing instruction. */
export const C1 = { RoundUp: 0, Zero: 1, Keep: 2 } as const

/**
 * Fold the instruction's exceptions into FSW: sticky flags, C1 (stack underflow clears it,
 * overflow sets it, else per `c1`), and ES/B when any raised exception is unmasked.
 */
export function commit(c: CpuState, c1: number): void {
  let sw = c.fpSw | status.flags
  // an empty source is found before a full destination (FLD ST(i) with both): C1 = 0
  if (stackFault.underflow) sw &= ~FSW.C1
  else if (stackFault.overflow) sw |= FSW.C1
  else if (c1 === C1.RoundUp) sw = status.up ? sw | FSW.C1 : sw & ~FSW.C1
  else if (c1 === C1.Zero) sw &= ~FSW.C1
  c.fpSw = sw
  updateSummary(c)
}

/** ES and B follow "some flagged exception is unmasked" (SDM vol. 1, 8.1.3.1). */
export function updateSummary(c: CpuState): void {
  if ((c.fpSw & ~c.fpCw & 0x3f) !== 0) c.fpSw |= FSW.ES | FSW.B
  else c.fpSw &= ~(FSW.ES | FSW.B)
}

/** Status word as stored: TOP in bits 13:11. */
export function fsw(c: CpuState): number {
  return (c.fpSw & ~0x3800) | ((c.fpTop & 7) << 11)
}

/** Full 16-bit tag word: 00 valid, 01 zero, 10 special, 11 empty, per physical register. */
export function fullTag(c: CpuState): number {
  let t = 0
  for (let p = 0; p < 8; p++) {
    let tag = 3
    if ((c.fpTag & (1 << p)) !== 0) {
      const k = classify(readPhys(c, p))
      tag = k === F80Class.Normal ? 0 : k === F80Class.Zero ? 1 : 2
    }
    t |= tag << (2 * p)
  }
  return t
}

/** Abridged tag from a full tag word (any tag other than 11 is "in use"). */
export function abridgedFromFull(tw: number): number {
  let t = 0
  for (let p = 0; p < 8; p++) if (((tw >> (2 * p)) & 3) !== 3) t |= 1 << p
  return t
}

/** FNINIT state (SDM vol. 1, table 8-5). */
export function fninit(c: CpuState): void {
  c.fpCw = 0x37f; c.fpSw = 0; c.fpTop = 0; c.fpTag = 0; c.fpOp = 0; c.fpIp = 0; c.fpDp = 0
}
