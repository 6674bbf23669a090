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
