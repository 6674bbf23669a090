/**
 * SSE and SSE2 instructions of the 0F map (Intel SDM vol. 2; opcode table A-3 with the
 * 66/F3/F2 mandatory prefixes): moves, packed/scalar single and double arithmetic,
 * compares (incl. (U)COMIS*), conversions, shuffles/unpacks, MOVMSK, PINSRW/PEXTRW and,
 * through sse-lanes.ts, the packed-integer set. MMX (no-prefix integer forms) is not
 * implemented and not advertised (#UD). Rounding is round-to-nearest and SIMD
 * floating-point exceptions are never raised (MXCSR flags are not updated).
 */
import type { CpuState } from './cpu-state'
import { CR0, CR4 } from './constants'
import { ud, gp, nm } from './faults'
import { decodeModrm, ea, fetch8 } from './decode'
import { readRM, writeRM, readReg, writeReg } from './operands'
import { rd, wr, probeWrite } from './mmu'
import { setFlagsMasked } from './lazy-flags'
import { isSse3, execSse3 } from './exec-sse3'
import { src, srcU16, srcF32, intOp, shiftLanes, byteShift } from './sse-lanes'
import { MX, lane32, lane64, out, isNaN32, isNaN64, isSNaN32, isSNaN64, in32, in64, toBits32, roundTo, cvtToInt, intToFloat, setOut64, cvtIn32, cvtIn64 } from './sse-fp'

const f32 = new Float32Array(4)
const i32 = new Int32Array(f32.buffer)

function check(c: CpuState): void {
  if ((c.cr0 & CR0.EM) !== 0 || (c.cr4 & CR4.OSFXSR) === 0) ud()
  if ((c.cr0 & CR0.TS) !== 0) nm()
}

/** Load the r/m source (`bytes` = 4, 8 or 16) into `src`. */
function loadSrc(c: CpuState, bytes: number, aligned: boolean): void {
  if (c.mod === 3) { const o = c.rm * 4; src[0] = c.xmm[o]; src[1] = c.xmm[o + 1]; src[2] = c.xmm[o + 2]; src[3] = c.xmm[o + 3]; return }
  const a = ea(c, bytes, false)
  if (aligned && (a & 15) !== 0) gp(0)
  src[0] = rd(c, a, 4)
  if (bytes >= 8) src[1] = rd(c, a + 4, 4)
  if (bytes === 16) { src[2] = rd(c, a + 8, 4); src[3] = rd(c, a + 12, 4) }
}

/** Store `bytes` of xmm[r] to the r/m destination. */
function storeTo(c: CpuState, r: number, bytes: number, aligned: boolean): void {
  const o = r * 4
  if (c.mod === 3) { for (let i = 0; i < bytes / 4; i++) c.xmm[c.rm * 4 + i] = c.xmm[o + i]; return }
  const a = ea(c, bytes, true)
  if (aligned && (a & 15) !== 0) gp(0)
  probeWrite(c, a, 4)
  probeWrite(c, a + bytes - 4, 4)
  for (let i = 0; i < bytes / 4; i++) wr(c, a + i * 4, 4, c.xmm[o + i], 0)
}

function fpOp(op: number, a: number, b: number): number {
  switch (op) {
    case 0x58: return a + b
    case 0x59: return a * b
    case 0x5c: return a - b
    case 0x5d: return a < b ? a : b // MIN: returns the second operand when unordered or equal
    case 0x5e: return a / b
    case 0x5f: return a > b ? a : b
    case 0x51: return Math.sqrt(b)
    case 0x52: return 1 / Math.sqrt(b)
    default: return 1 / b // 0x53 RCP
  }
}

/** CMPPS/CMPSS lane: quiet predicates (EQ, UNORD, NEQ, ORD) flag IE only for SNaN. */
function cmpLane32(c: CpuState, pred: number, ab: number, bb: number): boolean {
  const an = isNaN32(ab), bn = isNaN32(bb)
  if ((an || bn) && ((pred & 3) === 1 || (pred & 3) === 2 || (an && isSNaN32(ab)) || (bn && isSNaN32(bb)))) c.mxcsr |= MX.IE
  // a NaN in either operand takes precedence over a denormal in the other: no DE (as the host shows)
  if (an || bn) return cmpPred(pred, NaN, NaN)
  return cmpPred(pred, in32(c, ab), in32(c, bb))
}
function cmpLane64(c: CpuState, pred: number, al: number, ah: number, bl: number, bh: number): boolean {
  const an = isNaN64(al, ah), bn = isNaN64(bl, bh)
  if ((an || bn) && ((pred & 3) === 1 || (pred & 3) === 2 || (an && isSNaN64(al, ah)) || (bn && isSNaN64(bl, bh)))) c.mxcsr |= MX.IE
  if (an || bn) return cmpPred(pred, NaN, NaN)
  return cmpPred(pred, in64(c, al, ah), in64(c, bl, bh))
}

