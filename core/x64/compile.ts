/**
 * Builds pre-decoded closures for the hot subset of 64-bit code (ALU, MOV/LEA/MOVZX/
 * MOVSX, PUSH/POP, Jcc/JMP/CALL/RET, TEST/CMP, INC/DEC/NEG/NOT, shifts, IMUL, SETcc,
 * CMOVcc, MUL/DIV) so that re-executing an instruction skips prefix, ModRM and immediate
 * decoding. Everything else returns INTERP and runs in the interpreter (exec-main.ts).
 * Semantics are shared with the interpreter through the same helpers (ops-alu.ts,
 * lazy-flags.ts, mmu.ts), so a closure behaves exactly like step() on the same bytes.
 */
import type { CpuState, CompiledInsn } from './cpu-state'
import { StaticDecoder, type MemOp } from './compile-decode'
import { readReg, writeReg, push, pop, addSp } from './operands'
import { rd, wr, probeWrite } from './mmu'
import { alu, incDec, neg, shift, trunc, sext, signExtendAcc, signAccIntoDx, bswap } from './ops-alu'
import { imulTrunc, mulAcc, divAcc } from './ops-muldiv'
import { testCond, getFlags, setFlagsMasked, materialize } from './lazy-flags'
import { gp, ss } from './faults'
import { FLAGS } from './constants'
import { writableFlagsMask } from './interrupts'
import { fastAlu, fastMovRR, fastLoad, fastStore, fastJcc, fastStoreImm } from './compile-fast'
import { compileXchg, compileXadd, compileCmpxchg, compileBitOp } from './compile-rmw'
import { stringOp } from './exec-string'

/** Marker: this instruction is not compiled; interpret it. */
export const INTERP: CompiledInsn = () => { throw new Error('INTERP must not be called') }

const TWO32 = 4294967296
const CANON = 0x800000000000
const dec = new StaticDecoder()
let lastStart = 0
let lastOpPos = 0
/** The instruction names byte register 4-7: AH..BH without a REX prefix, SPL..DIL with one. */
let byteRegs = false
/** Set by build() for a direct JMP (compiledJumpTarget). */
let jumpTarget = NaN

/** Length in bytes of the instruction the last compileAt() call decoded. */
export function compiledLength(): number {
  return dec.pos - lastStart
}

/**
 * The instruction the last compileAt() call decoded ends a block: a JMP, CALL, RET, IRET,
 * INT/INT3, HLT or an indirect JMP/CALL, or an STI/POPF, after which the run loop must look
 * at the interrupt shadow, a newly opened interrupt window or TF (cpu.ts runCompiled).
 */
export function compiledEndsStraightLine(): boolean {
  const ram = dec.ram, b = ram[lastOpPos]
  if (b === 0xff) { const r = (ram[lastOpPos + 1] >> 3) & 7; return r >= 2 && r <= 5 }
  return b === 0xe8 || b === 0xe9 || b === 0xeb || b === 0xc3 || b === 0xc2 || b === 0xca || b === 0xcb || b === 0xcf || b === 0xcc || b === 0xcd || b === 0xf4 || b === 0xfb || b === 0x9d
}

/**
 * Target of the direct JMP (EB rel8 / E9 rel32) the last compileAt() call decoded, or NaN
 * for any other instruction; a block can go on decoding there.
 */
export function compiledJumpTarget(): number {
  return jumpTarget
}

/** Linear address of a compiled memory operand (64-bit mode). */
export function memLin(c: CpuState, m: MemOp): number {
  let a: number
  if (m.rip) a = m.abs
  else if (m.a32) {
    let x = m.disp
    if (m.base >= 0) x += c.r[m.base << 1]
    if (m.index >= 0) x += c.r[m.index << 1] << m.scale
    a = x >>> 0
  } else {
    const r = c.r
    a = m.disp
    if (m.base >= 0) {
      const h = r[(m.base << 1) + 1]
      if (h > 0xfffff || h < -0x100000) return exactLin(c, m)
      a += h * TWO32 + (r[m.base << 1] >>> 0)
    }
    if (m.index >= 0) {
      const h = r[(m.index << 1) + 1]
      if (h > 0xffff || h < -0x10000) return exactLin(c, m)
      a += (h * TWO32 + (r[m.index << 1] >>> 0)) * (1 << m.scale)
    }
  }
  if (m.seg >= 4) a += c.segBase[m.seg]
  if (a < -CANON || a >= CANON) return exactLin(c, m)
  return a
}

