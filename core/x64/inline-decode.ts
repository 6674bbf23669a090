/**
 * Classifies one 64-bit instruction as an "inline" form: the hot subset (32/64-bit ALU,
 * TEST/CMP, MOV reg/imm/load/store, LEA, MOVZX/MOVSXD, IMUL, SETcc/CMOVcc, ADC, NOT, INC/DEC,
 * ROL/ROR/SHL/SHR/SAR by a constant, PUSH/POP,
 * CALL/RET/JMP/Jcc) that both the block generator (compile-block.ts) and the record
 * tier (records.ts) execute without a closure. Anything else returns null and runs as a
 * pre-decoded closure (compile.ts). Intel SDM vol. 2 for the encodings.
 */
import type { CpuState } from './cpu-state'
import { StaticDecoder, type MemOp } from './compile-decode'
import { LF } from './lazy-flags'

const CANON = 0x800000000000
const dec = new StaticDecoder()

/** Lazy-flag kinds by ALU op (0 ADD 1 OR 4 AND 5 SUB 6 XOR 7 CMP; 8 = TEST). */
export const KIND = [LF.ADD, LF.LOGIC, -1, -1, LF.LOGIC, LF.SUB, LF.LOGIC, LF.SUB, LF.LOGIC]

/** One decoded instruction the emitter handles inline. */
export interface Inline {
  /** 'alu' | 'mov' | 'ld' | 'st' | 'lea' | 'jcc' | 'jmp' | 'push' | 'pop' | … */
  kind: string
  op: number
  size: number
  dst: number
  src: number
  imm: number
  m: MemOp | null
  target: number
}