const pair = [0, 0]
/** CVTSS2SD lane: exact; SNaN is quieted with IE. Returns [lo, hi] (shared array). */
function s2d(c: CpuState, b: number): number[] {
  if (isNaN32(b)) {
    if (isSNaN32(b)) c.mxcsr |= MX.IE
    const q = b | 0x400000
    pair[1] = (q & 0x80000000) | 0x7ff00000 | ((q >>> 3) & 0xfffff)
    pair[0] = (q << 29) | 0
    return pair
  }
  lane64Set(in32(c, b))
  return pair
}
function lane64Set(v: number): void {
  setOut64(v)
  pair[0] = out.lo; pair[1] = out.hi
}
/** CVTSD2SS lane with rounding and flags. */
function d2s(c: CpuState, lo: number, hi: number): number {
  if (isNaN64(lo, hi)) {
    if (isSNaN64(lo, hi)) c.mxcsr |= MX.IE
    return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29)
  }
  return toBits32(roundTo(c, in64(c, lo, hi), 0, true))
}

function cmpPred(p: number, a: number, b: number): boolean {
  const un = a !== a || b !== b
  switch (p & 7) {
    case 0: return a === b
    case 1: return a < b
    case 2: return a <= b
    case 3: return un
    case 4: return !(a === b)
    case 5: return !(a < b)
    case 6: return !(a <= b)
    default: return !un
  }
}

function writeIntResult(c: CpuState, r: number, size: number): void {
  if (size === 8) {
    if (r !== r) writeReg(c, 8, c.reg, 0, 0x80000000 | 0)
    else writeReg(c, 8, c.reg, r | 0, Math.floor(r / 4294967296) | 0)
  } else writeReg(c, 4, c.reg, r !== r ? 0x80000000 | 0 : r | 0, 0)
}

