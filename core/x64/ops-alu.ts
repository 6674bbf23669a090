/**
 * Integer arithmetic on 8/16/32/64-bit operands held as int32 halves: the eight ALU
 * group-1 operations, INC/DEC/NEG, shifts and rotates (incl. RCL/RCR, SHLD/SHRD) and
 * their flag rules (Intel SDM vol. 2, "ADD", "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR",
 * "SHLD", "SHRD"). 8- and 16-bit values are kept zero-extended, 32-bit values as int32;
 * 64-bit results return the low half and leave the high half in `c.h`.
 */
import type { CpuState } from './cpu-state'
import { LF, setLazy, setLazy64, getCF, materialize, signBit } from './lazy-flags'

export const ALU = { ADD: 0, OR: 1, ADC: 2, SBB: 3, AND: 4, SUB: 5, XOR: 6, CMP: 7 } as const

export function sizeMask(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : -1
}

/** Truncate `v` to `size` bytes (32-bit as int32). */
export function trunc(v: number, size: number): number {
  return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v | 0
}

/** Sign-extend a `size`-byte value to int32. */
export function sext(v: number, size: number): number {
  return size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0
}

/** CBW/CWDE/CDQE: sign-extend the lower half of rAX into the whole operand. */
export function signExtendAcc(c: CpuState, size: number): void {
  const r = c.r
  if (size === 2) r[0] = (r[0] & ~0xffff) | (((r[0] << 24) >> 24) & 0xffff)
  else if (size === 4) { r[0] = (r[0] << 16) >> 16; r[1] = 0 } else r[1] = r[0] >> 31
}

/** CWD/CDQ/CQO: rDX = the sign of rAX. */
export function signAccIntoDx(c: CpuState, size: number): void {
  const r = c.r
  if (size === 2) r[4] = (r[4] & ~0xffff) | ((r[0] << 16) >> 31 & 0xffff)
  else if (size === 4) { r[4] = r[0] >> 31; r[5] = 0 } else { r[4] = r[1] >> 31; r[5] = r[4] }
}

function swap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)
}

/** BSWAP of register `reg` (16-bit: undefined by the SDM, zero here as on the host). */
export function bswap(c: CpuState, reg: number, size: number): void {
  const i = reg << 1
  if (size === 8) { const lo = c.r[i], hi = c.r[i + 1]; c.r[i] = swap32(hi); c.r[i + 1] = swap32(lo) } else if (size === 4) { c.r[i] = swap32(c.r[i]); c.r[i + 1] = 0 } else c.r[i] &= ~0xffff
}

/**
 * BT/BTS/BTR/BTC (op 0-3) on the operand v:vh at `bit` (0 to size*8-1): CF = the bit; returns
 * the new low half (BTS sets, BTR clears, BTC flips the bit), the high half in c.h.
 */
export function bitApply(c: CpuState, op: number, size: number, v: number, vh: number, bit: number): number {
  const cur = bit < 32 ? (v >>> bit) & 1 : (vh >>> (bit - 32)) & 1
  materialize(c)
  c.eflags = (c.eflags & ~1) | cur
  const m = 1 << (bit & 31)
  const apply = (x: number): number => (op === 1 ? x | m : op === 2 ? x & ~m : op === 3 ? x ^ m : x)
  if (bit < 32) v = apply(v); else vh = apply(vh)
  c.h = vh
  return size === 2 ? v & 0xffff : v
}

/** A register bit offset into a memory bit string: signed, of the operand's width (SDM vol. 2 "BT"). */
export function bitStringOffset(lo: number, hi: number, size: number): number {
  return size === 8 ? hi * 4294967296 + (lo >>> 0) : size === 4 ? lo : sext(lo, 2)
}

