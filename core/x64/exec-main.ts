/**
 * The interpreter's entry: legacy/REX prefix decoding, operand/address-size selection
 * and the one-byte opcode map (Intel SDM vol. 2, appendix A.3, table A-2). Two-byte
 * opcodes, string, control-transfer, system and x87 instructions live in sibling
 * modules. `step` returns 0 when the instruction retired (RIP committed) or an
 * ExitReason when it left unexecuted.
 */
import type { CpuState } from './cpu-state'
import { Mode, FLAGS } from './constants'
import { ExitReason } from './api'
import { gp, ud, fault } from './faults'
import { decodeModrm, ea, fetch8, fetchS8, fetch16, fetch32 } from './decode'
import { readReg, writeReg, readRM, writeRM, rmwAddr, push, pop, getReg8, setReg8, addSp, peek } from './operands'
import { rd, wr } from './mmu'
import { alu, incDec, neg, shift, trunc, sext, signExtendAcc, signAccIntoDx } from './ops-alu'
import { mulAcc, divAcc, imulTrunc } from './ops-muldiv'
import { LF, getFlags, setFlagsMasked, testCond, getCF, setCF, materialize, getZF } from './lazy-flags'
import { jumpRel, jumpAbs, toNum, fetchImmS, fetchImm8S, aluRm, aluModrm } from './exec-helpers'
import { exec0F } from './exec-0f'
import { stringOp } from './exec-string'
import { farJump, farCall, farRet, softInt, pushSeg, popSeg, movToSeg, loadFarPointer } from './exec-control'
import { checkIoPermission, ioExit, IoKind, instrExit } from './exits'
import { execX87, fwait } from './exec-x87'
import { iret, writableFlagsMask } from './interrupts'
import { Vector } from './constants'

/** Decode prefixes and execute one instruction at c.rip. */
export function step(c: CpuState): number {
  c.ip = c.rip
  c.segOvr = -1
  c.rep = 0
  c.lock = false
  c.rex = 0
  let opOvr = false, adOvr = false
  const long = c.mode === Mode.Long64
  let b = fetch8(c)
  for (let n = 0; ; n++) {
    if (n > 14) gp(0)
    if (b === 0x66) opOvr = true
    else if (b === 0x67) adOvr = true
    else if (b === 0xf3 || b === 0xf2) c.rep = b
    else if (b === 0xf0) c.lock = true
    else if (b === 0x2e || b === 0x36 || b === 0x3e || b === 0x26) { if (!long) c.segOvr = (b >> 3) & 3 }
    else if (b === 0x64 || b === 0x65) c.segOvr = b - 0x60
    else if (long && (b & 0xf0) === 0x40) { c.rex = b; b = fetch8(c); if ((b & 0xf0) === 0x40) continue; break }
    else break
    c.rex = 0
    b = fetch8(c)
  }
  c.pfx66 = opOvr
  const rex = c.rex
  c.rexW = (rex & 8) !== 0
  c.rexR = (rex & 4) << 1
  c.rexX = (rex & 2) << 2
  c.rexB = (rex & 1) << 3
  if (long) {
    c.opSize = c.rexW ? 8 : opOvr ? 2 : 4
    c.adSize = adOvr ? 4 : 8
  } else {
    const cs = c.codeSize
    c.opSize = opOvr ? 6 - cs : cs
    c.adSize = adOvr ? 6 - cs : cs
  }
  return exec1(c, b)
}