/** Exact 64-bit wrap-around address arithmetic (registers beyond 2^52). */
function exactLin(c: CpuState, m: MemOp): number {
  const r = c.r
  let lo = m.disp, hi = m.disp >> 31
  if (m.rip) { lo = m.abs | 0; hi = Math.floor(m.abs / TWO32) | 0 } else {
    if (m.base >= 0) { const t = (lo >>> 0) + (r[m.base << 1] >>> 0); lo = t | 0; hi = (hi + r[(m.base << 1) + 1] + (t >= TWO32 ? 1 : 0)) | 0 }
    if (m.index >= 0) {
      let il = r[m.index << 1], ih = r[(m.index << 1) + 1]
      if (m.scale !== 0) { ih = (ih << m.scale) | (il >>> (32 - m.scale)); il <<= m.scale }
      const t = (lo >>> 0) + (il >>> 0); lo = t | 0; hi = (hi + ih + (t >= TWO32 ? 1 : 0)) | 0
    }
    if (m.a32) hi = 0
  }
  let a = hi * TWO32 + (lo >>> 0)
  if (m.seg >= 4) a += c.segBase[m.seg]
  if (a < -CANON || a >= CANON) { if (m.seg < 0 && (m.base === 4 || m.base === 5)) ss(0); gp(0) }
  return a
}

/** Compile the instruction at `ip` (inside the fetch window). */
export function compileAt(c: CpuState, ip: number): CompiledInsn {
  dec.ram = c.ram
  const start = c.fetchDelta + ip
  lastStart = start
  dec.pos = start
  dec.end = Math.min(start + 15, c.fetchDelta + c.fetchHi)
  dec.overrun = false
  const b = dec.prefixes()
  if (dec.overrun) return INTERP
  if (dec.rep !== 0 && b !== 0x90 && !isStringOp(b)) return INTERP
  const opPos = dec.pos - 1
  lastOpPos = opPos
  byteRegs = false
  jumpTarget = NaN
  const f = build(b, ip, start)
  if (f === INTERP || dec.overrun) return INTERP
  // one VP's instruction is atomic here, so LOCK only has to be legal (else the interpreter raises #UD)
  if (dec.lock && (dec.mem === null || !lockable(c.ram, opPos))) return INTERP
  if (byteRegs) {
    // getReg8/setReg8 read the prefix state of the running instruction
    const rex = dec.rex
    return (c) => { c.rex = rex; f(c) }
  }
  return f
}

/** MOVS/CMPS/STOS/LODS/SCAS (INS/OUTS exit to the VMM and stay interpreted). */
function isStringOp(b: number): boolean {
  return b >= 0xa4 && b <= 0xaf && b !== 0xa8 && b !== 0xa9
}

/** LOCK-able opcode at `pos` (memory destination checked by the caller; SDM vol. 2, LOCK). */
function lockable(ram: Uint8Array, pos: number): boolean {
  const b = ram[pos], r = (ram[pos + 1] >> 3) & 7
  if (b < 0x40) return (b & 7) < 2 && (b >> 3) !== 7 // ADD/OR/ADC/SBB/AND/SUB/XOR Eb/Ev, Gb/Gv
  if (b >= 0x80 && b <= 0x83) return r !== 7
  if (b === 0x86 || b === 0x87) return true
  if (b === 0xf6 || b === 0xf7) return r === 2 || r === 3
  if (b === 0xfe || b === 0xff) return r === 0 || r === 1
  if (b !== 0x0f) return false
  const b2 = ram[pos + 1], r2 = (ram[pos + 2] >> 3) & 7
  if (b2 === 0xb0 || b2 === 0xb1 || b2 === 0xc0 || b2 === 0xc1 || b2 === 0xab || b2 === 0xb3 || b2 === 0xbb) return true
  if (b2 === 0xba) return r2 >= 5
  return b2 === 0xc7 && r2 === 1
}