/** ALU operation `op` on d and s; returns the low result, high in c.h for size 8. */
export function alu(c: CpuState, op: number, size: number, d: number, dh: number, s: number, sh: number): number {
  if (size === 8) return alu64(c, op, d, dh, s, sh)
  let r: number
  switch (op) {
    case ALU.ADD: r = trunc(d + s, size); setLazy(c, LF.ADD, size, d, s, r); return r
    case ALU.OR: r = trunc(d | s, size); setLazy(c, LF.LOGIC, size, d, s, r); return r
    case ALU.ADC: {
      const cf = getCF(c) ? 1 : 0
      r = trunc(d + s + cf, size); setLazy(c, LF.ADC, size, d, s, r); c.lfAux = cf; return r
    }
    case ALU.SBB: {
      const cf = getCF(c) ? 1 : 0
      r = trunc(d - s - cf, size); setLazy(c, LF.SBB, size, d, s, r); c.lfAux = cf; return r
    }
    case ALU.AND: r = trunc(d & s, size); setLazy(c, LF.LOGIC, size, d, s, r); return r
    case ALU.XOR: r = trunc(d ^ s, size); setLazy(c, LF.LOGIC, size, d, s, r); return r
    default: r = trunc(d - s, size); setLazy(c, LF.SUB, size, d, s, r); return r
  }
}

function alu64(c: CpuState, op: number, d: number, dh: number, s: number, sh: number): number {
  let r: number, rh: number
  switch (op) {
    case ALU.ADD: case ALU.ADC: {
      const cf = op === ALU.ADC && getCF(c) ? 1 : 0
      const t = (d >>> 0) + (s >>> 0) + cf
      r = t | 0
      rh = (dh + sh + (t > 0xffffffff ? 1 : 0)) | 0
      setLazy64(c, op === ALU.ADD ? LF.ADD : LF.ADC, d, dh, s, sh, r, rh)
      c.lfAux = cf
      break
    }
    case ALU.SUB: case ALU.SBB: case ALU.CMP: {
      const cf = op === ALU.SBB && getCF(c) ? 1 : 0
      const t = (d >>> 0) - (s >>> 0) - cf
      r = t | 0
      rh = (dh - sh - (t < 0 ? 1 : 0)) | 0
      setLazy64(c, op === ALU.SBB ? LF.SBB : LF.SUB, d, dh, s, sh, r, rh)
      c.lfAux = cf
      break
    }
    case ALU.OR: r = d | s; rh = dh | sh; setLazy64(c, LF.LOGIC, d, dh, s, sh, r, rh); break
    case ALU.AND: r = d & s; rh = dh & sh; setLazy64(c, LF.LOGIC, d, dh, s, sh, r, rh); break
    default: r = d ^ s; rh = dh ^ sh; setLazy64(c, LF.LOGIC, d, dh, s, sh, r, rh); break
  }
  c.h = rh
  return r
}

/** INC (dec=false) or DEC; CF is preserved. */
export function incDec(c: CpuState, size: number, d: number, dh: number, dec: boolean): number {
  const cf = getCF(c) ? 1 : 0
  if (size === 8) {
    let r: number, rh: number
    if (dec) { r = (d - 1) | 0; rh = d === 0 ? (dh - 1) | 0 : dh } else { r = (d + 1) | 0; rh = r === 0 ? (dh + 1) | 0 : dh }
    setLazy64(c, dec ? LF.DEC : LF.INC, d, dh, 1, 0, r, rh)
    c.lfAux = cf
    c.h = rh
    return r
  }
  const r = trunc(dec ? d - 1 : d + 1, size)
  setLazy(c, dec ? LF.DEC : LF.INC, size, d, 1, r)
  c.lfAux = cf
  return r
}

export function neg(c: CpuState, size: number, d: number, dh: number): number {
  return alu(c, ALU.SUB, size, 0, 0, d, dh)
}

/** Set SF/ZF/PF from a result with explicit CF and OF (shifts, multiplies). */
export function setResultCO(c: CpuState, size: number, r: number, rh: number, cf: number, of: number | boolean): void {
  c.lfOp = LF.SETCO
  c.lfSize = size
  c.lfRes = r
  c.lfResHi = rh
  c.lfAux = (cf & 1) | (of ? 0x800 : 0)
}