function exec1(c: CpuState, b: number): number {
  const long = c.mode === Mode.Long64
  let size = c.opSize
  if (b < 0x40) {
    const op = b >> 3
    switch (b & 7) {
      case 0: aluModrm(c, op, 1, 0); return 0
      case 1: aluModrm(c, op, size, 0); return 0
      case 2: aluModrm(c, op, 1, 1); return 0
      case 3: aluModrm(c, op, size, 1); return 0
      case 4: { const s = fetch8(c); const r = alu(c, op, 1, c.r[0] & 0xff, 0, s, 0); if (op !== 7) setReg8(c, 0, r); return 0 }
      case 5: {
        const s = fetchImmS(c, size), sh = c.h
        const d = readReg(c, size, 0), dh = c.h
        const r = alu(c, op, size, d, dh, s, sh)
        if (op !== 7) writeReg(c, size, 0, r, c.h)
        return 0
      }
      case 6:
        if (long) ud()
        pushSeg(c, b >> 3); return 0
      default:
        if (b === 0x0f) return exec0F(c)
        if (b >= 0x20) return decimalAdjust(c, b)
        if (long) ud()
        popSeg(c, b >> 3); return 0
    }
  }
  switch (b) {
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
    case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f: {
      const reg = b & 7
      const d = readReg(c, size, reg), dh = c.h
      const r = incDec(c, size, d, dh, b >= 0x48)
      writeReg(c, size, reg, r, c.h)
      return 0
    }
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57: {
      if (long) size = size === 2 ? 2 : 8
      const v = readReg(c, size, (b & 7) | c.rexB)
      push(c, size, v, c.h)
      return 0
    }
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
      if (long) size = size === 2 ? 2 : 8
      const v = pop(c, size)
      writeReg(c, size, (b & 7) | c.rexB, v, c.h)
      return 0
    }
    case 0x60: { // PUSHA
      if (long) ud()
      const sp = readReg(c, size, 4)
      for (let i = 0; i < 8; i++) push(c, size, i === 4 ? sp : readReg(c, size, i), 0)
      return 0
    }
    case 0x61: { // POPA
      if (long) ud()
      for (let i = 7; i >= 0; i--) { const v = pop(c, size); if (i !== 4) writeReg(c, size, i, v, 0) }
      return 0
    }
    case 0x62: ud()
    case 0x63:
      if (long) { // MOVSXD
        decodeModrm(c)
        const v = readRM(c, 4)
        if (size === 8) writeReg(c, 8, c.reg, v, v >> 31); else writeReg(c, size, c.reg, v, 0)
        return 0
      }
      return arpl(c)
    case 0x68: { const v = fetchImmS(c, size === 2 ? 2 : 4); pushImm(c, v); return 0 }
    case 0x6a: { const v = fetchS8(c); pushImm(c, v); return 0 }
    case 0x69: case 0x6b: {
      decodeModrm(c)
      const imm = b === 0x69 ? fetchImmS(c, size) : fetchImm8S(c, size) // before a RIP-relative read
      const ih = c.h
      const s = readRM(c, size), sh = c.h
      const r = imulTrunc(c, size, size === 2 ? sext(s, 2) : s, sh, size === 2 ? sext(imm, 2) : imm, ih)
      writeReg(c, size, c.reg, r, c.h)
      return 0
    }
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
      return stringOp(c, b, b & 1 ? (size === 8 ? 4 : size) : 1)
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
      const rel = fetchS8(c)
      if (testCond(c, b & 15)) { if (long) c.opSize = 8; jumpRel(c, rel) }
      return 0
    }
    case 0x80: case 0x82: { if (b === 0x82 && long) ud(); decodeModrm(c); const s = fetch8(c); aluRm(c, (c.modrm >> 3) & 7, 1, s, 0); return 0 }
    case 0x81: { decodeModrm(c); const s = fetchImmS(c, size); aluRm(c, (c.modrm >> 3) & 7, size, s, c.h); return 0 }
    case 0x83: { decodeModrm(c); const s = fetchImm8S(c, size); aluRm(c, (c.modrm >> 3) & 7, size, s, c.h); return 0 }
    case 0x84: case 0x85: {
      const sz = b === 0x84 ? 1 : size
      decodeModrm(c)
      const d = readRM(c, sz), dh = c.h
      const s = readReg(c, sz, c.reg)
      alu(c, 4, sz, d, dh, s, c.h)
      return 0
    }
    case 0x86: case 0x87: {
      const sz = b === 0x86 ? 1 : size
      decodeModrm(c)
      const s = readReg(c, sz, c.reg), sh = c.h
      if (c.mod === 3) {
        const d = readReg(c, sz, c.rm), dh = c.h
        writeReg(c, sz, c.rm, s, sh)
        writeReg(c, sz, c.reg, d, dh)
      } else {
        const a = rmwAddr(c, sz)
        const d = rd(c, a, sz), dh = c.h
        wr(c, a, sz, s, sh)
        writeReg(c, sz, c.reg, d, dh)
      }
      return 0
    }
    case 0x88: decodeModrm(c); writeRM(c, 1, getReg8(c, c.reg), 0); return 0
    case 0x89: { decodeModrm(c); const v = readReg(c, size, c.reg); writeRM(c, size, v, c.h); return 0 }
    case 0x8a: { decodeModrm(c); const v = readRM(c, 1); setReg8(c, c.reg, v); return 0 }
    case 0x8b: { decodeModrm(c); const v = readRM(c, size); writeReg(c, size, c.reg, v, c.h); return 0 }
    case 0x8c: { // MOV Ev, Sreg
      decodeModrm(c)
      const s = c.reg & 7
      if (s > 5) ud()
      const v = c.segSel[s]
      if (c.mod === 3) writeReg(c, size, c.rm, v, 0); else writeRM(c, 2, v, 0)
      return 0
    }
    case 0x8d: { // LEA
      decodeModrm(c)
      if (c.mod === 3) ud()
      let lo = c.eaLo, hi = c.eaHi
      if (c.ripRel) { const a = c.ip + c.eaLo; lo = a | 0; hi = Math.floor(a / 4294967296) | 0 }
      writeReg(c, size, c.reg, size === 2 ? lo & 0xffff : lo, hi)
      return 0
    }
    case 0x8e: { decodeModrm(c); const v = readRM(c, 2); movToSeg(c, c.reg & 7, v); return 0 }
    case 0x8f: { // POP Ev
      if (long) size = size === 2 ? 2 : 8
      const v = peek(c, 0, size), vh = c.h
      // SDM POP: an RSP-based destination address is computed after RSP is incremented.
      addSp(c, size)
      try { decodeModrm(c); writeRM(c, size, v, vh) } catch (e) { addSp(c, -size); throw e }
      return 0
    }
    case 0x90:
      if (c.rexB !== 0) { xchgAx(c, size, 8); return 0 }
      return 0 // NOP / PAUSE
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
      xchgAx(c, size, (b & 7) | c.rexB); return 0
    case 0x98: signExtendAcc(c, size); return 0 // CBW/CWDE/CDQE
    case 0x99: signAccIntoDx(c, size); return 0 // CWD/CDQ/CQO
    case 0x9a: { if (long) ud(); const off = size === 2 ? fetch16(c) : fetch32(c); const sel = fetch16(c); farCall(c, sel, off, 0, size); return 0 }
    case 0x9b: fwait(c); return 0 // FWAIT: #NM (MP and TS), #MF for a pending x87 exception
    case 0x9c: { // PUSHF
      if ((c.eflags & FLAGS.VM) !== 0 && ((c.eflags >> 12) & 3) < 3) gp(0)
      if (long) size = size === 2 ? 2 : 8
      push(c, size, getFlags(c) & (size === 2 ? 0xffff : 0x00fcffff), 0)
      return 0
    }
    case 0x9d: { // POPF
      if ((c.eflags & FLAGS.VM) !== 0 && ((c.eflags >> 12) & 3) < 3) gp(0)
      if (long) size = size === 2 ? 2 : 8
      const v = pop(c, size)
      setFlagsMasked(c, v, writableFlagsMask(c, false) & (size === 2 ? 0xffff : -1))
      return 0
    }
    case 0x9e: { // SAHF
      setFlagsMasked(c, (c.r[0] >> 8) & 0xff, 0xd5)
      return 0
    }
    case 0x9f: c.r[0] = (c.r[0] & ~0xff00) | (((getFlags(c) & 0xd7) | 2) << 8); return 0 // LAHF
    case 0xa0: case 0xa1: case 0xa2: case 0xa3: { // MOV moffs
      const sz = b & 1 ? size : 1
      let lo: number, hi = 0
      if (c.adSize === 8) { lo = fetch32(c); hi = fetch32(c) } else lo = c.adSize === 4 ? fetch32(c) : fetch16(c)
      c.mod = 0; c.ripRel = false; c.eaLo = lo; c.eaHi = hi; c.eaSeg = c.segOvr >= 0 ? c.segOvr : 3
      if (b < 0xa2) { const v = rd(c, ea(c, sz, false), sz); writeReg(c, sz, 0, v, c.h) } else { const v = readReg(c, sz, 0); wr(c, ea(c, sz, true), sz, v, c.h) }
      return 0
    }
    case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
      return stringOp(c, b, b & 1 ? size : 1)
    case 0xa8: { const s = fetch8(c); alu(c, 4, 1, c.r[0] & 0xff, 0, s, 0); return 0 }
    case 0xa9: { const s = fetchImmS(c, size), sh = c.h; const d = readReg(c, size, 0); alu(c, 4, size, d, c.h, s, sh); return 0 }
    case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
      setReg8(c, (b & 7) | c.rexB, fetch8(c)); return 0
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf: {
      const reg = (b & 7) | c.rexB
      if (size === 8) { const lo = fetch32(c); const hi = fetch32(c); writeReg(c, 8, reg, lo, hi) } else writeReg(c, size, reg, size === 2 ? fetch16(c) : fetch32(c), 0)
      return 0
    }
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const sz = b & 1 ? size : 1
      decodeModrm(c)
      const op = (c.modrm >> 3) & 7
      const cnt = b <= 0xc1 ? fetch8(c) : b <= 0xd1 ? 1 : c.r[2] & 0xff
      if (c.mod === 3) {
        const d = readReg(c, sz, c.rm), dh = c.h
        const r = shift(c, op, sz, d, dh, cnt)
        writeReg(c, sz, c.rm, r, c.h)
      } else {
        const a = rmwAddr(c, sz)
        const d = rd(c, a, sz), dh = c.h
        const r = shift(c, op, sz, d, dh, cnt)
        wr(c, a, sz, r, c.h)
      }
      return 0
    }
    case 0xc2: case 0xc3: { // RET near
      const n = b === 0xc2 ? fetch16(c) : 0
      if (long) size = 8
      const v = pop(c, size), vh = c.h
      c.opSize = size
      try { jumpAbs(c, size === 8 ? toNum(v, vh) : v >>> 0) } catch (e) { addSp(c, -size); throw e }
      if (n) addSp(c, n)
      return 0
    }
    case 0xc4: case 0xc5: if (long) ud(); decodeModrm(c); if (c.mod === 3) ud(); loadFarPointer(c, b === 0xc4 ? 0 : 3, size); return 0
    case 0xc6: { decodeModrm(c); const v = fetch8(c); writeRM(c, 1, v, 0); return 0 }
    case 0xc7: { decodeModrm(c); const v = fetchImmS(c, size); writeRM(c, size, v, c.h); return 0 }
    case 0xc8: return enter(c)
    case 0xc9: { // LEAVE
      const ss = c.stackSize
      const bp = readReg(c, ss, 5), bph = c.h
      const v = peekAt(c, bp, bph, long ? (size === 2 ? 2 : 8) : size)
      const vh = c.h
      writeReg(c, ss, 4, bp, bph)
      const psz = long ? (size === 2 ? 2 : 8) : size
      addSp(c, psz)
      writeReg(c, psz, 5, v, vh)
      return 0
    }
    case 0xca: case 0xcb: farRet(c, size, b === 0xca ? fetch16(c) : 0); return 0
    case 0xcc: c.rip = c.ip; softInt(c, Vector.BP, true); return 0
    case 0xcd: { const v = fetch8(c); c.rip = c.ip; softInt(c, v, false); return 0 }
    case 0xce: if (long) ud(); if (getOFlag(c)) { c.rip = c.ip; softInt(c, Vector.OF, true) } return 0
    case 0xcf: iret(c, size); c.ip = c.rip; return 0
    case 0xd4: { // AAM
      if (long) ud()
      const base = fetch8(c)
      if (base === 0) fault(Vector.DE, 0, false)
      const al = c.r[0] & 0xff
      const r = ((Math.floor(al / base) & 0xff) << 8) | (al % base)
      c.r[0] = (c.r[0] & ~0xffff) | r
      c.lfOp = LF.LOGIC; c.lfSize = 1; c.lfRes = r & 0xff
      return 0
    }
    case 0xd5: { // AAD
      if (long) ud()
      const base = fetch8(c)
      const r = ((c.r[0] & 0xff) + ((c.r[0] >> 8) & 0xff) * base) & 0xff
      c.r[0] = (c.r[0] & ~0xffff) | r
      c.lfOp = LF.LOGIC; c.lfSize = 1; c.lfRes = r
      return 0
    }
    case 0xd6: if (long) ud(); setReg8(c, 0, getCF(c) ? 0xff : 0); return 0
    case 0xd7: { // XLAT
      const off = (readReg(c, c.adSize === 8 ? 8 : c.adSize, 3) + (c.r[0] & 0xff))
      c.mod = 0; c.ripRel = false; c.eaHi = c.adSize === 8 ? c.h : 0
      c.eaLo = c.adSize === 2 ? off & 0xffff : off | 0
      if (c.adSize === 8 && (off >>> 0) !== off && off > 0) c.eaHi = (c.eaHi + 1) | 0
      c.eaSeg = c.segOvr >= 0 ? c.segOvr : 3
      setReg8(c, 0, rd(c, ea(c, 1, false), 1))
      return 0
    }
    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
      return execX87(c, b)
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: { // LOOPcc / JrCXZ
      const rel = fetchS8(c)
      const asz = c.adSize
      let cx = readReg(c, asz, 1), cxh = asz === 8 ? c.h : 0
      let take: boolean
      if (b === 0xe3) take = asz === 8 ? (cx | cxh) === 0 : cx === 0
      else {
        if (asz === 8) { if (cx === 0) cxh = (cxh - 1) | 0; cx = (cx - 1) | 0 } else cx = asz === 2 ? (cx - 1) & 0xffff : (cx - 1) | 0
        writeReg(c, asz, 1, cx, cxh)
        const nz = asz === 8 ? (cx | cxh) !== 0 : cx !== 0
        take = b === 0xe2 ? nz : b === 0xe1 ? nz && getZF(c) : nz && !getZF(c)
      }
      if (take) { if (long) c.opSize = 8; jumpRel(c, rel) }
      return 0
    }
    case 0xe4: case 0xe5: case 0xe6: case 0xe7: case 0xec: case 0xed: case 0xee: case 0xef: {
      const port = b < 0xe8 ? fetch8(c) : c.r[4] & 0xffff
      const sz = b & 1 ? (size === 2 ? 2 : 4) : 1
      checkIoPermission(c, port, sz)
      const out = (b & 2) !== 0
      return ioExit(c, out ? IoKind.Out : IoKind.In, port, sz, out ? c.r[0] : 0, false)
    }
    case 0xe8: { // CALL rel
      const rel = size === 2 ? (fetch16(c) << 16) >> 16 : fetch32(c)
      if (long) size = 8
      const ret = c.ip
      c.opSize = size
      const save = c.ip
      jumpRel(c, rel)
      const target = c.ip
      c.ip = save
      push(c, size, ret | 0, Math.floor(ret / 4294967296) | 0)
      c.ip = target
      return 0
    }
    case 0xe9: { const rel = size === 2 ? (fetch16(c) << 16) >> 16 : fetch32(c); if (long) c.opSize = 8; jumpRel(c, rel); return 0 }
    case 0xea: { if (long) ud(); const off = size === 2 ? fetch16(c) : fetch32(c); const sel = fetch16(c); farJump(c, sel, off, 0, size); return 0 }
    case 0xeb: { const rel = fetchS8(c); if (long) c.opSize = 8; jumpRel(c, rel); return 0 }
    case 0xf1: c.rip = c.ip; softInt(c, Vector.DB, true); return 0
    case 0xf4: // HLT
      if (c.cpl !== 0) gp(0)
      c.rip = c.ip
      c.halted = true
      return ExitReason.Halt
    case 0xf5: setCF(c, !getCF(c)); return 0
    case 0xf6: case 0xf7: return group3(c, b === 0xf6 ? 1 : size)
    case 0xf8: setCF(c, false); return 0
    case 0xf9: setCF(c, true); return 0
    case 0xfa: case 0xfb: { // CLI / STI
      if (c.mode !== Mode.Real && c.cpl > ((c.eflags >> 12) & 3)) gp(0)
      materialize(c)
      if (b === 0xfa) c.eflags &= ~FLAGS.IF
      else { if ((c.eflags & FLAGS.IF) === 0) c.shadow = 2; c.eflags |= FLAGS.IF }
      return 0
    }
    case 0xfc: materialize(c); c.eflags &= ~FLAGS.DF; return 0
    case 0xfd: materialize(c); c.eflags |= FLAGS.DF; return 0
    case 0xfe: {
      decodeModrm(c)
      const op = (c.modrm >> 3) & 7
      if (op > 1) ud()
      incDecRm(c, 1, op === 1)
      return 0
    }
    case 0xff: return group5(c, size)
    default:
      if (b === 0x27 || b === 0x2f || b === 0x37 || b === 0x3f) return decimalAdjust(c, b)
      ud()
  }
}

