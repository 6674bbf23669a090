/**
 * The two-byte opcode map (0F xx; Intel SDM vol. 2, appendix A.3, table A-3) for the
 * general-purpose instructions: Jcc rel16/32, SETcc, CMOVcc, MOVZX/MOVSX, BT/BTS/BTR/BTC,
 * BSF/BSR, SHLD/SHRD, IMUL Gv,Ev, CMPXCHG/CMPXCHG8B/16B, XADD, BSWAP, PUSH/POP FS/GS,
 * NOP hints. System opcodes go to exec-system.ts, SSE ones to exec-sse.ts.
 */
import type { CpuState } from './cpu-state'
import { Mode, FLAGS, ARITH_FLAGS } from './constants'
import { ud, gp } from './faults'
import { decodeModrm, ea, fetch8, fetch16, fetch32 } from './decode'
import { readReg, writeReg, readRM, writeRM, rmwAddr } from './operands'
import { rd, wr, probeWrite } from './mmu'
import { alu, shiftDouble, sext, bswap, bitApply, bitStringOffset } from './ops-alu'
import { imulTrunc } from './ops-muldiv'
import { testCond, materialize } from './lazy-flags'
import { jumpRel } from './exec-helpers'
import { pushSeg, popSeg, loadFarPointer } from './exec-control'
import { execSystem } from './exec-system'
import { execSse } from './exec-sse'

export function exec0F(c: CpuState): number {
  const b = fetch8(c)
  const size = c.opSize
  if (b >= 0x80 && b <= 0x8f) { // Jcc rel16/32
    const rel = size === 2 ? (fetch16(c) << 16) >> 16 : fetch32(c)
    if (testCond(c, b & 15)) { if (c.mode === Mode.Long64) c.opSize = 8; jumpRel(c, rel) }
    return 0
  }
  if (b >= 0x40 && b <= 0x4f) { // CMOVcc
    decodeModrm(c)
    const v = readRM(c, size), vh = c.h
    if (testCond(c, b & 15)) writeReg(c, size, c.reg, v, vh)
    else if (size === 4) c.r[(c.reg << 1) + 1] = 0
    return 0
  }
  if (b >= 0x90 && b <= 0x9f) { decodeModrm(c); writeRM(c, 1, testCond(c, b & 15) ? 1 : 0, 0); return 0 }
  if (b >= 0xc8 && b <= 0xcf) { bswap(c, (b & 7) | c.rexB, size); return 0 }
  switch (b) {
    case 0x0b: case 0xb9: case 0xff: return ud()
    case 0x0d: case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
      decodeModrm(c); return 0 // prefetch / hint NOPs (incl. 0F 1F /0)
    case 0xa0: pushSeg(c, 4); return 0
    case 0xa1: popSeg(c, 4); return 0
    case 0xa8: pushSeg(c, 5); return 0
    case 0xa9: popSeg(c, 5); return 0
    case 0xa3: case 0xab: case 0xb3: case 0xbb: decodeModrm(c); bitOp(c, size, (b >> 3) & 3, -1); return 0
    case 0xba: {
      decodeModrm(c)
      const op = (c.modrm >> 3) & 7
      if (op < 4) ud()
      bitOp(c, size, op & 3, fetch8(c))
      return 0
    }
    case 0xa4: case 0xa5: case 0xac: case 0xad: {
      decodeModrm(c)
      const cnt = (b & 1) === 0 ? fetch8(c) : c.r[2] & 0xff
      const s = readReg(c, size, c.reg), sh = c.h
      const left = b < 0xa8
      if (c.mod === 3) {
        const d = readReg(c, size, c.rm), dh = c.h
        const r = shiftDouble(c, size, d, dh, s, sh, cnt, left)
        writeReg(c, size, c.rm, r, c.h)
      } else {
        const a = rmwAddr(c, size)
        const d = rd(c, a, size), dh = c.h
        const r = shiftDouble(c, size, d, dh, s, sh, cnt, left)
        wr(c, a, size, r, c.h)
      }
      return 0
    }
    case 0xaf: {
      decodeModrm(c)
      const s = readRM(c, size), sh = c.h
      const d = readReg(c, size, c.reg), dh = c.h
      const r = imulTrunc(c, size, size === 2 ? sext(d, 2) : d, dh, size === 2 ? sext(s, 2) : s, sh)
      writeReg(c, size, c.reg, r, c.h)
      return 0
    }
    case 0xb0: case 0xb1: return cmpxchg(c, b === 0xb0 ? 1 : size)
    case 0xb2: decodeModrm(c); if (c.mod === 3) ud(); loadFarPointer(c, 2, size); return 0
    case 0xb4: decodeModrm(c); if (c.mod === 3) ud(); loadFarPointer(c, 4, size); return 0
    case 0xb5: decodeModrm(c); if (c.mod === 3) ud(); loadFarPointer(c, 5, size); return 0
    case 0xb6: case 0xb7: case 0xbe: case 0xbf: {
      decodeModrm(c)
      const ss = b & 1 ? 2 : 1
      let v = readRM(c, ss)
      if (b >= 0xbe) {
        v = sext(v, ss)
        writeReg(c, size, c.reg, size === 2 ? v & 0xffff : v, v >> 31)
      } else writeReg(c, size, c.reg, v, 0)
      return 0
    }
    case 0xb8: { // POPCNT (F3 0F B8); without F3 it is JMPE, #UD outside IA-64
      if (c.rep !== 0xf3) return ud()
      decodeModrm(c)
      const v = readRM(c, size), vh = size === 8 ? c.h : 0
      const n = bitCount(v) + bitCount(vh)
      materialize(c)
      // SDM "POPCNT": ZF = (source = 0); OF, SF, AF, CF, PF cleared
      c.eflags = (c.eflags & ~ARITH_FLAGS) | (n === 0 ? FLAGS.ZF : 0)
      writeReg(c, size, c.reg, n, 0)
      return 0
    }
    case 0xbc: case 0xbd: { // BSF / BSR (TZCNT/LZCNT are not advertised: F3 is ignored)
      decodeModrm(c)
      const v = readRM(c, size), vh = size === 8 ? c.h : 0
      materialize(c)
      if (v === 0 && vh === 0) { c.eflags |= FLAGS.ZF; return 0 }
      c.eflags &= ~FLAGS.ZF
      let idx: number
      if (b === 0xbc) idx = v !== 0 ? 31 - Math.clz32(v & -v) : 32 + 31 - Math.clz32(vh & -vh)
      else idx = vh !== 0 ? 63 - Math.clz32(vh) : 31 - Math.clz32(v)
      writeReg(c, size, c.reg, idx, 0)
      return 0
    }
    case 0xc0: case 0xc1: { // XADD
      const sz = b === 0xc0 ? 1 : size
      decodeModrm(c)
      const s = readReg(c, sz, c.reg), sh = c.h
      if (c.mod === 3) {
        const d = readReg(c, sz, c.rm), dh = c.h
        const r = alu(c, 0, sz, d, dh, s, sh), rh = c.h
        writeReg(c, sz, c.reg, d, dh)
        writeReg(c, sz, c.rm, r, rh)
      } else {
        const a = rmwAddr(c, sz)
        const d = rd(c, a, sz), dh = c.h
        const r = alu(c, 0, sz, d, dh, s, sh), rh = c.h
        wr(c, a, sz, r, rh)
        writeReg(c, sz, c.reg, d, dh)
      }
      return 0
    }
    case 0xc7: return group9(c)
    default:
      return execSystem(c, b) ?? execSse(c, b)
  }
}

