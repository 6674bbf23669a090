/**
 * x87 FPU escape opcodes D8-DF, register forms and dispatch (Intel SDM vol. 1 ch. 8; vol. 2
 * "FADD", "FCOM", "FXCH", ...). Values are true 80-bit extended (f80*.ts) with precision
 * and rounding control; exceptions get their masked responses, stack overflow/underflow
 * are detected (IE|SF, C1), and an unmasked flagged exception sets ES/B so the next
 * waiting x87 instruction raises #MF when CR0.NE = 1. Memory forms: x87-mem.ts.
 * Transcendentals (F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS) are
 * computed through doubles (x87-transcendental.ts): approximate, a documented deviation.
 */
import type { CpuState } from './cpu-state'
import { CR0, Vector } from './constants'
import { fault, nm, ud } from './faults'
import { decodeModrm } from './decode'
import { setFlagsMasked, testCond } from './lazy-flags'
import { writeReg } from './operands'
import { type F80, F80Class, FSW, INDEFINITE, classify, fmtForPc, signOf } from './f80'
import { Cmp, compare, roundInt, sqrt } from './f80-arith'
import { fprem, fscale, fxtract, prem } from './f80-scale'
import { x87Constant } from './x87-const'
import { C1, beginOp, commit, fninit, fsw, isEmpty, phys, pop, push, setSt, st, underflow } from './x87-stack'
import { memForm } from './x87-mem'
import { transcendental } from './x87-transcendental'
import { CC_MASK, arith, fcom, rcOf } from './x87-ops'

const EFL_BITS = [0x01, 0x40, 0x00, 0x45] // CF; ZF; none; ZF|PF|CF

/** FCOMI/FUCOMI(P): the compare result goes to ZF/PF/CF; OF/SF/AF are cleared. */
function fcomi(c: CpuState, i: number, quietOk: boolean, popAfter: boolean): void {
  let r: number
  if (isEmpty(c, 0) || isEmpty(c, i)) { underflow(); r = Cmp.Unordered } else r = compare(st(c, 0), st(c, i), quietOk)
  setFlagsMasked(c, EFL_BITS[r], 0x8d5)
  if (popAfter) pop(c)
  commit(c, C1.Keep)
}

/** Register-register arithmetic; `popAfter` for the P forms. */
function arithReg(c: CpuState, op: number, dst: number, src: number, popAfter: boolean): void {
  if (isEmpty(c, dst) || isEmpty(c, src)) { underflow(); setSt(c, dst, INDEFINITE) } else setSt(c, dst, arith(c, op, st(c, dst), st(c, src)))
  if (popAfter) pop(c)
  commit(c, C1.RoundUp)
}

/** Copy ST(0) to ST(i) (FST/FSTP register forms). */
function fstReg(c: CpuState, i: number, popAfter: boolean): void {
  if (isEmpty(c, 0)) { underflow(); setSt(c, i, INDEFINITE) } else setSt(c, i, st(c, 0))
  if (popAfter) pop(c)
  commit(c, C1.Zero)
}

/**
 * The non-waiting control instructions (SDM vol. 1, 8.3.11 / 8.7): FNINIT, FNCLEX, FNSTSW,
 * FNSTCW, FNSTENV, FNSAVE and the 8087/287 no-ops. Everything else, FLDCW/FLDENV/FRSTOR
 * included (checked against the host), first reports a pending unmasked exception.
 */
function isNonWaiting(b: number, m: number): boolean {
  if (b === 0xdb) return m === 0xe0 || m === 0xe1 || m === 0xe2 || m === 0xe3 || m === 0xe4
  if (b === 0xdf) return m === 0xe0
  if (m >= 0xc0) return false
  const op = (m >> 3) & 7
  return (b === 0xd9 || b === 0xdd) && op >= 6
}

/** #MF for a pending unmasked exception (CR0.NE = 1; the FERR# path of NE = 0 is not modelled). */
export function checkPending(c: CpuState): void {
  if ((c.fpSw & FSW.ES) !== 0 && (c.cr0 & CR0.NE) !== 0) fault(Vector.MF, 0, false)
}

/** WAIT/FWAIT (SDM vol. 2 "WAIT/FWAIT"): #NM when CR0.MP and CR0.TS are both set, then pending exceptions. */
export function fwait(c: CpuState): void {
  if ((c.cr0 & (CR0.MP | CR0.TS)) === (CR0.MP | CR0.TS)) nm()
  checkPending(c)
}