function getOFlag(c: CpuState): boolean {
  return (getFlags(c) & FLAGS.OF) !== 0
}

function pushImm(c: CpuState, v: number): void {
  let size = c.opSize
  if (c.mode === Mode.Long64) size = size === 2 ? 2 : 8
  push(c, size, size === 2 ? v & 0xffff : v, v >> 31)
}

function xchgAx(c: CpuState, size: number, reg: number): void {
  const a = readReg(c, size, 0), ah = c.h
  const v = readReg(c, size, reg), vh = c.h
  writeReg(c, size, 0, v, vh)
  writeReg(c, size, reg, a, ah)
}

function peekAt(c: CpuState, lo: number, hi: number, size: number): number {
  c.mod = 0; c.ripRel = false
  c.eaLo = c.stackSize === 2 ? lo & 0xffff : lo
  c.eaHi = c.stackSize === 8 ? hi : 0
  c.eaSeg = 2
  return rd(c, ea(c, size, false), size)
}

function incDecRm(c: CpuState, size: number, dec: boolean): void {
  if (c.mod === 3) {
    const d = readReg(c, size, c.rm), dh = c.h
    const r = incDec(c, size, d, dh, dec)
    writeReg(c, size, c.rm, r, c.h)
  } else {
    const a = rmwAddr(c, size)
    const d = rd(c, a, size), dh = c.h
    const r = incDec(c, size, d, dh, dec)
    wr(c, a, size, r, c.h)
  }
}