function bitAt(lo: number, hi: number, k: number): number {
  return k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1
}

/** Group-2 shift/rotate `op` (0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL 7 SAR) by `count`. */
export function shift(c: CpuState, op: number, size: number, d: number, dh: number, count: number): number {
  const bits = size * 8
  const n = count & (size === 8 ? 63 : 31)
  c.h = dh
  if (n === 0) return d
  if (size === 8) return shift64(c, op, d, dh, n)
  const sb = signBit(size)
  switch (op) {
    case 0: case 1: {
      const k = n % bits
      let r = d
      if (k !== 0) r = op === 0 ? trunc((d << k) | ((d & sizeMask(size)) >>> (bits - k)), size) : trunc(((d & sizeMask(size)) >>> k) | (d << (bits - k)), size)
      materialize(c)
      const cf = op === 0 ? r & 1 : (r & sb) !== 0 ? 1 : 0
      const of = op === 0 ? ((r & sb) !== 0 ? 1 : 0) ^ cf : (((r & sb) !== 0 ? 1 : 0) ^ ((r << 1) & sb ? 1 : 0))
      c.eflags = (c.eflags & ~0x801) | cf | (of ? 0x800 : 0)
      return r
    }
    case 2: case 3: {
      const k = size === 4 ? n : n % (bits + 1)
      let r = d & sizeMask(size)
      let cf = getCF(c) ? 1 : 0
      for (let i = 0; i < k; i++) {
        if (op === 2) { const out = (r & sb) !== 0 ? 1 : 0; r = trunc((r << 1) | cf, size); cf = out } else { const out = r & 1; r = trunc(((r & sizeMask(size)) >>> 1) | (cf ? sb : 0), size); cf = out }
      }
      materialize(c)
      const msb = (r & sb) !== 0 ? 1 : 0
      const of = op === 2 ? msb ^ cf : msb ^ ((r << 1) & sb ? 1 : 0)
      c.eflags = (c.eflags & ~0x801) | cf | (of ? 0x800 : 0)
      return r
    }
    case 4: case 6: {
      const r = n >= 32 ? 0 : trunc(d << n, size)
      const cf = n <= bits ? ((d & sizeMask(size)) >>> (bits - n)) & 1 : 0
      setResultCO(c, size, r, 0, n === bits && bits === 32 ? d & 1 : cf, ((r & sb) !== 0 ? 1 : 0) ^ cf)
      return r
    }
    case 5: {
      const u = d & sizeMask(size)
      const r = trunc(u >>> n, size)
      setResultCO(c, size, r, 0, (u >>> (n - 1)) & 1, (d & sb) !== 0 ? 1 : 0)
      return r
    }
    default: {
      const sv = sext(d, size)
      const r = trunc(sv >> n, size)
      setResultCO(c, size, r, 0, (sv >> (n - 1)) & 1, 0)
      return r
    }
  }
}

function shl64(lo: number, hi: number, n: number, c: CpuState): number {
  if (n === 0) { c.h = hi; return lo }
  if (n < 32) { c.h = (hi << n) | (lo >>> (32 - n)); return lo << n }
  c.h = lo << (n - 32); return 0
}
function shr64(lo: number, hi: number, n: number, c: CpuState, arith: boolean): number {
  if (n === 0) { c.h = hi; return lo }
  if (n < 32) { c.h = arith ? hi >> n : hi >>> n; return (lo >>> n) | (hi << (32 - n)) }
  const r = arith ? hi >> (n - 32) : hi >>> (n - 32)
  c.h = arith ? hi >> 31 : 0
  return r | 0
}