function build(b: number, ip: number, start: number): CompiledInsn {
  const d = dec
  let size = d.opSize
  const end = () => ip + (d.pos - start)
  if (b < 0x40 && (b & 7) < 6) {
    const op = b >> 3, form = b & 7
    if (form === 4 || form === 5) {
      const sz = form === 4 ? 1 : size
      const imm = form === 4 ? d.u8() : size === 2 ? d.u16() : d.s32()
      const s = trunc(imm, sz), sh = imm >> 31
      const next = end()
      return (c) => { const v = readReg(c, sz, 0), vh = c.h; const r = alu(c, op, sz, v, vh, s, sh); if (op !== 7) writeReg(c, sz, 0, r, c.h); c.rip = next }
    }
    const sz = form & 1 ? size : 1
    d.modrmDecode()
    const next = end()
    if (!d.finishRip(next)) return INTERP
    const reg = d.reg, rm = d.rm, m = d.mem
    if (sz === 1 && (reg >= 4 || (m === null && rm >= 4))) byteRegs = true // byte regs 4-15 depend on REX
    if (m === null && sz >= 4) {
      const f = form < 2 ? fastAlu(op, sz, rm, reg, 0, next) : fastAlu(op, sz, reg, rm, 0, next)
      if (f) return f
    }
    if (form < 2) { // op Ev, Gv
      if (m === null) return (c) => { const v = readReg(c, sz, rm), vh = c.h; const s = readReg(c, sz, reg); const r = alu(c, op, sz, v, vh, s, c.h); if (op !== 7) writeReg(c, sz, rm, r, c.h); c.rip = next }
      if (op === 7) return (c) => { const a = memLin(c, m); const v = rd(c, a, sz), vh = c.h; const s = readReg(c, sz, reg); alu(c, op, sz, v, vh, s, c.h); c.rip = next }
      return (c) => { const a = memLin(c, m); probeWrite(c, a, sz); const v = rd(c, a, sz), vh = c.h; const s = readReg(c, sz, reg); const r = alu(c, op, sz, v, vh, s, c.h); wr(c, a, sz, r, c.h); c.rip = next }
    }
    if (m === null) return (c) => { const s = readReg(c, sz, rm), sh = c.h; const v = readReg(c, sz, reg); const r = alu(c, op, sz, v, c.h, s, sh); if (op !== 7) writeReg(c, sz, reg, r, c.h); c.rip = next }
    return (c) => { const s = rd(c, memLin(c, m), sz), sh = c.h; const v = readReg(c, sz, reg); const r = alu(c, op, sz, v, c.h, s, sh); if (op !== 7) writeReg(c, sz, reg, r, c.h); c.rip = next }
  }
  if (isStringOp(b)) {
    // stringOp reads the prefixes from CpuState as step() leaves them; a REP that has
    // iterations left puts c.ip back at the instruction (c.rip is still its start here)
    const rep = d.rep, seg = d.segOvr, asz = d.adSize, sz = b & 1 ? size : 1, next = end()
    return (c) => { c.rep = rep; c.segOvr = seg; c.adSize = asz; c.ip = next; stringOp(c, b, sz); c.rip = c.ip }
  }
  switch (b) {
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57: {
      const sz = size === 2 ? 2 : 8, reg = (b & 7) | d.rexB, next = end()
      return (c) => { const v = readReg(c, sz, reg); push(c, sz, v, c.h); c.rip = next }
    }
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
      const sz = size === 2 ? 2 : 8, reg = (b & 7) | d.rexB, next = end()
      return (c) => { const v = pop(c, sz); writeReg(c, sz, reg, v, c.h); c.rip = next }
    }
    case 0x63: {
      d.modrmDecode(); const next = end(); if (!d.finishRip(next)) return INTERP
      const reg = d.reg, rm = d.rm, m = d.mem, sz = size
      return (c) => { const v = m === null ? c.r[rm << 1] : rd(c, memLin(c, m), 4); if (sz === 8) writeReg(c, 8, reg, v, v >> 31); else writeReg(c, sz, reg, v, 0); c.rip = next }
    }
    case 0x68: case 0x6a: {
      const v = b === 0x68 ? (size === 2 ? d.u16() : d.s32()) : d.s8()
      const sz = size === 2 ? 2 : 8, lo = sz === 2 ? v & 0xffff : v, hi = v >> 31, next = end()
      return (c) => { push(c, sz, lo, hi); c.rip = next }
    }
    case 0x69: case 0x6b: {
      d.modrmDecode()
      const m = d.mem, rm = d.rm, reg = d.reg, sz = size
      const imm = b === 0x69 ? (sz === 2 ? d.u16() : d.s32()) : d.s8()
      const next = end(); if (!d.finishRip(next)) return INTERP
      const il = sz === 2 ? sext(imm, 2) : imm, ih = imm >> 31
      return (c) => { let s: number, sh: number; if (m === null) { s = readReg(c, sz, rm); sh = c.h } else { s = rd(c, memLin(c, m), sz); sh = c.h } const r = imulTrunc(c, sz, sz === 2 ? sext(s, 2) : s, sh, il, ih); writeReg(c, sz, reg, r, c.h); c.rip = next }
    }
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
      const rel = d.s8(), next = end(), target = next + rel, cc = b & 15
      if (target < -CANON || target >= CANON) return INTERP
      return fastJcc(cc, target, next)
    }
    case 0x80: case 0x81: case 0x83: {
      d.modrmDecode()
      const sz = b === 0x80 ? 1 : size, op = (d.modrm >> 3) & 7, m = d.mem, rm = d.rm
      const imm = b === 0x81 ? (sz === 2 ? d.u16() : d.s32()) : b === 0x83 ? d.s8() : d.u8()
      const next = end(); if (!d.finishRip(next)) return INTERP
      if (sz === 1 && m === null && rm >= 4) byteRegs = true
      const s = trunc(imm, sz), sh = imm >> 31
      if (m === null && sz >= 4) { const f = fastAlu(op, sz, rm, -1, imm, next); if (f) return f }
      if (m === null) return (c) => { const v = readReg(c, sz, rm), vh = c.h; const r = alu(c, op, sz, v, vh, s, sh); if (op !== 7) writeReg(c, sz, rm, r, c.h); c.rip = next }
      if (op === 7) return (c) => { const v = rd(c, memLin(c, m), sz); alu(c, op, sz, v, c.h, s, sh); c.rip = next }
      return (c) => { const a = memLin(c, m); probeWrite(c, a, sz); const v = rd(c, a, sz), vh = c.h; const r = alu(c, op, sz, v, vh, s, sh); wr(c, a, sz, r, c.h); c.rip = next }
    }
    case 0x84: case 0x85: {
      d.modrmDecode()
      const sz = b === 0x84 ? 1 : size, m = d.mem, rm = d.rm, reg = d.reg, next = end()
      if (!d.finishRip(next)) return INTERP
      if (sz === 1 && (reg >= 4 || (m === null && rm >= 4))) byteRegs = true
      if (m === null && sz >= 4) { const f = fastAlu(8, sz, rm, reg, 0, next); if (f) return f }
      return (c) => { const v = m === null ? readReg(c, sz, rm) : rd(c, memLin(c, m), sz), vh = c.h; const s = readReg(c, sz, reg); alu(c, 4, sz, v, vh, s, c.h); c.rip = next }
    }
    case 0x88: case 0x89: case 0x8a: case 0x8b: {
      d.modrmDecode()
      const sz = b & 1 ? size : 1, m = d.mem, rm = d.rm, reg = d.reg, next = end()
      if (!d.finishRip(next)) return INTERP
      if (sz === 1 && (reg >= 4 || (m === null && rm >= 4))) byteRegs = true
      if (sz >= 4) {
        const f = m === null ? (b === 0x89 ? fastMovRR(sz, rm, reg, next) : fastMovRR(sz, reg, rm, next)) : b === 0x89 ? fastStore(sz, reg, m, next) : fastLoad(sz, reg, m, next)
        if (f) return f
      }
      if (b <= 0x89) {
        if (m === null) return (c) => { const v = readReg(c, sz, reg); writeReg(c, sz, rm, v, c.h); c.rip = next }
        return (c) => { const a = memLin(c, m); const v = readReg(c, sz, reg); wr(c, a, sz, v, c.h); c.rip = next }
      }
      if (m === null) return (c) => { const v = readReg(c, sz, rm); writeReg(c, sz, reg, v, c.h); c.rip = next }
      return (c) => { const v = rd(c, memLin(c, m), sz); writeReg(c, sz, reg, v, c.h); c.rip = next }
    }
    case 0x8d: {
      d.modrmDecode()
      const m = d.mem, reg = d.reg, sz = size, next = end()
      if (m === null || m.seg >= 4 || !d.finishRip(next)) return INTERP
      return (c) => {
        let lo: number, hi: number
        if (m.rip) { lo = m.abs | 0; hi = Math.floor(m.abs / TWO32) | 0 } else {
          const r = c.r
          lo = m.disp; hi = m.disp >> 31
          if (m.base >= 0) { const t = (lo >>> 0) + (r[m.base << 1] >>> 0); lo = t | 0; hi = (hi + r[(m.base << 1) + 1] + (t >= TWO32 ? 1 : 0)) | 0 }
          if (m.index >= 0) {
            let il = r[m.index << 1], ih = r[(m.index << 1) + 1]
            if (m.scale !== 0) { ih = (ih << m.scale) | (il >>> (32 - m.scale)); il <<= m.scale }
            const t = (lo >>> 0) + (il >>> 0); lo = t | 0; hi = (hi + ih + (t >= TWO32 ? 1 : 0)) | 0
          }
          if (m.a32) hi = 0
        }
        writeReg(c, sz, reg, sz === 2 ? lo & 0xffff : lo, hi)
        c.rip = next
      }
    }
    case 0x86: case 0x87: {
      d.modrmDecode()
      const sz = b === 0x86 ? 1 : size, next = end(); if (!d.finishRip(next)) return INTERP
      if (sz === 1 && (d.reg >= 4 || (d.mem === null && d.rm >= 4))) byteRegs = true
      return compileXchg(sz, d.reg, d.rm, d.mem, next)
    }
    case 0x90: { const next = end(); if (d.rexB !== 0) return INTERP; return (c) => { c.rip = next } }
    case 0x98: case 0x99: { // CBW/CWDE/CDQE, CWD/CDQ/CQO
      const next = end(), sz = size, ext = b === 0x98 ? signExtendAcc : signAccIntoDx
      return (c) => { ext(c, sz); c.rip = next }
    }
    case 0x9c: { // PUSHF (64-bit mode: no VM86 check)
      const sz = size === 2 ? 2 : 8, mask = sz === 2 ? 0xffff : 0x00fcffff, next = end()
      return (c) => { push(c, sz, getFlags(c) & mask, 0); c.rip = next }
    }
    case 0x9d: { // POPF; ends the block (compiledEndsStraightLine): IF or TF may have changed
      const sz = size === 2 ? 2 : 8, next = end()
      return (c) => { const v = pop(c, sz); setFlagsMasked(c, v, writableFlagsMask(c, false) & (sz === 2 ? 0xffff : -1)); c.rip = next }
    }
    case 0xfa: case 0xfb: { // CLI / STI
      const next = end(), sti = b === 0xfb
      return (c) => {
        if (c.cpl > ((c.eflags >> 12) & 3)) gp(0)
        materialize(c)
        if (!sti) c.eflags &= ~FLAGS.IF
        // STI's shadow covers the next instruction; the interpreter sets 2 and counts STI itself down
        else { if ((c.eflags & FLAGS.IF) === 0) c.shadow = 1; c.eflags |= FLAGS.IF }
        c.rip = next
      }
    }
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf: {
      const reg = (b & 7) | d.rexB, sz = size
      const lo = sz === 2 ? d.u16() : d.s32()
      const hi = sz === 8 ? d.s32() : 0
      const next = end()
      return (c) => { writeReg(c, sz, reg, lo, hi); c.rip = next }
    }
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd3: {
      d.modrmDecode()
      const sz = b & 1 ? size : 1, op = (d.modrm >> 3) & 7, m = d.mem, rm = d.rm
      const cnt = b <= 0xc1 ? d.u8() : 1
      const next = end(); if (!d.finishRip(next)) return INTERP
      if (sz === 1 && m === null && rm >= 4) byteRegs = true
      const byCl = b === 0xd3
      if (m === null) return (c) => { const v = readReg(c, sz, rm), vh = c.h; const r = shift(c, op, sz, v, vh, byCl ? c.r[2] & 0xff : cnt); writeReg(c, sz, rm, r, c.h); c.rip = next }
      return (c) => { const a = memLin(c, m); probeWrite(c, a, sz); const v = rd(c, a, sz), vh = c.h; const r = shift(c, op, sz, v, vh, byCl ? c.r[2] & 0xff : cnt); wr(c, a, sz, r, c.h); c.rip = next }
    }
    case 0xc3: return ret64

    case 0xc6: case 0xc7: {
      d.modrmDecode()
      if (((d.modrm >> 3) & 7) !== 0) return INTERP
      const sz = b === 0xc6 ? 1 : size, m = d.mem, rm = d.rm
      const imm = sz === 1 ? d.u8() : sz === 2 ? d.u16() : d.s32()
      const next = end(); if (!d.finishRip(next)) return INTERP
      if (sz === 1 && m === null && rm >= 4) byteRegs = true
      const hi = imm >> 31
      if (m !== null) { const f = fastStoreImm(sz, imm, m, next); if (f) return f }
      if (m === null) return (c) => { writeReg(c, sz, rm, imm, hi); c.rip = next }
      return (c) => { wr(c, memLin(c, m), sz, imm, hi); c.rip = next }
    }
    case 0xe8: case 0xe9: case 0xeb: {
      const rel = b === 0xeb ? d.s8() : size === 2 ? INTERP_REL : d.s32()
      if (rel === INTERP_REL) return INTERP
      const next = end(), target = next + rel
      if (target < -CANON || target >= CANON) return INTERP
      if (b !== 0xe8) { jumpTarget = target; return (c) => { c.rip = target } }
      const lo = next | 0, hi = Math.floor(next / TWO32) | 0
      return (c) => { push(c, 8, lo, hi); c.rip = target }
    }
    case 0xf6: case 0xf7: {
      d.modrmDecode()
      const sz = b === 0xf6 ? 1 : size, op = (d.modrm >> 3) & 7, m = d.mem, rm = d.rm
      const imm = op < 2 ? (sz === 1 ? d.u8() : sz === 2 ? d.u16() : d.s32()) : 0
      const next = end(); if (!d.finishRip(next)) return INTERP
      if (sz === 1 && m === null && rm >= 4) byteRegs = true
      if (op < 2) { const s = trunc(imm, sz), sh = imm >> 31; return (c) => { const v = m === null ? readReg(c, sz, rm) : rd(c, memLin(c, m), sz); alu(c, 4, sz, v, c.h, s, sh); c.rip = next } }
      if (op >= 4) return (c) => { const s = m === null ? readReg(c, sz, rm) : rd(c, memLin(c, m), sz), sh = c.h; if (op < 6) { const a = readReg(c, sz, 0); mulAcc(c, sz, a, c.h, s, sh, op === 5) } else divAcc(c, sz, s, sh, op === 7); c.rip = next }
      if (m !== null) return INTERP
      if (op === 2) return (c) => { const v = readReg(c, sz, rm), vh = c.h; writeReg(c, sz, rm, trunc(~v, sz), ~vh); c.rip = next }
      return (c) => { const v = readReg(c, sz, rm), vh = c.h; const r = neg(c, sz, v, vh); writeReg(c, sz, rm, r, c.h); c.rip = next }
    }
    case 0xfe: case 0xff: {
      d.modrmDecode()
      const op = (d.modrm >> 3) & 7, m = d.mem, rm = d.rm, sz = b === 0xfe ? 1 : size
      const next = end(); if (!d.finishRip(next)) return INTERP
      if (sz === 1 && m === null && rm >= 4) byteRegs = true
      if (op < 2) {
        const isDec = op === 1
        if (m === null) return (c) => { const v = readReg(c, sz, rm), vh = c.h; const r = incDec(c, sz, v, vh, isDec); writeReg(c, sz, rm, r, c.h); c.rip = next }
        return (c) => { const a = memLin(c, m); probeWrite(c, a, sz); const v = rd(c, a, sz), vh = c.h; const r = incDec(c, sz, v, vh, isDec); wr(c, a, sz, r, c.h); c.rip = next }
      }
      if (b === 0xfe) return INTERP
      if (op === 2 || op === 4) {
        const lo = next | 0, hi = Math.floor(next / TWO32) | 0, call = op === 2
        return (c) => {
          const v = m === null ? c.r[rm << 1] : rd(c, memLin(c, m), 8)
          const vh = m === null ? c.r[(rm << 1) + 1] : c.h
          const t = vh * TWO32 + (v >>> 0)
          if (t < -CANON || t >= CANON) gp(0)
          if (call) push(c, 8, lo, hi)
          c.rip = t
        }
      }
      if (op === 6) {
        const psz = size === 2 ? 2 : 8 // 66h: a word push (SDM vol. 2, PUSH)
        return (c) => { const v = m === null ? readReg(c, psz, rm) : rd(c, memLin(c, m), psz); push(c, psz, v, c.h); c.rip = next }
      }
      return INTERP
    }
    case 0x0f: return build0F(ip, start)
    default: return INTERP
  }
}

