/**
 * Small pieces shared by the instruction executors: near branch targets with the
 * operand-size wrap and canonical/limit checks, immediate fetch by operand size, the
 * Ev,Gv / Gv,Ev ALU forms, and exit construction for instructions that leave `run`
 * unexecuted (SDM vol. 2, "JMP", "Jcc"; api.ts for exit semantics).
 */
import type { CpuState } from './cpu-state'
import { Mode } from './constants'
import { gp } from './faults'
import { decodeModrm, ea, fetch8, fetch16, fetch32 } from './decode'
import { readReg, writeReg, rmwAddr } from './operands'
import { rd, wr } from './mmu'
import { alu } from './ops-alu'

const TWO32 = 4294967296

/** Set the next RIP to ip + rel (near relative branch) with size wrap and checks. */
export function jumpRel(c: CpuState, rel: number): void {
  jumpAbs(c, c.ip + rel)
}

/** Near absolute branch target (already a double). */
export function jumpAbs(c: CpuState, target: number): void {
  if (c.mode === Mode.Long64) {
    if (target < -0x800000000000 || target >= 0x800000000000) gp(0)
    c.ip = target
    return
  }
  const t = c.opSize === 2 ? target & 0xffff : target >>> 0
  if (t > c.segLimit[1]) gp(0)
  c.ip = t
}

/** A 64-bit value from halves as a double (exact for canonical addresses). */
export function toNum(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0)
}

/** Operand-size immediate, returned sign-extended for 32/64-bit sizes (hi in c.h). */
export function fetchImmS(c: CpuState, size: number): number {
  if (size === 1) { c.h = 0; return fetch8(c) }
  if (size === 2) { c.h = 0; return fetch16(c) }
  const v = fetch32(c)
  c.h = v >> 31
  return v
}

/** Sign-extended imm8 truncated to `size` (hi in c.h). */
export function fetchImm8S(c: CpuState, size: number): number {
  const v = (fetch8(c) << 24) >> 24
  c.h = v >> 31
  return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v
}

/** Group-1 style op on r/m (destination) and an already fetched source. */
export function aluRm(c: CpuState, op: number, size: number, s: number, sh: number): void {
  if (c.mod === 3) {
    const d = readReg(c, size, c.rm), dh = c.h
    const r = alu(c, op, size, d, dh, s, sh)
    if (op !== 7) writeReg(c, size, c.rm, r, c.h)
  } else if (op === 7) {
    const d = rd(c, ea(c, size, false), size)
    alu(c, op, size, d, c.h, s, sh)
  } else {
    const a = rmwAddr(c, size)
    const d = rd(c, a, size), dh = c.h
    const r = alu(c, op, size, d, dh, s, sh)
    wr(c, a, size, r, c.h)
  }
}

/** op Ev,Gv (dir=0) or op Gv,Ev (dir=1). */
export function aluModrm(c: CpuState, op: number, size: number, dir: number): void {
  decodeModrm(c)
  if (dir === 0) {
    const s = readReg(c, size, c.reg)
    aluRm(c, op, size, s, c.h)
    return
  }
  let s: number, sh: number
  if (c.mod === 3) { s = readReg(c, size, c.rm); sh = c.h } else { s = rd(c, ea(c, size, false), size); sh = c.h }
  const d = readReg(c, size, c.reg), dh = c.h
  const r = alu(c, op, size, d, dh, s, sh)
  if (op !== 7) writeReg(c, size, c.reg, r, c.h)
}