function group3(c: CpuState, size: number): number {
  decodeModrm(c)
  const op = (c.modrm >> 3) & 7
  switch (op) {
    case 0: case 1: { // TEST imm
      // The immediate comes first: a RIP-relative operand is relative to the instruction's end.
      const s = fetchImmS(c, size), sh = c.h
      const d = readRM(c, size), dh = c.h
      alu(c, 4, size, d, dh, s, sh)
      return 0
    }
    case 2: case 3: { // NOT / NEG
      if (c.mod === 3) {
        const d = readReg(c, size, c.rm), dh = c.h
        if (op === 2) writeReg(c, size, c.rm, trunc(~d, size), ~dh)
        else { const r = neg(c, size, d, dh); writeReg(c, size, c.rm, r, c.h) }
      } else {
        const a = rmwAddr(c, size)
        const d = rd(c, a, size), dh = c.h
        if (op === 2) wr(c, a, size, trunc(~d, size), ~dh)
        else { const r = neg(c, size, d, dh); wr(c, a, size, r, c.h) }
      }
      return 0
    }
    default: {
      const s = readRM(c, size), sh = c.h
      if (op === 4 || op === 5) { const a = readReg(c, size, 0); mulAcc(c, size, a, c.h, s, sh, op === 5) } else divAcc(c, size, s, sh, op === 7)
      return 0
    }
  }
}