/** BT/BTS/BTR/BTC (op 0..3); imm < 0 means the bit offset comes from the reg operand. */
function bitOp(c: CpuState, size: number, op: number, imm: number): void {
  const bits = size * 8
  let v: number, vh = 0, a = 0
  let bit: number
  if (c.mod === 3) {
    bit = (imm >= 0 ? imm : readReg(c, size, c.reg)) & (bits - 1)
    v = readReg(c, size, c.rm); vh = c.h
  } else {
    let off: number
    if (imm >= 0) off = imm & (bits - 1)
    else { const lo = readReg(c, size, c.reg); off = bitStringOffset(lo, c.h, size) }
    const unitOff = Math.floor(off / bits) * (bits / 8)
    bit = off - Math.floor(off / bits) * bits
    a = (op === 0 ? ea(c, size, false) : rmwAddr(c, size)) + unitOff
    v = rd(c, a, size); vh = c.h
  }
  const r = bitApply(c, op, size, v, vh, bit), rh = c.h
  if (op === 0) return
  if (c.mod === 3) writeReg(c, size, c.rm, r, rh); else wr(c, a, size, r, rh)
}

function cmpxchg(c: CpuState, size: number): number {
  decodeModrm(c)
  const s = readReg(c, size, c.reg), sh = c.h
  const acc = readReg(c, size, 0), acch = c.h
  let a = 0, d: number, dh: number
  if (c.mod === 3) { d = readReg(c, size, c.rm); dh = c.h } else { a = rmwAddr(c, size); d = rd(c, a, size); dh = c.h }
  alu(c, 7, size, acc, acch, d, dh)
  const eq = d === acc && (size !== 8 || dh === acch)
  if (eq) { if (c.mod === 3) writeReg(c, size, c.rm, s, sh); else wr(c, a, size, s, sh) } else {
    if (c.mod !== 3) wr(c, a, size, d, dh)
    writeReg(c, size, 0, d, dh)
  }
  return 0
}

function group9(c: CpuState): number {
  decodeModrm(c)
  const op = (c.modrm >> 3) & 7
  if (op !== 1 || c.mod === 3) return ud()
  const r = c.r
  if (c.rexW) { // CMPXCHG16B
    const a = ea(c, 16, true)
    if ((a & 15) !== 0) gp(0)
    probeWrite(c, a, 8)
    probeWrite(c, a + 8, 8)
    const lo = rd(c, a, 8), loh = c.h
    const hi = rd(c, a + 8, 8), hih = c.h
    materialize(c)
    if (lo === r[0] && loh === r[1] && hi === r[4] && hih === r[5]) {
      wr(c, a + 8, 8, r[2], r[3]); wr(c, a, 8, r[6], r[7])
      c.eflags |= FLAGS.ZF
    } else {
      wr(c, a, 8, lo, loh); wr(c, a + 8, 8, hi, hih)
      r[0] = lo; r[1] = loh; r[4] = hi; r[5] = hih
      c.eflags &= ~FLAGS.ZF
    }
    return 0
  }
  const a = rmwAddr(c, 8)
  const lo = rd(c, a, 4), hi = rd(c, a + 4, 4)
  materialize(c)
  if (lo === r[0] && hi === r[4]) { wr(c, a, 8, r[6], r[2]); c.eflags |= FLAGS.ZF } else {
    wr(c, a, 8, lo, hi)
    writeReg(c, 4, 0, lo, 0); writeReg(c, 4, 2, hi, 0)
    c.eflags &= ~FLAGS.ZF
  }
  return 0
}

function bitCount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24)
}
