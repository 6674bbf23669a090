/**
 * A "form" is one instruction shape (mnemonic + operand kinds + operand size) that the
 * generator instantiates many times with random operands. `build` fills the builder's
 * machine state and returns the instruction text in GNU as Intel syntax.
 */
import type { CaseBuilder, Width } from './case-builder'

export interface Form {
  name: string
  group: string
  /** Cases to generate (defaults to the generator's per-form count). */
  count?: number
  build(c: CaseBuilder): string
  /** A CPUID feature the form needs; forms whose feature the emulated CPU does not advertise are skipped. */
  feature?: CpuFeature
}

export type CpuFeature = 'popcnt' | 'lzcnt' | 'bmi1' | 'sse2' | 'sse3'

/** CPUID(leaf, subleaf) → [EAX, EBX, ECX, EDX]. */
export type CpuidFn = (leaf: number, subleaf: number) => readonly number[]

/** Whether `cpuid` advertises `f` (SDM vol. 2 "CPUID": 1.ECX[23], 80000001h.ECX[5], 7.EBX[3], 1.EDX[26], 1.ECX[0]). */
export function advertises(cpuid: CpuidFn, f: CpuFeature): boolean {
  if (f === 'popcnt') return ((cpuid(1, 0)[2] >>> 23) & 1) === 1
  if (f === 'sse2') return ((cpuid(1, 0)[3] >>> 26) & 1) === 1
  if (f === 'sse3') return (cpuid(1, 0)[2] & 1) === 1
  if (f === 'lzcnt') return ((cpuid(0x8000_0001, 0)[2] >>> 5) & 1) === 1
  return ((cpuid(7, 0)[1] >>> 3) & 1) === 1
}

export const WIDTHS: readonly Width[] = [8, 16, 32, 64]

/** The condition-code suffixes in encoding order (cc 0..15). */
export const CONDITIONS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'] as const

/** Immediate text for an operand of `width` (imm8 sign-extended forms are picked by the assembler). */
export function immFor(c: CaseBuilder, width: Width): bigint {
  return width === 64 ? c.immSigned(32) : width === 8 ? c.immSigned(8) : width === 16 ? c.immSigned(16) : c.immSigned(32)
}

export function hex(v: bigint): string {
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`
}