export function execX87(c: CpuState, b: number): number {
  if ((c.cr0 & (CR0.EM | CR0.TS)) !== 0) nm()
  decodeModrm(c)
  if (!isNonWaiting(b, c.modrm)) checkPending(c)
  beginOp()
  const op = (c.modrm >> 3) & 7
  const i = c.modrm & 7
  if (c.mod !== 3) return memForm(c, b, op)
  switch (b) {
    case 0xd8:
      if (op === 2 || op === 3) { fcom(c, isEmpty(c, i) ? undefined : st(c, i), false, op - 2); return 0 }
      arithReg(c, op, 0, i, false); return 0
    case 0xdc:
      if (op === 2 || op === 3) { fcom(c, isEmpty(c, i) ? undefined : st(c, i), false, op - 2); return 0 } // FCOM2/FCOMP3 aliases
      arithReg(c, op >= 4 ? op ^ 1 : op, i, 0, false); return 0
    case 0xde:
      if (op === 3) { if (i !== 1) return ud(); fcom(c, isEmpty(c, 1) ? undefined : st(c, 1), false, 2); return 0 }
      if (op === 2) { fcom(c, isEmpty(c, i) ? undefined : st(c, i), false, 1); return 0 } // FCOMP5 alias
      arithReg(c, op >= 4 ? op ^ 1 : op, i, 0, true); return 0
    case 0xd9: return d9Reg(c, op, i)
    case 0xda:
      if (op < 4) { fcmov(c, i, testCond(c, [2, 4, 6, 10][op])); return 0 }
      if (c.modrm === 0xe9) { fcom(c, isEmpty(c, 1) ? undefined : st(c, 1), true, 2); return 0 }
      return ud()
    case 0xdb:
      if (op < 4) { fcmov(c, i, testCond(c, [3, 5, 7, 11][op])); return 0 }
      if (c.modrm === 0xe2) { c.fpSw &= 0x7f00; return 0 } // FNCLEX
      if (c.modrm === 0xe3) { fninit(c); return 0 }
      if (op === 5 || op === 6) { fcomi(c, i, op === 5, false); return 0 }
      if (c.modrm === 0xe0 || c.modrm === 0xe1 || c.modrm === 0xe4) return 0 // FNENI/FNDISI/FNSETPM: no-ops
      return ud()
    case 0xdd:
      switch (op) {
        case 0: c.fpTag &= ~(1 << phys(c, i)); commit(c, C1.Zero); return 0 // FFREE
        case 1: fxch(c, i); return 0 // FXCH4 alias
        case 2: fstReg(c, i, false); return 0
        case 3: fstReg(c, i, true); return 0
        case 4: fcom(c, isEmpty(c, i) ? undefined : st(c, i), true, 0); return 0
        case 5: fcom(c, isEmpty(c, i) ? undefined : st(c, i), true, 1); return 0
        default: return ud()
      }
    default: // DF
      switch (op) {
        case 0: c.fpTag &= ~(1 << phys(c, i)); pop(c); commit(c, C1.Zero); return 0 // FFREEP (C1 cleared like FFREE)
        case 1: fxch(c, i); return 0 // FXCH7 alias
        case 2: case 3: fstReg(c, i, true); return 0 // FSTP8/FSTP9 aliases
        case 4: if (i !== 0) return ud(); writeReg(c, 2, 0, fsw(c), 0); return 0 // FNSTSW AX
        case 5: case 6: fcomi(c, i, op === 5, true); return 0
        default: return ud()
      }
  }
}

function fcmov(c: CpuState, i: number, cond: boolean): void {
  if (isEmpty(c, 0) || isEmpty(c, i)) { underflow(); setSt(c, 0, INDEFINITE) } else if (cond) setSt(c, 0, st(c, i))
  commit(c, C1.Keep)
}

function fxch(c: CpuState, i: number): void {
  const e0 = isEmpty(c, 0), ei = isEmpty(c, i)
  if (e0 || ei) underflow()
  const a = e0 ? INDEFINITE : st(c, 0)
  const b = ei ? INDEFINITE : st(c, i)
  setSt(c, 0, b)
  setSt(c, i, a)
  commit(c, C1.Zero)
}

/** One-operand ST(0) ← f(ST(0)) with the underflow response. */
function unary(c: CpuState, f: (v: F80) => F80, c1: number): void {
  if (isEmpty(c, 0)) { underflow(); setSt(c, 0, INDEFINITE) } else setSt(c, 0, f(st(c, 0)))
  commit(c, c1)
}