const INTERP_REL = 0x7fffffff + 1

/** RET (near, 64-bit): a non-canonical return address faults with RSP unchanged (SDM vol. 2 "RET"). */
export function ret64(c: CpuState): void {
  const v = pop(c, 8), vh = c.h
  const t = vh * TWO32 + (v >>> 0)
  if (t < -CANON || t >= CANON) { addSp(c, -8); gp(0) }
  c.rip = t
}

function build0F(ip: number, start: number): CompiledInsn {
  const d = dec
  const b = d.u8()
  const size = d.opSize
  const end = () => ip + (d.pos - start)
  if (b >= 0x80 && b <= 0x8f) {
    if (size === 2) return INTERP
    const rel = d.s32(), next = end(), target = next + rel, cc = b & 15
    if (target < -CANON || target >= CANON) return INTERP
    return fastJcc(cc, target, next)
  }
  if (b === 0x1f || b === 0x0d || (b >= 0x18 && b <= 0x1e)) { d.modrmDecode(); const next = end(); return (c) => { c.rip = next } } // hint NOPs, PREFETCHh
  if (b >= 0xc8 && b <= 0xcf) { // BSWAP
    const reg = (b & 7) | d.rexB, sz = size, next = end()
    return (c) => { bswap(c, reg, sz); c.rip = next }
  }
  if (b === 0xa3 || b === 0xab || b === 0xb3 || b === 0xbb || b === 0xba || b === 0xb0 || b === 0xb1 || b === 0xc0 || b === 0xc1) {
    d.modrmDecode()
    const op = (d.modrm >> 3) & 7
    if (b === 0xba && op < 4) return INTERP // #UD in the interpreter
    const imm = b === 0xba ? d.u8() : -1
    const next = end(); if (!d.finishRip(next)) return INTERP
    const sz = b === 0xb0 || b === 0xc0 ? 1 : size, m = d.mem, reg = d.reg, rm = d.rm
    if (sz === 1 && (reg >= 4 || (m === null && rm >= 4))) byteRegs = true
    if (b === 0xb0 || b === 0xb1) return compileCmpxchg(sz, reg, rm, m, next)
    if (b === 0xc0 || b === 0xc1) return compileXadd(sz, reg, rm, m, next)
    return compileBitOp(sz, b === 0xba ? op & 3 : (b >> 3) & 3, reg, rm, m, imm, next)
  }
  if ((b >= 0x40 && b <= 0x4f) || (b >= 0x90 && b <= 0x9f) || b === 0xaf || b === 0xb6 || b === 0xb7 || b === 0xbe || b === 0xbf) {
    d.modrmDecode()
    const next = end(); if (!d.finishRip(next)) return INTERP
    const m = d.mem, rm = d.rm, reg = d.reg, cc = b & 15
    if (b >= 0x90 && b <= 0x9f) {
      if (m === null && rm >= 4) byteRegs = true
      if (m === null) return (c) => { writeReg(c, 1, rm, testCond(c, cc) ? 1 : 0, 0); c.rip = next }
      return (c) => { wr(c, memLin(c, m), 1, testCond(c, cc) ? 1 : 0, 0); c.rip = next }
    }
    if (b <= 0x4f) {
      const sz = size
      return (c) => {
        const v = m === null ? readReg(c, sz, rm) : rd(c, memLin(c, m), sz), vh = c.h
        if (testCond(c, cc)) writeReg(c, sz, reg, v, vh); else if (sz === 4) c.r[(reg << 1) + 1] = 0
        c.rip = next
      }
    }
    if (b === 0xaf) {
      const sz = size
      return (c) => { const s = m === null ? readReg(c, sz, rm) : rd(c, memLin(c, m), sz), sh = c.h; const v = readReg(c, sz, reg); const r = imulTrunc(c, sz, sz === 2 ? sext(v, 2) : v, c.h, sz === 2 ? sext(s, 2) : s, sh); writeReg(c, sz, reg, r, c.h); c.rip = next }
    }
    const ss = b & 1 ? 2 : 1, signed = b >= 0xbe, sz = size
    if (ss === 1 && m === null && rm >= 4) byteRegs = true
    return (c) => {
      let v = m === null ? readReg(c, ss, rm) : rd(c, memLin(c, m), ss)
      if (signed) { v = sext(v, ss); writeReg(c, sz, reg, sz === 2 ? v & 0xffff : v, v >> 31) } else writeReg(c, sz, reg, v, 0)
      c.rip = next
    }
  }
  return INTERP
}
