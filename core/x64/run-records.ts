/**
 * Executes a record block (records.ts): one loop with one switch over the records, so
 * every cold block shares this function's machine code and touches only its own 32-byte
 * records. Each case does what compile-block.ts's inline code for the same form does,
 * with the flag record stored at once (lazy-flags.ts); the operands of the last ALU op
 * are also kept in locals so a Jcc/SETcc/CMOVcc right after it tests them directly.
 * RIP holds the running instruction's start until it completes, so a fault reports the
 * state before the faulting instruction (Intel SDM vol. 3, 6.5).
 */
import type { CpuState } from './cpu-state'
import { REC, R, MEM_RIP, MEM_A32, MEM_HAS, COND, NONE } from './records'
import { KIND } from './inline-decode'
import { memLin, ret64 } from './compile'
import type { MemOp } from './compile-decode'
import { rd8, rd16, rd32, rd64, wr8, wr32, wr64 } from './mmu'
import { push, pop } from './operands'
import { getCF, testCond, LF } from './lazy-flags'
import { imulTrunc } from './ops-muldiv'
import { shift, incDec } from './ops-alu'

const TWO32 = 4294967296
const CANON = 0x800000000000

/** Linear address of record `p`'s memory operand (instruction at `ip`). */
function lin(c: CpuState, A: Int32Array, p: number, ip: number): number {
  const mf = A[p + 5]
  if ((mf & MEM_A32) !== 0) return slowLin(c, A, p, ip)
  let a: number
  if ((mf & MEM_RIP) !== 0) a = ip + A[p + 4]
  else {
    const r = c.r, base = (mf >> 16) & 255, index = mf >>> 24
    a = A[p + 4]
    if (base !== NONE) {
      const h = r[(base << 1) + 1]
      if (h > 0xffff || h < -0x10000) return slowLin(c, A, p, ip)
      a += h * TWO32 + (r[base << 1] >>> 0)
    }
    if (index !== NONE) {
      const h = r[(index << 1) + 1]
      if (h > 0xffff || h < -0x10000) return slowLin(c, A, p, ip)
      a += (h * TWO32 + (r[index << 1] >>> 0)) * (1 << (mf & 3))
    }
  }
  const seg = (mf >> 12) & 15
  if (seg !== 0) a += c.segBase[seg]
  if (a < -CANON || a >= CANON) return slowLin(c, A, p, ip)
  return a
}

/** RIP-relative, 32-bit or wrapping addresses: the closures' general path (compile.ts memLin). */
function slowLin(c: CpuState, A: Int32Array, p: number, ip: number): number {
  const mf = A[p + 5], base = (mf >> 16) & 255, index = mf >>> 24, seg = (mf >> 12) & 15
  const rip = (mf & MEM_RIP) !== 0
  const m: MemOp = {
    base: base === NONE ? -1 : base, index: index === NONE ? -1 : index, scale: mf & 3,
    disp: rip ? 0 : A[p + 4], seg: seg === 0 ? -1 : seg, rip, abs: rip ? ip + A[p + 4] : 0, a32: (mf & MEM_A32) !== 0,
  }
  return memLin(c, m)
}

/** Byte register `n` (16-19 = AH CH DH BH). */
function getR8(r: Int32Array, n: number): number {
  return n >= 16 ? (r[(n - 16) << 1] >> 8) & 255 : r[n << 1] & 255
}
function setR8(r: Int32Array, n: number, v: number): void {
  if (n >= 16) { const i = (n - 16) << 1; r[i] = (r[i] & -65281) | (v << 8) } else { const i = n << 1; r[i] = (r[i] & -256) | v }
}

/**
 * Condition `cc` from the last ALU op's operands (kind `lk`, size `ls`) when they say it
 * directly, else from the flag record.
 */
