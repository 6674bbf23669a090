/**
 * Operand access for the interpreter: general registers by size (with the legacy
 * AH/CH/DH/BH encoding when no REX prefix is present), the ModRM r/m operand, and the
 * stack (PUSH/POP with the stack-address size of SS.B or 64-bit mode).
 * Intel SDM vol. 1, 3.4.1 "General-purpose registers"; 6.2 "Stacks".
 */
import type { CpuState } from './cpu-state'
import { ea, segLinear } from './decode'
import { rd, wr, probeWrite } from './mmu'

export function getReg8(c: CpuState, reg: number): number {
  if (reg < 4 || c.rex !== 0) return c.r[reg << 1] & 0xff
  return (c.r[(reg - 4) << 1] >> 8) & 0xff
}

export function setReg8(c: CpuState, reg: number, v: number): void {
  if (reg < 4 || c.rex !== 0) { const i = reg << 1; c.r[i] = (c.r[i] & ~0xff) | (v & 0xff); return }
  const i = (reg - 4) << 1
  c.r[i] = (c.r[i] & ~0xff00) | ((v & 0xff) << 8)
}

/** Register `reg` of `size` bytes; the high half of a 64-bit value goes to c.h. */
export function readReg(c: CpuState, size: number, reg: number): number {
  switch (size) {
    case 1: return getReg8(c, reg)
    case 2: return c.r[reg << 1] & 0xffff
    case 4: return c.r[reg << 1]
    default: c.h = c.r[(reg << 1) + 1]; return c.r[reg << 1]
  }
}

/** Write register `reg`: 8/16-bit merge, 32-bit zero-extends, 64-bit takes vh. */
export function writeReg(c: CpuState, size: number, reg: number, v: number, vh: number): void {
  const i = reg << 1
  switch (size) {
    case 1: setReg8(c, reg, v); return
    case 2: c.r[i] = (c.r[i] & ~0xffff) | (v & 0xffff); return
    case 4: c.r[i] = v; c.r[i + 1] = 0; return
    default: c.r[i] = v; c.r[i + 1] = vh
  }
}

export function readRM(c: CpuState, size: number): number {
  if (c.mod === 3) return readReg(c, size, c.rm)
  return rd(c, ea(c, size, false), size)
}

export function writeRM(c: CpuState, size: number, v: number, vh: number): void {
  if (c.mod === 3) { writeReg(c, size, c.rm, v, vh); return }
  wr(c, ea(c, size, true), size, v, vh)
}

/** Linear address of a read-modify-write memory operand, checked writable. */
export function rmwAddr(c: CpuState, size: number): number {
  const a = ea(c, size, true)
  probeWrite(c, a, size)
  return a
}

// ---- stack

/** Linear address of SS:(rSP + delta) for an access of `size` bytes. */
function stackLin(c: CpuState, delta: number, size: number, write: boolean): number {
  const r = c.r
  if (c.stackSize === 8) {
    const t = (r[8] >>> 0) + delta
    const lo = t | 0
    const hi = (r[9] + (t >= 4294967296 ? 1 : t < 0 ? -1 : 0)) | 0
    return segLinear(c, 2, lo, hi, size, write)
  }
  const sp = c.stackSize === 4 ? (r[8] + delta) | 0 : (r[8] + delta) & 0xffff
  return segLinear(c, 2, sp, 0, size, write)
}

export function addSp(c: CpuState, delta: number): void {
  const r = c.r
  if (c.stackSize === 8) {
    const t = (r[8] >>> 0) + delta
    r[8] = t | 0
    r[9] = (r[9] + (t >= 4294967296 ? 1 : t < 0 ? -1 : 0)) | 0
  } else if (c.stackSize === 4) r[8] = (r[8] + delta) | 0
  else r[8] = (r[8] & ~0xffff) | ((r[8] + delta) & 0xffff)
}

export function push(c: CpuState, size: number, v: number, vh: number): void {
  wr(c, stackLin(c, -size, size, true), size, v, vh)
  addSp(c, -size)
}

/** Write at rSP - offset without moving rSP (multi-push sequences that must not fault half-way). */
export function pushAt(c: CpuState, offset: number, size: number, v: number, vh: number): void {
  wr(c, stackLin(c, -offset, size, true), size, v, vh)
}

/** Check that `bytes` below rSP are writable (before a multi-push). */
export function probeStack(c: CpuState, bytes: number): void {
  probeWrite(c, stackLin(c, -bytes, bytes > 8 ? 1 : bytes, true), bytes > 8 ? 1 : bytes)
  if (bytes > 8) probeWrite(c, stackLin(c, -1, 1, true), 1)
}

/** Read the stack at rSP + offset without popping. */
export function peek(c: CpuState, offset: number, size: number): number {
  return rd(c, stackLin(c, offset, size, false), size)
}

export function pop(c: CpuState, size: number): number {
  const v = rd(c, stackLin(c, 0, size, false), size)
  const h = c.h
  addSp(c, size)
  c.h = h
  return v
}
