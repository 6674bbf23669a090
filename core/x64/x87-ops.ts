/**
 * Shared x87 operation helpers for the register forms (exec-x87.ts) and the memory forms
 * (x87-mem.ts): the six arithmetic operations with precision/rounding control from FCW,
 * and FCOM-family condition codes (Intel SDM vol. 2 "FADD"…"FDIVR", "FCOM", table 3-21).
 */
import type { CpuState } from './cpu-state'
import { type F80, FSW, fmtForPc } from './f80'
import { Cmp, add, compare, div, mul } from './f80-arith'
import { C1, commit, isEmpty, pop, st, underflow } from './x87-stack'

export function rcOf(c: CpuState): number {
  return (c.fpCw >> 10) & 3
}

/** dst = op(x, y): 0 add, 1 mul, 4 sub x-y, 5 subr y-x, 6 div x/y, 7 divr y/x (precision control applies). */
export function arith(c: CpuState, op: number, x: F80, y: F80): F80 {
  const f = fmtForPc(c.fpCw), r = rcOf(c)
  switch (op) {
    case 0: return add(x, y, false, f, r)
    case 1: return mul(x, y, f, r)
    case 4: return add(x, y, true, f, r)
    case 5: return add(y, x, true, f, r)
    case 6: return div(x, y, f, r)
    default: return div(y, x, f, r)
  }
}

const CC_BITS = [FSW.C0, FSW.C3, 0, FSW.C0 | FSW.C2 | FSW.C3] // Less, Equal, Greater, Unordered
export const CC_MASK = FSW.C0 | FSW.C2 | FSW.C3

/** FCOM/FUCOM/FICOM/FTST: compare ST(0) with `b` (undefined = empty source) into C3 C2 C0. */
export function fcom(c: CpuState, b: F80 | undefined, quietOk: boolean, pops: number): void {
  let r: number
  if (isEmpty(c, 0) || b === undefined) { underflow(); r = Cmp.Unordered } else r = compare(st(c, 0), b, quietOk)
  c.fpSw = (c.fpSw & ~CC_MASK) | CC_BITS[r]
  for (let k = 0; k < pops; k++) pop(c)
  commit(c, C1.Zero)
}