function cond(c: CpuState, cc: number, lk: number, ls: number, fd: number, fdh: number, fs: number, fsh: number, fr: number, frh: number): boolean {
  const t = cc >> 1
  let v: boolean
  if (lk === LF.SUB) {
    if (ls === 4) {
      if (t === 1) v = (fd >>> 0) < (fs >>> 0)
      else if (t === 2) v = fd === fs
      else if (t === 3) v = (fd >>> 0) <= (fs >>> 0)
      else if (t === 4) v = fr < 0
      else if (t === 6) v = fd < fs
      else if (t === 7) v = fd <= fs
      else return testCond(c, cc)
    } else {
      if (t === 1) v = (fdh >>> 0) < (fsh >>> 0) || (fdh === fsh && (fd >>> 0) < (fs >>> 0))
      else if (t === 2) v = fd === fs && fdh === fsh
      else if (t === 3) v = (fdh >>> 0) < (fsh >>> 0) || (fdh === fsh && (fd >>> 0) <= (fs >>> 0))
      else if (t === 4) v = frh < 0
      else if (t === 6) v = fdh < fsh || (fdh === fsh && (fd >>> 0) < (fs >>> 0))
      else if (t === 7) v = fdh < fsh || (fdh === fsh && (fd >>> 0) <= (fs >>> 0))
      else return testCond(c, cc)
    }
  } else if (lk === LF.LOGIC) {
    const z = ls === 4 ? fr === 0 : (fr | frh) === 0, s = ls === 4 ? fr < 0 : frh < 0
    if (t === 0 || t === 1) v = false
    else if (t === 2 || t === 3) v = z
    else if (t === 4 || t === 6) v = s
    else if (t === 7) v = s || z
    else return testCond(c, cc)
  } else return testCond(c, cc)
  return (cc & 1) !== 0 ? !v : v
}

/**
 * Run the `count` records from index `p0` of the block whose first instruction is at
 * `head`, retiring at most `budget` instructions; returns how many retired. It leaves the
 * straight line at a branch, a closure that changed RIP or a store into the running code
 * page, except that a Jcc or JMP forward to an instruction of this block goes on there
 * (if/else joins stay inside; loops go back through the run loop, which counts them).
 * Each record runs as: operand address, load, condition, operation, so every helper has
 * one call site here. `c.blockDone` holds the
 * instructions retired before the running one, for a fault (cpu.ts runCompiled).
 */