function group5(c: CpuState, size: number): number {
  decodeModrm(c)
  const op = (c.modrm >> 3) & 7
  const long = c.mode === Mode.Long64
  switch (op) {
    case 0: case 1: incDecRm(c, size, op === 1); return 0
    case 2: case 4: { // CALL/JMP near indirect
      if (long) size = 8
      const v = readRM(c, size), vh = c.h
      const target = size === 8 ? toNum(v, vh) : v >>> 0
      c.opSize = size
      const ret = c.ip
      jumpAbs(c, target)
      if (op === 2) { const t = c.ip; c.ip = ret; push(c, size, ret | 0, Math.floor(ret / 4294967296) | 0); c.ip = t }
      return 0
    }
    case 3: case 5: { // CALL/JMP far indirect
      if (c.mod === 3) ud()
      const a = ea(c, size + 2, false)
      const off = rd(c, a, size), offh = size === 8 ? c.h : 0
      const sel = rd(c, a + size, 2)
      if (op === 3) farCall(c, sel, off, offh, size); else farJump(c, sel, off, offh, size)
      return 0
    }
    case 6: {
      if (long) size = size === 2 ? 2 : 8
      const v = readRM(c, size)
      push(c, size, v, c.h)
      return 0
    }
    default: return ud()
  }
}