/** Two-operand ST(0) ← f(ST(0), ST(1)). */
function binary01(c: CpuState, f: (a: F80, b: F80) => F80): boolean {
  if (isEmpty(c, 0) || isEmpty(c, 1)) { underflow(); setSt(c, 0, INDEFINITE); return false }
  setSt(c, 0, f(st(c, 0), st(c, 1)))
  return true
}

function fxam(c: CpuState): void {
  const v = st(c, 0)
  let cc: number
  if (isEmpty(c, 0)) cc = FSW.C3 | FSW.C0
  else {
    const k = classify(v)
    cc = k === F80Class.Unsupported ? 0
      : k === F80Class.QNaN || k === F80Class.SNaN ? FSW.C0
        : k === F80Class.Normal ? FSW.C2
          : k === F80Class.Inf ? FSW.C2 | FSW.C0
            : k === F80Class.Zero ? FSW.C3 : FSW.C3 | FSW.C2
  }
  if (signOf(v)) cc |= FSW.C1
  c.fpSw = (c.fpSw & ~(CC_MASK | FSW.C1)) | cc
}

function d9Reg(c: CpuState, op: number, i: number): number {
  switch (op) {
    case 0: { // FLD ST(i)
      const v = isEmpty(c, i) ? (underflow(), INDEFINITE) : st(c, i)
      push(c, v); commit(c, C1.Zero); return 0
    }
    case 1: fxch(c, i); return 0
    case 2: if (i === 0) return 0; return ud() // FNOP
    case 3: fstReg(c, i, true); return 0 // FSTP1 alias
  }
  const m = c.modrm
  switch (m) {
    case 0xe0: unary(c, (v) => ({ se: v.se ^ 0x8000, hi: v.hi, lo: v.lo }), C1.Zero); return 0
    case 0xe1: unary(c, (v) => ({ se: v.se & 0x7fff, hi: v.hi, lo: v.lo }), C1.Zero); return 0
    case 0xe4: fcom(c, isEmpty(c, 0) ? undefined : { se: 0, hi: 0, lo: 0 }, false, 0); return 0 // FTST
    case 0xe5: fxam(c); return 0
    case 0xe8: push(c, { se: 0x3fff, hi: 0x80000000, lo: 0 }); commit(c, C1.Zero); return 0
    case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed: push(c, x87Constant(m, rcOf(c))); commit(c, C1.Zero); return 0
    case 0xee: push(c, { se: 0, hi: 0, lo: 0 }); commit(c, C1.Zero); return 0
    case 0xf4: { // FXTRACT
      if (isEmpty(c, 0)) { underflow(); setSt(c, 0, INDEFINITE); setSt(c, -1, INDEFINITE); c.fpTop = (c.fpTop - 1) & 7; commit(c, C1.Zero); return 0 }
      // stack overflow: ST(0) is not examined; both results are the indefinite
      if (!isEmpty(c, -1)) { push(c, INDEFINITE); setSt(c, 1, INDEFINITE); commit(c, C1.Zero); return 0 }
      const [e, s] = fxtract(st(c, 0))
      setSt(c, 0, e); push(c, s)
      commit(c, C1.Zero); return 0
    }
    case 0xf5: case 0xf8: { // FPREM1 / FPREM
      prem.q = 0; prem.partial = false; prem.special = true
      binary01(c, (a, b) => fprem(a, b, m === 0xf5))
      const q = prem.q
      if (prem.special) c.fpSw &= ~(FSW.C2 | FSW.C1)
      else {
        const cc = prem.partial ? FSW.C2 : ((q & 4) ? FSW.C0 : 0) | ((q & 2) ? FSW.C3 : 0) | ((q & 1) ? FSW.C1 : 0)
        c.fpSw = (c.fpSw & ~(CC_MASK | FSW.C1)) | cc
      }
      commit(c, prem.partial ? C1.Zero : C1.Keep)
      return 0
    }
    case 0xf6: c.fpTop = (c.fpTop - 1) & 7; commit(c, C1.Zero); return 0
    case 0xf7: c.fpTop = (c.fpTop + 1) & 7; commit(c, C1.Zero); return 0
    case 0xfa: unary(c, (v) => sqrt(v, fmtForPc(c.fpCw), rcOf(c)), C1.RoundUp); return 0
    case 0xfc: unary(c, (v) => roundInt(v, rcOf(c)), C1.RoundUp); return 0
    case 0xfd: binary01(c, (a, b) => fscale(a, b, rcOf(c))); commit(c, C1.RoundUp); return 0
    case 0xf0: case 0xf1: case 0xf2: case 0xf3: case 0xf9: case 0xfb: case 0xfe: case 0xff:
      transcendental(c, m); return 0
    default: return ud()
  }
}