export function runRecords(c: CpuState, head: number, p0: number, count: number, budget: number): number {
  const A = c.recs, r = c.r
  // the last ALU op: its lazy-flag kind (-1: none usable) and size, operands and result
  let lk = -1, ls = 4, fd = 0, fdh = 0, fs = 0, fsh = 0, fr = 0, frh = 0
  let p = p0, j = 0, k = 0
  for (;;) {
    if (j >= count || k >= budget) return k
    c.blockDone = k
    const w0 = A[p], ip = head + A[p + 7], next = ip + ((w0 >>> 16) & 15)
    const sz = (w0 >> 12) & 15, op = (w0 >> 8) & 15
    const w1 = A[p + 1], dst = w1 & 255, src = (w1 >> 8) & 255, d = dst << 1
    // memory operand: address, then the value it loads (lo:hi)
    let a = 0, lo = 0, hi = 0
    if ((A[p + 5] & MEM_HAS) !== 0) {
      a = lin(c, A, p, ip)
      const ld = A[p + 6]
      if (ld === 8) { lo = rd64(c, a); hi = c.h } else if (ld === 4) lo = rd32(c, a)
      else if (ld === 2) lo = rd16(c, a)
      else if (ld === 1) lo = rd8(c, a)
    }
    const cv = (w0 & COND) !== 0 && cond(c, op, lk, ls, fd, fdh, fs, fsh, fr, frh)
    switch (w0 & 255) {
      case R.ALU: case R.ALU_LD: {
        if ((w0 & 255) === R.ALU) {
          if (src !== NONE) { lo = r[src << 1]; hi = r[(src << 1) + 1] } else { lo = A[p + 2]; hi = lo >> 31 }
        }
        const kind = KIND[op], o = op === 8 ? 4 : op, write = op !== 7 && op !== 8
        fs = lo
        if (sz === 4) {
          fd = r[d]
          fr = o === 0 ? (fd + fs) | 0 : o === 1 ? fd | fs : o === 4 ? fd & fs : o === 6 ? fd ^ fs : (fd - fs) | 0
          if (write) { r[d] = fr; r[d + 1] = 0 }
          c.lfOp = kind; c.lfSize = 4; c.lfDst = fd; c.lfSrc = fs; c.lfRes = fr
        } else {
          fsh = hi
          fd = r[d]; fdh = r[d + 1]
          if (o === 0) { const t = (fd >>> 0) + (fs >>> 0); fr = t | 0; frh = (fdh + fsh + (t > 4294967295 ? 1 : 0)) | 0 }
          else if (o === 1) { fr = fd | fs; frh = fdh | fsh }
          else if (o === 4) { fr = fd & fs; frh = fdh & fsh }
          else if (o === 6) { fr = fd ^ fs; frh = fdh ^ fsh }
          else { const t = (fd >>> 0) - (fs >>> 0); fr = t | 0; frh = (fdh - fsh - (t < 0 ? 1 : 0)) | 0 }
          if (write) { r[d] = fr; r[d + 1] = frh }
          c.lfOp = kind; c.lfSize = 8; c.lfDst = fd; c.lfDstHi = fdh; c.lfSrc = fs; c.lfSrcHi = fsh; c.lfRes = fr; c.lfResHi = frh
        }
        lk = kind; ls = sz
        break
      }
      case R.CMP_MR: case R.CMP_MI: {
        // CMP [mem], reg / imm: the memory operand is the destination
        fd = lo; fdh = hi
        if ((w0 & 255) === R.CMP_MR) { fs = r[src << 1]; fsh = r[(src << 1) + 1] } else { fs = A[p + 2]; fsh = fs >> 31 }
        if (sz === 8) {
          const t = (fd >>> 0) - (fs >>> 0); fr = t | 0; frh = (fdh - fsh - (t < 0 ? 1 : 0)) | 0
          c.lfOp = LF.SUB; c.lfSize = 8; c.lfDst = fd; c.lfDstHi = fdh; c.lfSrc = fs; c.lfSrcHi = fsh; c.lfRes = fr; c.lfResHi = frh
        } else {
          fr = (fd - fs) | 0
          c.lfOp = LF.SUB; c.lfSize = 4; c.lfDst = fd; c.lfSrc = fs; c.lfRes = fr
        }
        lk = LF.SUB; ls = sz
        break
      }
      case R.SHIFT: {
        // SHL 4, SHR 5, SAR 7 by a constant 1..31/63: CF in aux bit 0, OF in aux bit 11
        const k = A[p + 2], xl = r[d], xh = r[d + 1]
        let aux: number
        if (sz === 4) {
          if (op === 4) { lo = xl << k; const t = (xl >>> (32 - k)) & 1; aux = t | (((lo < 0 ? 1 : 0) ^ t) !== 0 ? 2048 : 0) }
          else if (op === 5) { lo = (xl >>> k) | 0; aux = ((xl >>> (k - 1)) & 1) | (xl < 0 ? 2048 : 0) }
          else { lo = xl >> k; aux = (xl >> (k - 1)) & 1 }
        } else if (op === 4) {
          let t: number
          if (k < 32) { hi = (xh << k) | (xl >>> (32 - k)); lo = xl << k; t = (xh >>> (32 - k)) & 1 }
          else { hi = xl << (k - 32); lo = 0; t = k === 32 ? xh & 1 : (xl >>> (64 - k)) & 1 }
          aux = t | (((hi < 0 ? 1 : 0) ^ t) !== 0 ? 2048 : 0)
        } else {
          const arith = op === 7
          let t: number
          if (k < 32) { lo = (xl >>> k) | (xh << (32 - k)); hi = (arith ? xh >> k : xh >>> k) | 0; t = (xl >>> (k - 1)) & 1 }
          else { lo = (arith ? xh >> (k - 32) : xh >>> (k - 32)) | 0; hi = arith ? xh >> 31 : 0; t = k === 32 ? (xl >>> 31) & 1 : (xh >>> (k - 33)) & 1 }
          aux = arith ? t : t | (xh < 0 ? 2048 : 0)
        }
        r[d] = lo; r[d + 1] = hi
        c.lfOp = LF.SETCO; c.lfSize = sz; c.lfRes = lo; c.lfResHi = hi; c.lfAux = aux
        lk = -1
        break
      }
      case R.CMPB: {
        const s = A[p + 2]
        c.lfOp = LF.SUB; c.lfSize = 1; c.lfDst = lo; c.lfSrc = s; c.lfRes = (lo - s) & 255
        lk = -1
        break
      }
      case R.ALU8: {
        // TEST / CMP on byte registers (or CMP AL, imm8): flags only
        const x = getR8(r, dst), y = src === NONE ? A[p + 2] : getR8(r, src)
        c.lfOp = op === 8 ? LF.LOGIC : LF.SUB; c.lfSize = 1; c.lfDst = x; c.lfSrc = y; c.lfRes = op === 8 ? x & y : (x - y) & 255
        lk = -1
        break
      }
      case R.MOVZX:
        // from memory (loaded above) or a register; size is the source's: 1 or 2
        if ((A[p + 5] & MEM_HAS) === 0) lo = sz === 1 ? getR8(r, src) : r[src << 1] & 65535
        r[d] = lo; r[d + 1] = 0
        break
      case R.STB:
        wr8(c, a, src === NONE ? A[p + 2] & 255 : getR8(r, src))
        if (c.fetchCode === null) { c.rip = next; return k + 1 }
        break
      case R.LDB: setR8(r, dst, lo); break
      case R.MOV:
        r[d] = r[src << 1]; r[d + 1] = sz === 8 ? r[(src << 1) + 1] : 0
        break
      case R.MOVI: r[d] = A[p + 2]; r[d + 1] = sz === 8 ? A[p + 3] : 0; break
      case R.LD: r[d] = lo; r[d + 1] = hi; break
      case R.ST: case R.STI:
        // MOV [mem], reg or imm32 (sign-extended for 64 bits)
        if ((w0 & 255) === R.ST) { lo = r[src << 1]; hi = r[(src << 1) + 1] } else { lo = A[p + 2]; hi = lo >> 31 }
        if (sz === 8) wr64(c, a, lo, hi); else wr32(c, a, lo)
        if (c.fetchCode === null) { c.rip = next; return k + 1 }
        break
      case R.ROT:
        // ROL/ROR by a constant: CF and OF only (the interpreter's helper)
        lo = shift(c, op, sz, r[d], r[d + 1], A[p + 2])
        r[d] = lo; r[d + 1] = sz === 8 ? c.h : 0
        lk = -1
        break
      case R.NOT: r[d] = ~r[d]; r[d + 1] = sz === 8 ? ~r[d + 1] : 0; break
      case R.INCDEC:
        // CF is kept: the helper reads it from the flag record
        lo = incDec(c, sz, r[d], r[d + 1], op === 1)
        r[d] = lo; r[d + 1] = sz === 8 ? c.h : 0
        lk = -1
        break
      case R.LEA: {
        const mf = A[p + 5]
        if ((mf & MEM_RIP) !== 0) {
          const abs = ip + A[p + 4]
          r[d] = abs | 0; r[d + 1] = sz === 8 ? Math.floor(abs / TWO32) | 0 : 0
          break
        }
        const base = (mf >> 16) & 255, index = mf >>> 24, sc = mf & 3
        lo = A[p + 4]; hi = lo >> 31
        if (base !== NONE) { const b = base << 1, t = (lo >>> 0) + (r[b] >>> 0); lo = t | 0; hi = (hi + r[b + 1] + (t >= TWO32 ? 1 : 0)) | 0 }
        if (index !== NONE) {
          const x = index << 1
          const il = sc === 0 ? r[x] : r[x] << sc, ih = sc === 0 ? r[x + 1] : (r[x + 1] << sc) | (r[x] >>> (32 - sc))
          const t = (lo >>> 0) + (il >>> 0); lo = t | 0; hi = (hi + ih + (t >= TWO32 ? 1 : 0)) | 0
        }
        r[d] = lo; r[d + 1] = sz === 8 && (mf & MEM_A32) === 0 ? hi : 0
        break
      }
      case R.NOP: break
      case R.ADC: {
        // the carry in is the flag record's CF
        const cy = getCF(c) ? 1 : 0, s = src << 1
        const xl = r[d], yl = r[s]
        if (sz === 4) {
          const v = (xl + yl + cy) | 0
          r[d] = v; r[d + 1] = 0
          c.lfOp = LF.ADC; c.lfSize = 4; c.lfDst = xl; c.lfSrc = yl; c.lfRes = v; c.lfAux = cy
        } else {
          const xh = r[d + 1], yh = r[s + 1], t = (xl >>> 0) + (yl >>> 0) + cy
          lo = t | 0; hi = (xh + yh + (t > 4294967295 ? 1 : 0)) | 0
          r[d] = lo; r[d + 1] = hi
          c.lfOp = LF.ADC; c.lfSize = 8; c.lfDst = xl; c.lfDstHi = xh; c.lfSrc = yl; c.lfSrcHi = yh; c.lfRes = lo; c.lfResHi = hi; c.lfAux = cy
        }
        lk = -1
        break
      }
      case R.IMUL: {
        // the source is the loaded memory operand or a register
        if ((A[p + 5] & MEM_HAS) === 0) { lo = r[src << 1]; hi = sz === 8 ? r[(src << 1) + 1] : 0 }
        const xl = r[d], xh = sz === 8 ? r[d + 1] : 0, yl = lo, yh = hi
        let aux: number
        if (sz === 8 && (xh | yh) === 0) {
          // both operands below 2^32: the 64-bit product from 16-bit limbs; CF = OF = bit 63
          const t = (xl & 65535) * (yl & 65535), u = (xl >>> 16) * (yl & 65535), w = (xl & 65535) * (yl >>> 16)
          const m = (t >>> 16) + (u & 65535) + (w & 65535)
          hi = ((xl >>> 16) * (yl >>> 16) + (u >>> 16) + (w >>> 16) + (m >>> 16)) | 0
          lo = Math.imul(xl, yl)
          aux = hi < 0 ? 2049 : 0
        } else {
          lo = imulTrunc(c, sz, xl, xh, yl, yh); hi = sz === 8 ? c.h : 0; aux = c.lfAux
        }
        r[d] = lo; r[d + 1] = hi
        c.lfOp = LF.SETCO; c.lfSize = sz; c.lfRes = lo; c.lfResHi = hi; c.lfAux = aux
        lk = -1
        break
      }
      case R.MOVSXD:
        if ((A[p + 5] & MEM_HAS) === 0) lo = r[src << 1]
        r[d] = lo; r[d + 1] = sz === 8 ? lo >> 31 : 0
        break
      case R.SETCC: setR8(r, dst, cv ? 1 : 0); break
      case R.CMOV: {
        // a 32-bit CMOV zero-extends its destination even when the condition is false
        const s = src << 1
        if (cv) { r[d] = r[s]; if (sz === 8) r[d + 1] = r[s + 1] }
        if (sz !== 8) r[d + 1] = 0
        break
      }
      case R.CALL:
        push(c, 8, next | 0, Math.floor(next / TWO32) | 0)
        c.rip = ip + A[p + 3]
        return k + 1
      case R.RET:
        ret64(c)
        return k + 1
      case R.PUSH:
        // the value is read before RSP moves (PUSH RSP pushes the old RSP)
        push(c, 8, r[d], r[d + 1])
        if (c.fetchCode === null) { c.rip = next; return k + 1 }
        break
      case R.POP:
        lo = pop(c, 8)
        r[d] = lo; r[d + 1] = c.h
        break
      case R.JMP: case R.JCC:
        // taken: on at the target's record when it is in this block (word 6), else leave
        if ((w0 & 255) === R.JMP || cv) {
          c.rip = ip + A[p + 3]
          k++
          // only forward: a backward branch goes through the run loop, whose execution count
          // makes a hot loop a generated block (compile-block.ts)
          // (a followed JMP's target is the next record; a JMP out of the block is its last)
          const t = A[p + 6]
          if (t > j + 1) { j = t - 1; p = p0 + j * REC; continue }
          return k
        }
        break
      default:
        // CLOSURE: anything else compile.ts pre-decodes; it may branch, fault or drop the window
        c.recFns[A[p + 3]](c)
        lk = -1
        if (c.rip !== next || c.fetchCode === null) return k + 1
        k++; j++; p += REC
        continue
    }
    c.rip = next
    k++; j++; p += REC
  }
}