function enter(c: CpuState): number {
  const alloc = fetch16(c)
  const level = fetch8(c) & 31
  const long = c.mode === Mode.Long64
  const size = long ? (c.opSize === 2 ? 2 : 8) : c.opSize
  const ss = c.stackSize
  const bp = readReg(c, ss === 8 ? 8 : ss, 5), bph = c.h
  push(c, size, readReg(c, size, 5), c.h)
  const frame = readReg(c, ss, 4), frameh = c.h
  let tbp = bp, tbph = bph
  for (let i = 1; i < level; i++) {
    const t = (tbp >>> 0) - size
    tbp = t | 0
    if (t < 0) tbph = (tbph - 1) | 0
    const v = peekAt(c, tbp, tbph, size)
    push(c, size, v, c.h)
  }
  if (level > 0) push(c, size, frame, frameh)
  writeReg(c, size === 8 ? 8 : ss === 2 ? 2 : size, 5, frame, frameh)
  addSp(c, -alloc)
  return 0
}

function arpl(c: CpuState): number {
  if (c.mode === Mode.Real) ud()
  decodeModrm(c)
  const d = readRM(c, 2)
  const s = readReg(c, 2, c.reg)
  materialize(c)
  if ((d & 3) < (s & 3)) { writeRM(c, 2, (d & ~3) | (s & 3), 0); c.eflags |= FLAGS.ZF } else c.eflags &= ~FLAGS.ZF
  return 0
}