/** Decode the instruction at `ip` as one of the inline forms, or null. */
export function decodeInline(c: CpuState, ip: number, pageEnd: number): { f: Inline; len: number } | null {
  const start = c.fetchDelta + ip
  dec.ram = c.ram
  dec.pos = start
  dec.end = Math.min(start + 15, pageEnd)
  dec.overrun = false
  const b = dec.prefixes()
  if (dec.overrun || dec.lock || dec.rep !== 0) return null
  const size = dec.opSize
  const f: Inline = { kind: '', op: 0, size, dst: -1, src: -1, imm: 0, m: null, target: 0 }
  const done = (): { f: Inline; len: number } | null => {
    const len = dec.pos - start
    if (dec.overrun || !dec.finishRip(ip + len)) return null
    return { f, len }
  }
  // a byte register without REX: 4-7 are AH CH DH BH (encoded as 16 + reg - 4)
  const r8 = (n: number): number => (dec.rex === 0 && n >= 4 ? 16 + n - 4 : n)
  if (b === 0x84 || b === 0x3a) { // TEST r/m8, r8 and CMP r8, r/m8: register forms
    dec.modrmDecode()
    if (dec.mem !== null) return null
    f.kind = 'alu8'; f.op = b === 0x84 ? 8 : 7
    if (b === 0x84) { f.dst = r8(dec.rm); f.src = r8(dec.reg) } else { f.dst = r8(dec.reg); f.src = r8(dec.rm) }
    return done()
  }
  if (b === 0x3c) { f.kind = 'alu8'; f.op = 7; f.dst = 0; f.src = -1; f.imm = dec.u8(); return done() } // CMP AL, imm8
  if ((b === 0x11 || b === 0x13) && size >= 4) { // ADC r, r (register forms)
    dec.modrmDecode()
    if (dec.mem !== null) return null
    f.kind = 'adc'; f.dst = b === 0x11 ? dec.rm : dec.reg; f.src = b === 0x11 ? dec.reg : dec.rm
    return done()
  }
  if (b < 0x40 && (b & 7) === 5 && KIND[b >> 3] >= 0) { // op eAX/rAX, imm32
    if (size < 4) return null
    f.kind = 'alui'; f.op = b >> 3; f.dst = 0; f.imm = dec.s32()
    return done()
  }
  if (b === 0xa9) { // TEST eAX/rAX, imm32
    if (size < 4) return null
    f.kind = 'alui'; f.op = 8; f.dst = 0; f.imm = dec.s32()
    return done()
  }
  if (b < 0x40 && (b & 7) < 4 && (b & 1) === 1 && KIND[b >> 3] >= 0) {
    if (size < 4) return null
    dec.modrmDecode()
    f.op = b >> 3
    if ((b & 2) === 0) { // op Ev, Gv: register destination only (CMP may read memory)
      if (dec.mem !== null && f.op !== 7) return null
      if (dec.mem !== null) { f.kind = 'alum'; f.m = dec.mem; f.src = dec.reg; return done() }
      f.kind = 'alu'; f.dst = dec.rm; f.src = dec.reg
      return done()
    }
    f.kind = dec.mem !== null ? 'alu<m' : 'alu'; f.dst = dec.reg; f.src = dec.rm; f.m = dec.mem
    return done()
  }
  switch (b) {
    case 0x81: case 0x83: case 0x85: {
      if (size < 4) return null
      dec.modrmDecode()
      if (b === 0x85) {
        if (dec.mem !== null) return null
        f.kind = 'alu'; f.op = 8; f.dst = dec.rm; f.src = dec.reg
        return done()
      }
      f.op = (dec.modrm >> 3) & 7
      if (KIND[f.op] < 0) return null
      f.imm = b === 0x81 ? dec.s32() : dec.s8()
      if (dec.mem !== null) {
        if (f.op !== 7) return null
        f.kind = 'cmpmi'; f.m = dec.mem
        return done()
      }
      f.kind = 'alui'; f.dst = dec.rm
      return done()
    }
    case 0xc1: case 0xd1: {
      if (size < 4) return null
      dec.modrmDecode()
      f.op = (dec.modrm >> 3) & 7
      f.imm = (b === 0xc1 ? dec.u8() : 1) & (size === 8 ? 63 : 31)
      if (dec.mem !== null || f.imm === 0) return null
      // ROL/ROR by a constant (the ciphers' and hashes' rounds); RCL/RCR and SAL stay closures
      if (f.op === 0 || f.op === 1) { f.kind = 'rot'; f.dst = dec.rm; return done() }
      if (f.op !== 4 && f.op !== 5 && f.op !== 7) return null
      f.kind = 'shift'; f.dst = dec.rm
      return done()
    }
    case 0xc7: { // MOV r/m, imm32 (sign-extended for 64 bits): memory destination
      if (size < 4) return null
      dec.modrmDecode()
      if (dec.mem === null || ((dec.modrm >> 3) & 7) !== 0) return null
      f.kind = 'sti'; f.m = dec.mem; f.imm = dec.s32()
      return done()
    }
    case 0xf7: { // NOT r (no flags), TEST r, imm32
      if (size < 4) return null
      dec.modrmDecode()
      const r = (dec.modrm >> 3) & 7
      if (dec.mem !== null || (r !== 2 && r !== 0)) return null
      if (r === 0) { f.kind = 'alui'; f.op = 8; f.dst = dec.rm; f.imm = dec.s32(); return done() }
      f.kind = 'not'; f.dst = dec.rm
      return done()
    }
    case 0xff: { // INC/DEC r (CF kept: the flag record carries it, lazy-flags.ts)
      if (size < 4) return null
      dec.modrmDecode()
      const r = (dec.modrm >> 3) & 7
      if (dec.mem !== null || r > 1) return null
      f.kind = 'incdec'; f.op = r; f.dst = dec.rm
      return done()
    }
    case 0x80: {
      dec.modrmDecode()
      if (dec.mem === null || ((dec.modrm >> 3) & 7) !== 7) return null
      f.kind = 'cmpb'; f.m = dec.mem; f.imm = dec.u8()
      return done()
    }
    case 0x88: case 0x8a: case 0xc6: {
      dec.modrmDecode()
      if (dec.mem === null) return null
      if (b === 0xc6) {
        if (((dec.modrm >> 3) & 7) !== 0) return null
        f.kind = 'stbi'; f.m = dec.mem; f.imm = dec.u8()
        return done()
      }
      // byte register: without REX, 4-7 are AH CH DH BH (encoded as 16 + reg - 4)
      const r8 = dec.rex === 0 && dec.reg >= 4 ? 16 + dec.reg - 4 : dec.reg
      f.m = dec.mem
      if (b === 0x88) { f.kind = 'stb'; f.src = r8 } else { f.kind = 'ldb'; f.dst = r8 }
      return done()
    }
    case 0x89: case 0x8b: {
      if (size < 4) return null
      dec.modrmDecode()
      if (dec.mem === null) { f.kind = 'mov'; f.dst = b === 0x89 ? dec.rm : dec.reg; f.src = b === 0x89 ? dec.reg : dec.rm; return done() }
      f.m = dec.mem
      if (b === 0x89) { f.kind = 'st'; f.src = dec.reg } else { f.kind = 'ld'; f.dst = dec.reg }
      return done()
    }
    case 0x8d: {
      if (size < 4) return null
      dec.modrmDecode()
      if (dec.mem === null || dec.mem.seg >= 4) return null
      f.kind = 'lea'; f.dst = dec.reg; f.m = dec.mem
      return done()
    }
    case 0x63: { // MOVSXD (MOV r32, r/m32 without REX.W)
      if (size < 4) return null
      dec.modrmDecode()
      f.kind = 'movsxd'; f.dst = dec.reg; f.src = dec.rm; f.m = dec.mem
      return done()
    }
    case 0x90: if (dec.rexB !== 0) return null; f.kind = 'nop'; return done()
    case 0xc3: f.kind = 'ret'; return done()
    case 0xe8: {
      if (size === 2) return null
      const rel = dec.s32()
      f.kind = 'call'; f.target = ip + (dec.pos - start) + rel
      if (f.target < -CANON || f.target >= CANON) return null
      return done()
    }
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
      if (size === 2) return null // 64-bit mode: PUSH/POP are 64-bit unless 66h
      f.kind = b < 0x58 ? 'push' : 'pop'; f.size = 8; f.dst = (b & 7) | dec.rexB
      return done()
    }
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf: {
      if (size < 4) return null
      f.kind = 'movi'; f.dst = (b & 7) | dec.rexB
      f.imm = dec.s32()
      f.src = size === 8 ? dec.s32() : 0
      return done()
    }
    case 0xeb: case 0xe9: {
      if (b === 0xe9 && size === 2) return null
      const rel = b === 0xeb ? dec.s8() : dec.s32()
      f.kind = 'jmp'; f.target = ip + (dec.pos - start) + rel
      if (f.target < -CANON || f.target >= CANON) return null
      return done()
    }
    case 0x0f: {
      const b2 = dec.u8()
      if (b2 === 0x1f) { dec.modrmDecode(); f.kind = 'nop'; return done() }
      if (b2 >= 0x90 && b2 <= 0x9f) { // SETcc r8
        dec.modrmDecode()
        if (dec.mem !== null) return null
        f.kind = 'setcc'; f.op = b2 & 15; f.dst = r8(dec.rm)
        return done()
      }
      if (b2 >= 0x40 && b2 <= 0x4f && size >= 4) { // CMOVcc r, r
        dec.modrmDecode()
        if (dec.mem !== null) return null
        f.kind = 'cmov'; f.op = b2 & 15; f.dst = dec.reg; f.src = dec.rm
        return done()
      }
      if (b2 === 0xaf && size >= 4) { // IMUL r, r/m
        dec.modrmDecode()
        f.kind = 'imul'; f.dst = dec.reg; f.src = dec.rm; f.m = dec.mem
        return done()
      }
      if ((b2 === 0xb6 || b2 === 0xb7) && size >= 4) {
        dec.modrmDecode()
        f.kind = 'movzx'; f.size = b2 === 0xb6 ? 1 : 2; f.dst = dec.reg; f.m = dec.mem
        // a byte register without REX: 4-7 are AH CH DH BH (encoded as src = 16 + reg)
        f.src = dec.mem !== null ? -1 : f.size === 1 && dec.rex === 0 && dec.rm >= 4 ? 16 + dec.rm - 4 : dec.rm
        return done()
      }
      if (b2 < 0x80 || b2 > 0x8f || size === 2) return null
      const rel = dec.s32()
      f.kind = 'jcc'; f.op = b2 & 15; f.target = ip + (dec.pos - start) + rel
      if (f.target < -CANON || f.target >= CANON) return null
      return done()
    }
    default:
      if (b >= 0x70 && b <= 0x7f) {
        const rel = dec.s8()
        f.kind = 'jcc'; f.op = b & 15; f.target = ip + (dec.pos - start) + rel
        if (f.target < -CANON || f.target >= CANON) return null
        return done()
      }
      return null
  }
}