function shift64(c: CpuState, op: number, d: number, dh: number, n: number): number {
  switch (op) {
    case 0: case 1: {
      const k = op === 0 ? n : 64 - n
      const aLo = shl64(d, dh, k, c), aHi = c.h
      const bLo = shr64(d, dh, 64 - k, c, false), bHi = c.h
      const r = aLo | bLo, rh = aHi | bHi
      materialize(c)
      const msb = rh < 0 ? 1 : 0
      const cf = op === 0 ? r & 1 : msb
      const of = op === 0 ? msb ^ cf : msb ^ ((rh >>> 30) & 1)
      c.eflags = (c.eflags & ~0x801) | cf | (of ? 0x800 : 0)
      c.h = rh
      return r
    }
    case 2: case 3: {
      let lo = d, hi = dh
      let cf = getCF(c) ? 1 : 0
      for (let i = 0; i < n; i++) {
        if (op === 2) { const out = hi >>> 31; hi = (hi << 1) | (lo >>> 31); lo = (lo << 1) | cf; cf = out } else { const out = lo & 1; lo = (lo >>> 1) | (hi << 31); hi = (hi >>> 1) | (cf << 31); cf = out }
      }
      materialize(c)
      const msb = hi < 0 ? 1 : 0
      const of = op === 2 ? msb ^ cf : msb ^ ((hi >>> 30) & 1)
      c.eflags = (c.eflags & ~0x801) | cf | (of ? 0x800 : 0)
      c.h = hi
      return lo
    }
    case 4: case 6: {
      const r = shl64(d, dh, n, c), rh = c.h
      const cf = bitAt(d, dh, 64 - n)
      setResultCO(c, 8, r, rh, cf, (rh < 0 ? 1 : 0) ^ cf)
      c.h = rh
      return r
    }
    default: {
      const r = shr64(d, dh, n, c, op === 7), rh = c.h
      const cf = bitAt(d, dh, n - 1)
      setResultCO(c, 8, r, rh, cf, op === 7 ? 0 : dh < 0 ? 1 : 0)
      c.h = rh
      return r
    }
  }
}

/** SHLD (left=true) / SHRD: shift d, filling from s. */
export function shiftDouble(c: CpuState, size: number, d: number, dh: number, s: number, sh: number, count: number, left: boolean): number {
  const n = count & (size === 8 ? 63 : 31)
  c.h = dh
  if (n === 0) return d
  if (size === 8) {
    let r: number, rh: number, cf: number
    if (left) {
      const a = shl64(d, dh, n, c), ah = c.h
      const b = shr64(s, sh, 64 - n, c, false), bh = c.h
      r = a | b; rh = ah | bh; cf = bitAt(d, dh, 64 - n)
    } else {
      const a = shr64(d, dh, n, c, false), ah = c.h
      const b = shl64(s, sh, 64 - n, c), bh = c.h
      r = a | b; rh = ah | bh; cf = bitAt(d, dh, n - 1)
    }
    setResultCO(c, 8, r, rh, cf, ((rh ^ dh) < 0) ? 1 : 0)
    c.h = rh
    return r
  }
  if (size === 4) {
    const r = left ? (d << n) | (s >>> (32 - n)) : (d >>> n) | (s << (32 - n))
    const cf = left ? (d >>> (32 - n)) & 1 : (d >>> (n - 1)) & 1
    setResultCO(c, 4, r, 0, cf, ((r ^ d) < 0) ? 1 : 0)
    return r
  }
  // 16-bit: treat as a 32-bit d:s concatenation (counts > 16 are undefined; this is AMD-like)
  const cat = left ? ((d & 0xffff) << 16) | (s & 0xffff) : ((s & 0xffff) << 16) | (d & 0xffff)
  let r: number, cf: number
  if (left) {
    const w = n < 32 ? (cat << n) | ((s & 0xffff) << 16 >>> (32 - n)) : 0
    r = (w >>> 16) & 0xffff; cf = (cat >>> (32 - n)) & 1
  } else {
    r = (cat >>> n) & 0xffff; cf = (cat >>> (n - 1)) & 1
  }
  setResultCO(c, 2, r, 0, cf, ((r ^ d) & 0x8000) ? 1 : 0)
  return r
}