/** DAA, DAS, AAA, AAS (SDM vol. 2). */
function decimalAdjust(c: CpuState, b: number): number {
  if (c.mode === Mode.Long64) ud()
  let al = c.r[0] & 0xff
  const cf = getCF(c)
  const af = (getFlags(c) & FLAGS.AF) !== 0
  materialize(c)
  let f = c.eflags & ~(FLAGS.CF | FLAGS.AF)
  if (b === 0x27 || b === 0x2f) {
    const old = al
    let ncf = false, naf = false
    if ((al & 0xf) > 9 || af) { al = b === 0x27 ? al + 6 : al - 6; naf = true; ncf = cf || (b === 0x27 ? al > 0xff : old < 6) }
    if (old > 0x99 || cf) { al = b === 0x27 ? al + 0x60 : al - 0x60; ncf = true }
    al &= 0xff
    c.r[0] = (c.r[0] & ~0xff) | al
    f &= ~(FLAGS.ZF | FLAGS.SF | FLAGS.PF)
    c.eflags = f | (ncf ? FLAGS.CF : 0) | (naf ? FLAGS.AF : 0)
    // SF/ZF/PF from AL, CF from the adjust (LF.SETCO); AF is patched in below
    c.lfOp = LF.SETCO; c.lfSize = 1; c.lfRes = al; c.lfAux = ncf ? 1 : 0
    if (naf) { materialize(c); c.eflags |= FLAGS.AF }
    return 0
  }
  let ax = c.r[0] & 0xffff
  if ((al & 0xf) > 9 || af) {
    ax = b === 0x37 ? ax + 0x106 : ((ax - 6) & 0xff) | ((((ax >> 8) - 1) & 0xff) << 8)
    ax &= 0xffff
    c.eflags = f | FLAGS.CF | FLAGS.AF
  } else c.eflags = f
  c.r[0] = (c.r[0] & ~0xffff) | (ax & 0xff0f)
  return 0
}

