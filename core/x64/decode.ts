/**
 * Instruction-stream decoding: code fetch through the fetch window, ModRM/SIB/
 * displacement decoding into an effective address (16-, 32- and 64-bit addressing,
 * RIP-relative), and segmentation of effective addresses into linear addresses with the
 * limit, usability and canonical checks (Intel SDM vol. 2, ch. 2.1-2.2; vol. 3, ch. 5.3
 * "Limit checking", 3.3.7.1 "Canonical addressing").
 */
import type { CpuState } from './cpu-state'
import { Mode } from './constants'
import { gp, ss } from './faults'
import { fetchFill } from './mmu'

const TWO32 = 4294967296
const CANON = 0x800000000000

export function fetch8(c: CpuState): number {
  const ip = c.ip
  if (ip >= c.fetchLo && ip < c.fetchHi) { c.ip = ip + 1; return c.ram[c.fetchDelta + ip] }
  return fetchSlow(c)
}

function fetchSlow(c: CpuState): number {
  const ip = c.ip
  if (c.mode === Mode.Long64) {
    if (ip < -CANON || ip >= CANON) gp(0)
    fetchFill(c, ip, Infinity)
  } else {
    if (ip > c.segLimit[1]) gp(0)
    fetchFill(c, (c.segBase[1] + ip) >>> 0, c.segLimit[1] + 1)
  }
  c.ip = ip + 1
  return c.ram[c.fetchDelta + ip]
}

export function fetchS8(c: CpuState): number {
  return (fetch8(c) << 24) >> 24
}
export function fetch16(c: CpuState): number {
  const ip = c.ip
  if (ip >= c.fetchLo && ip + 2 <= c.fetchHi) { c.ip = ip + 2; return c.view.getUint16(c.fetchDelta + ip, true) }
  return fetch8(c) | (fetch8(c) << 8)
}
export function fetch32(c: CpuState): number {
  const ip = c.ip
  if (ip >= c.fetchLo && ip + 4 <= c.fetchHi) { c.ip = ip + 4; return c.view.getInt32(c.fetchDelta + ip, true) }
  return fetch8(c) | (fetch8(c) << 8) | (fetch8(c) << 16) | (fetch8(c) << 24)
}
/** Immediate of operand size (imm16 / imm32; 64-bit operands take a sign-extended imm32). */
export function fetchImm(c: CpuState, size: number): number {
  return size === 1 ? fetch8(c) : size === 2 ? fetch16(c) : fetch32(c)
}

/** Read the ModRM byte (and SIB/displacement); sets mod/reg/rm and the effective address. */
export function decodeModrm(c: CpuState): void {
  const m = fetch8(c)
  c.modrm = m
  const mod = m >> 6
  c.mod = mod
  c.reg = ((m >> 3) & 7) | c.rexR
  if (mod === 3) { c.rm = (m & 7) | c.rexB; return }
  c.rm = m & 7
  c.ripRel = false
  if (c.adSize === 2) { ea16(c, m & 7, mod); return }
  let rm = m & 7, base = -1, index = -1, scale = 0, disp = 0
  if (rm === 4) {
    const sib = fetch8(c)
    scale = sib >> 6
    index = ((sib >> 3) & 7) | c.rexX
    base = (sib & 7) | c.rexB
    if (index === 4) index = -1
    if ((base & 7) === 5 && mod === 0) { base = -1; disp = fetch32(c) }
  } else if (rm === 5 && mod === 0) {
    disp = fetch32(c)
    if (c.mode === Mode.Long64) c.ripRel = true
  } else base = rm | c.rexB
  if (mod === 1) disp = fetchS8(c)
  else if (mod === 2) disp = fetch32(c)
  c.eaSeg = c.segOvr >= 0 ? c.segOvr : base === 4 || base === 5 ? 2 : 3
  const r = c.r
  if (c.adSize === 4) {
    let a = disp
    if (base >= 0) a += r[base << 1]
    if (index >= 0) a += r[index << 1] << scale
    c.eaLo = a | 0
    c.eaHi = 0
    return
  }
  let lo = disp, hi = disp >> 31
  if (base >= 0) {
    const t = (lo >>> 0) + (r[base << 1] >>> 0)
    lo = t | 0
    hi = (hi + r[(base << 1) + 1] + (t >= TWO32 ? 1 : 0)) | 0
  }
  if (index >= 0) {
    let il = r[index << 1], ih = r[(index << 1) + 1]
    if (scale !== 0) { ih = (ih << scale) | (il >>> (32 - scale)); il <<= scale }
    const t = (lo >>> 0) + (il >>> 0)
    lo = t | 0
    hi = (hi + ih + (t >= TWO32 ? 1 : 0)) | 0
  }
  c.eaLo = lo
  c.eaHi = hi
}

function ea16(c: CpuState, rm: number, mod: number): void {
  const r = c.r
  let a = 0, seg = 3
  switch (rm) {
    case 0: a = r[6] + r[12]; break // BX+SI
    case 1: a = r[6] + r[14]; break // BX+DI
    case 2: a = r[10] + r[12]; seg = 2; break // BP+SI
    case 3: a = r[10] + r[14]; seg = 2; break // BP+DI
    case 4: a = r[12]; break
    case 5: a = r[14]; break
    case 6: if (mod === 0) a = fetch16(c); else { a = r[10]; seg = 2 } break
    default: a = r[6]; break
  }
  if (mod === 1) a += fetchS8(c)
  else if (mod === 2) a += fetch16(c)
  c.eaLo = a & 0xffff
  c.eaHi = 0
  c.eaSeg = c.segOvr >= 0 ? c.segOvr : seg
}

/** Linear address of the current memory operand for an access of `size` bytes. */
export function ea(c: CpuState, size: number, write: boolean): number {
  if (c.ripRel) {
    let a = c.ip + c.eaLo
    if (c.adSize === 4) a = a >>> 0
    if (c.eaSeg >= 4) a += c.segBase[c.eaSeg]
    if (a < -CANON || a >= CANON) gp(0)
    return a
  }
  return segLinear(c, c.eaSeg, c.eaLo, c.eaHi, size, write)
}

/** Linear address of seg:offset (offset as lo/hi) with segmentation checks. */
export function segLinear(c: CpuState, seg: number, lo: number, hi: number, size: number, write: boolean): number {
  if (c.mode === Mode.Long64) {
    let a = hi * TWO32 + (lo >>> 0)
    if (seg >= 4) a += c.segBase[seg]
    if (a < -CANON || a >= CANON) { if (seg === 2) ss(0); gp(0) }
    return a
  }
  const off = lo >>> 0
  const bit = 1 << seg
  if (((write ? c.segWrMask : c.segRdMask) & bit) === 0) { if (seg === 2) ss(0); gp(0) }
  if ((c.segExpDownMask & bit) !== 0) {
    const top = (c.segAttr[seg] & 0x4000) !== 0 ? 0xffffffff : 0xffff
    if (off <= c.segLimit[seg] || off + size - 1 > top) { if (seg === 2) ss(0); gp(0) }
  } else if (off + size - 1 > c.segLimit[seg]) { if (seg === 2) ss(0); gp(0) }
  return (c.segBase[seg] + off) >>> 0
}

/** Mask an offset to the current address size (returns lo; hi via c.h). */
export function addrMask(c: CpuState, lo: number): number {
  return c.adSize === 2 ? lo & 0xffff : lo
}
