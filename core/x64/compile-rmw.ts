/**
 * Pre-decoded closures for the read-modify-write forms a kernel runs constantly: XCHG,
 * XADD, CMPXCHG (spinlocks and atomics, usually LOCK-prefixed) and BT/BTS/BTR/BTC with a
 * register or imm8 bit offset (set_bit/clear_bit/test_bit). Semantics follow the
 * interpreter (exec-main.ts, exec-0f.ts) through the same helpers, and the differential
 * suite runs every form through both (test/core/x64/diff, blockThreshold 1).
 */
import type { CpuState, CompiledInsn } from './cpu-state'
import type { MemOp } from './compile-decode'
import { readReg, writeReg } from './operands'
import { rd, wr, probeWrite } from './mmu'
import { alu, bitApply, bitStringOffset } from './ops-alu'
import { memLin } from './compile'


/** XCHG Ev, Gv (reg = the ModRM reg field; m = null for the register form). */
export function compileXchg(sz: number, reg: number, rm: number, m: MemOp | null, next: number): CompiledInsn {
  if (m === null) return (c) => { const s = readReg(c, sz, reg), sh = c.h; const d = readReg(c, sz, rm), dh = c.h; writeReg(c, sz, rm, s, sh); writeReg(c, sz, reg, d, dh); c.rip = next }
  return (c) => {
    const s = readReg(c, sz, reg), sh = c.h
    const a = memLin(c, m); probeWrite(c, a, sz)
    const d = rd(c, a, sz), dh = c.h
    wr(c, a, sz, s, sh); writeReg(c, sz, reg, d, dh); c.rip = next
  }
}

/** XADD Ev, Gv: destination = sum, source register = old destination (flags of the ADD). */
export function compileXadd(sz: number, reg: number, rm: number, m: MemOp | null, next: number): CompiledInsn {
  if (m === null) {
    return (c) => {
      const s = readReg(c, sz, reg), sh = c.h; const d = readReg(c, sz, rm), dh = c.h
      const r = alu(c, 0, sz, d, dh, s, sh), rh = c.h
      writeReg(c, sz, reg, d, dh); writeReg(c, sz, rm, r, rh); c.rip = next
    }
  }
  return (c) => {
    const s = readReg(c, sz, reg), sh = c.h
    const a = memLin(c, m); probeWrite(c, a, sz)
    const d = rd(c, a, sz), dh = c.h
    const r = alu(c, 0, sz, d, dh, s, sh), rh = c.h
    wr(c, a, sz, r, rh); writeReg(c, sz, reg, d, dh); c.rip = next
  }
}

/** CMPXCHG Ev, Gv: compare with the accumulator; a memory destination is always written (SDM vol. 2). */
export function compileCmpxchg(sz: number, reg: number, rm: number, m: MemOp | null, next: number): CompiledInsn {
  return (c) => {
    const s = readReg(c, sz, reg), sh = c.h
    const acc = readReg(c, sz, 0), acch = c.h
    let a = 0, d: number, dh: number
    if (m === null) { d = readReg(c, sz, rm); dh = c.h } else { a = memLin(c, m); probeWrite(c, a, sz); d = rd(c, a, sz); dh = c.h }
    alu(c, 7, sz, acc, acch, d, dh)
    if (d === acc && (sz !== 8 || dh === acch)) {
      if (m === null) writeReg(c, sz, rm, s, sh); else wr(c, a, sz, s, sh)
    } else {
      if (m !== null) wr(c, a, sz, d, dh)
      writeReg(c, sz, 0, d, dh)
    }
    c.rip = next
  }
}

/**
 * BT/BTS/BTR/BTC (op 0-3). `imm` >= 0 is an imm8 offset (taken modulo the operand width);
 * -1 takes the offset from register `reg`, which for a memory base is a signed bit-string
 * index that can address outside the operand (SDM vol. 2 "BT").
 */
export function compileBitOp(sz: number, op: number, reg: number, rm: number, m: MemOp | null, imm: number, next: number): CompiledInsn {
  const bits = sz * 8
  return (c) => {
    let v: number, vh: number, a = 0, bit: number
    if (m === null) {
      bit = (imm >= 0 ? imm : readReg(c, sz, reg)) & (bits - 1)
      v = readReg(c, sz, rm); vh = c.h
    } else {
      let off: number
      if (imm >= 0) off = imm & (bits - 1)
      else { const lo = readReg(c, sz, reg); off = bitStringOffset(lo, c.h, sz) }
      const unit = Math.floor(off / bits)
      bit = off - unit * bits
      a = memLin(c, m) + unit * sz
      if (op !== 0) probeWrite(c, a, sz)
      v = rd(c, a, sz); vh = c.h
    }
    const r = bitApply(c, op, sz, v, vh, bit), rh = c.h
    if (op !== 0) { if (m === null) writeReg(c, sz, rm, r, rh); else wr(c, a, sz, r, rh) }
    c.rip = next
  }
}