export function execSse(c: CpuState, b: number): number {
  const p = c.rep === 0xf3 ? 2 : c.rep === 0xf2 ? 3 : c.pfx66 ? 1 : 0
  if (b === 0xc3 && p === 0) { // MOVNTI
    decodeModrm(c)
    if (c.mod === 3) ud()
    const sz = c.rexW ? 8 : 4
    const v = readReg(c, sz, c.reg)
    writeRM(c, sz, v, c.h)
    return 0
  }
  const sse3 = isSse3(b, p)
  if (!sse3 && !isSse(b)) return ud()
  check(c)
  decodeModrm(c)
  if (sse3) return execSse3(c, b, p)
  const d = c.reg, x = c.xmm, F32 = c.xmmF32, F64 = c.xmmF64, o = d * 4
  switch (b) {
    case 0x10: case 0x11: {
      if (p <= 1) { if (b === 0x10) { loadSrc(c, 16, false); x.set(src, o) } else storeTo(c, d, 16, false); return 0 }
      const n = p === 2 ? 4 : 8
      if (b === 0x10) {
        loadSrc(c, n, false)
        if (c.mod !== 3) { x[o + 1] = 0; x[o + 2] = 0; x[o + 3] = 0 }
        x[o] = src[0]; if (n === 8) x[o + 1] = src[1]
      } else storeTo(c, d, n, false)
      return 0
    }
    case 0x12: case 0x13: case 0x16: case 0x17: {
      if (p >= 2) return ud()
      const high = b >= 0x16
      if (b === 0x12 || b === 0x16) {
        loadSrc(c, c.mod === 3 ? 16 : 8, false)
        if (c.mod === 3 && p === 0) { // MOVHLPS / MOVLHPS
          if (high) { x[o + 2] = src[0]; x[o + 3] = src[1] } else { x[o] = src[2]; x[o + 1] = src[3] }
        } else if (c.mod === 3) return ud()
        else if (high) { x[o + 2] = src[0]; x[o + 3] = src[1] } else { x[o] = src[0]; x[o + 1] = src[1] }
        return 0
      }
      if (c.mod === 3) return ud()
      const a = ea(c, 8, true)
      wr(c, a, 8, x[o + (high ? 2 : 0)], x[o + (high ? 3 : 1)])
      return 0
    }
    case 0x14: case 0x15: {
      loadSrc(c, 16, p === 1 || c.mod !== 3)
      if (p === 1) { if (b === 0x14) { x[o + 2] = src[0]; x[o + 3] = src[1] } else { x[o] = x[o + 2]; x[o + 1] = x[o + 3]; x[o + 2] = src[2]; x[o + 3] = src[3] } return 0 }
      if (b === 0x14) { const a1 = x[o + 1]; x[o + 2] = a1; x[o + 1] = src[0]; x[o + 3] = src[1] } else { const a2 = x[o + 2], a3 = x[o + 3]; x[o] = a2; x[o + 1] = src[2]; x[o + 2] = a3; x[o + 3] = src[3] }
      return 0
    }
    case 0x28: case 0x29: if (p >= 2) return ud(); if (b === 0x28) { loadSrc(c, 16, true); x.set(src, o) } else storeTo(c, d, 16, true); return 0
    case 0x2b: case 0xe7: if (c.mod === 3) return ud(); storeTo(c, d, 16, true); return 0
    case 0x2a: {
      if (p < 2) return ud()
      const sz = c.rexW ? 8 : 4
      const lo = readRM(c, sz)
      const v = intToFloat(c, lo, sz === 8 ? c.h : lo >> 31, sz === 8, p === 2)
      if (p === 2) x[o] = toBits32(v); else F64[o / 2] = v
      return 0
    }
    case 0x2c: case 0x2d: {
      if (p < 2) return ud()
      loadSrc(c, p === 2 ? 4 : 8, false)
      const v = p === 2 ? cvtIn32(c, src[0]) : cvtIn64(c, src[0], src[1])
      writeIntResult(c, cvtToInt(c, v, b === 0x2c, c.rexW ? 8 : 4), c.rexW ? 8 : 4)
      return 0
    }
    case 0x2e: case 0x2f: {
      if (p >= 2) return ud()
      loadSrc(c, p === 1 ? 8 : 4, false)
      let a: number, s: number
      if (p === 1) {
        const an = isNaN64(x[o], x[o + 1]), sn = isNaN64(src[0], src[1])
        if ((an || sn) && (b === 0x2f || (an && isSNaN64(x[o], x[o + 1])) || (sn && isSNaN64(src[0], src[1])))) c.mxcsr |= MX.IE
        a = an ? NaN : in64(c, x[o], x[o + 1]); s = sn ? NaN : in64(c, src[0], src[1])
      } else {
        const an = isNaN32(x[o]), sn = isNaN32(src[0])
        if ((an || sn) && (b === 0x2f || (an && isSNaN32(x[o])) || (sn && isSNaN32(src[0])))) c.mxcsr |= MX.IE
        a = an ? NaN : in32(c, x[o]); s = sn ? NaN : in32(c, src[0])
      }
      const f = a !== a || s !== s ? 0x45 : a < s ? 1 : a === s ? 0x40 : 0
      setFlagsMasked(c, f, 0x8d5)
      return 0
    }
    case 0x50: {
      if (c.mod !== 3 || p >= 2) return ud()
      const s = c.rm * 4
      const m = p === 1 ? ((x[s + 1] >>> 31) | ((x[s + 3] >>> 31) << 1)) : ((x[s] >>> 31) | ((x[s + 1] >>> 31) << 1) | ((x[s + 2] >>> 31) << 2) | ((x[s + 3] >>> 31) << 3))
      writeReg(c, 4, c.reg, m, 0)
      return 0
    }
    case 0x51: case 0x52: case 0x53: case 0x58: case 0x59: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
      if ((b === 0x52 || b === 0x53) && (p === 1 || p === 3)) return ud()
      if (b === 0x52 || b === 0x53) { // approximations: computed exactly (hardware is only ~12 bits)
        if (p === 0) { loadSrc(c, 16, true); for (let i = 0; i < 4; i++) F32[o + i] = fpOp(b, F32[o + i], srcF32[i]) } else { loadSrc(c, 4, false); F32[o] = fpOp(b, F32[o], srcF32[0]) }
        return 0
      }
      if (p === 0) { loadSrc(c, 16, true); for (let i = 0; i < 4; i++) x[o + i] = lane32(c, b, x[o + i], src[i]) } else if (p === 1) {
        loadSrc(c, 16, true)
        for (let i = 0; i < 4; i += 2) { lane64(c, b, x[o + i], x[o + i + 1], src[i], src[i + 1]); x[o + i] = out.lo; x[o + i + 1] = out.hi }
      } else if (p === 2) { loadSrc(c, 4, false); x[o] = lane32(c, b, x[o], src[0]) } else { loadSrc(c, 8, false); lane64(c, b, x[o], x[o + 1], src[0], src[1]); x[o] = out.lo; x[o + 1] = out.hi }
      return 0
    }
    case 0x54: case 0x55: case 0x56: case 0x57: {
      if (p >= 2) return ud()
      loadSrc(c, 16, true)
      for (let i = 0; i < 4; i++) x[o + i] = b === 0x54 ? x[o + i] & src[i] : b === 0x55 ? ~x[o + i] & src[i] : b === 0x56 ? x[o + i] | src[i] : x[o + i] ^ src[i]
      return 0
    }
    case 0x5a: {
      if (p === 0) { loadSrc(c, 8, false); const s1 = src[1]; let l = s2d(c, src[0]); x[o] = l[0]; x[o + 1] = l[1]; l = s2d(c, s1); x[o + 2] = l[0]; x[o + 3] = l[1] } else if (p === 1) { loadSrc(c, 16, true); x[o] = d2s(c, src[0], src[1]); x[o + 1] = d2s(c, src[2], src[3]); x[o + 2] = 0; x[o + 3] = 0 } else if (p === 2) { loadSrc(c, 4, false); const l = s2d(c, src[0]); x[o] = l[0]; x[o + 1] = l[1] } else { loadSrc(c, 8, false); x[o] = d2s(c, src[0], src[1]) }
      return 0
    }
    case 0x5b: {
      if (p === 3) return ud()
      loadSrc(c, 16, true)
      if (p === 0) for (let i = 0; i < 4; i++) x[o + i] = toBits32(intToFloat(c, src[i], src[i] >> 31, false, true))
      else for (let i = 0; i < 4; i++) { const r = cvtToInt(c, cvtIn32(c, src[i]), p === 2, 4); x[o + i] = r !== r ? 0x80000000 | 0 : r }
      return 0
    }
    case 0xe6: {
      if (p === 0) return ud()
      if (p === 2) { loadSrc(c, 8, false); const a = src[0], a1 = src[1]; F64[o / 2] = a; F64[o / 2 + 1] = a1; return 0 }
      loadSrc(c, 16, true)
      for (let i = 0; i < 2; i++) { const r = cvtToInt(c, cvtIn64(c, src[2 * i], src[2 * i + 1]), p === 1, 4); x[o + i] = r !== r ? 0x80000000 | 0 : r }
      x[o + 2] = 0; x[o + 3] = 0
      return 0
    }
    case 0x6e: {
      if (p !== 1) return ud()
      const sz = c.rexW ? 8 : 4
      const v = readRM(c, sz)
      x[o] = v; x[o + 1] = sz === 8 ? c.h : 0; x[o + 2] = 0; x[o + 3] = 0
      return 0
    }
    case 0x7e: {
      if (p === 2) { loadSrc(c, 8, false); x[o] = src[0]; x[o + 1] = src[1]; x[o + 2] = 0; x[o + 3] = 0; return 0 }
      if (p !== 1) return ud()
      const sz = c.rexW ? 8 : 4
      writeRM(c, sz, x[o], x[o + 1])
      return 0
    }
    case 0xd6: {
      if (p !== 1) return ud()
      if (c.mod === 3) { const r = c.rm * 4; x[r] = x[o]; x[r + 1] = x[o + 1]; x[r + 2] = 0; x[r + 3] = 0 } else storeTo(c, d, 8, false)
      return 0
    }
    case 0x6f: case 0x7f: {
      if (p === 0 || p === 3) return ud()
      if (b === 0x6f) { loadSrc(c, 16, p === 1); x.set(src, o) } else storeTo(c, d, 16, p === 1)
      return 0
    }
    case 0x70: {
      if (p === 0) return ud()
      // imm8 first: a RIP-relative source is relative to the end of the instruction
      const imm = fetch8(c)
      loadSrc(c, 16, p === 1)
      if (p === 1) { for (let i = 0; i < 4; i++) x[o + i] = src[(imm >> (2 * i)) & 3] } else {
        const base = p === 2 ? 4 : 0
        const w = c.xmmU16, o16 = d * 8
        for (let i = 0; i < 8; i++) w[o16 + i] = srcU16[i]
        for (let i = 0; i < 4; i++) w[o16 + base + i] = srcU16[base + ((imm >> (2 * i)) & 3)]
      }
      return 0
    }
    case 0x71: case 0x72: case 0x73: {
      if (p !== 1 || c.mod !== 3) return ud()
      const imm = fetch8(c)
      const grp = (c.modrm >> 3) & 7, r = c.rm
      if (b === 0x73 && (grp === 3 || grp === 7)) { byteShift(c, r, imm > 15 ? 16 : imm, grp === 7); return 0 }
      const table = b === 0x71 ? [0, 0, 0xd1, 0, 0xe1, 0, 0xf1, 0] : b === 0x72 ? [0, 0, 0xd2, 0, 0xe2, 0, 0xf2, 0] : [0, 0, 0xd3, 0, 0, 0, 0xf3, 0]
      const op = table[grp]
      if (op === 0) return ud()
      shiftLanes(c, r, op, imm)
      return 0
    }
    case 0xc2: {
      const pred = fetch8(c) & 7 // before a RIP-relative read (relative to the instruction's end)
      if (p === 0 || p === 1) loadSrc(c, 16, true); else loadSrc(c, p === 2 ? 4 : 8, false)
      const n = p === 0 ? 4 : p === 1 ? 2 : 1
      for (let i = 0; i < n; i++) {
        if (p === 0 || p === 2) x[o + i] = cmpLane32(c, pred, x[o + i], src[i]) ? -1 : 0
        else { const t = cmpLane64(c, pred, x[o + 2 * i], x[o + 2 * i + 1], src[2 * i], src[2 * i + 1]) ? -1 : 0; x[o + 2 * i] = t; x[o + 2 * i + 1] = t }
      }
      return 0
    }
    case 0xc4: {
      if (p !== 1) return ud()
      const imm = fetch8(c) & 7 // before a RIP-relative read
      const v = c.mod === 3 ? readReg(c, 4, c.rm) : readRM(c, 2)
      c.xmmU16[d * 8 + imm] = v
      return 0
    }
    case 0xc5: {
      if (p !== 1 || c.mod !== 3) return ud()
      const imm = fetch8(c) & 7
      writeReg(c, 4, c.reg, c.xmmU16[c.rm * 8 + imm], 0)
      return 0
    }
    case 0xc6: {
      if (p >= 2) return ud()
      const imm = fetch8(c) // before a RIP-relative read
      loadSrc(c, 16, true)
      if (p === 0) {
        i32[0] = x[o + (imm & 3)]; i32[1] = x[o + ((imm >> 2) & 3)]; i32[2] = src[(imm >> 4) & 3]; i32[3] = src[(imm >> 6) & 3]
        x.set(i32, o)
      } else {
        const lo0 = x[o + (imm & 1) * 2], lo1 = x[o + (imm & 1) * 2 + 1]
        x[o] = lo0; x[o + 1] = lo1
        x[o + 2] = src[((imm >> 1) & 1) * 2]; x[o + 3] = src[((imm >> 1) & 1) * 2 + 1]
      }
      return 0
    }
    case 0xd7: {
      if (p !== 1 || c.mod !== 3) return ud()
      let m = 0
      for (let i = 0; i < 16; i++) m |= (c.xmmU8[c.rm * 16 + i] >> 7) << i
      writeReg(c, 4, c.reg, m, 0)
      return 0
    }
    case 0xf7: { // MASKMOVDQU
      if (p !== 1 || c.mod !== 3) return ud()
      const lo = readReg(c, c.adSize, 7)
      c.mod = 0; c.ripRel = false; c.eaLo = lo; c.eaHi = c.adSize === 8 ? c.h : 0; c.eaSeg = c.segOvr >= 0 ? c.segOvr : 3
      const a = ea(c, 16, true)
      for (let i = 0; i < 16; i++) if (c.xmmU8[c.rm * 16 + i] & 0x80) wr(c, a + i, 1, c.xmmU8[d * 16 + i], 0)
      return 0
    }
    default: {
      if (p !== 1) return ud()
      loadSrc(c, 16, true)
      if (!intOp(c, b, d)) return ud()
      return 0
    }
  }
}

function isSse(b: number): boolean {
  return (b >= 0x10 && b <= 0x17) || (b >= 0x28 && b <= 0x2f) || (b >= 0x50 && b <= 0x7f && b !== 0x77 && !(b >= 0x78 && b <= 0x7d)) ||
    b === 0xc2 || (b >= 0xc4 && b <= 0xc6) || b >= 0xd0
}

