/**
 * System instructions of the 0F map: descriptor-table and task registers (group 6/7),
 * MOV CR/DR, CLTS, INVLPG, WBINVD/INVD, RDMSR/WRMSR, RDTSC/RDTSCP, CPUID, SYSCALL/
 * SYSRET, SYSENTER/SYSEXIT, SWAPGS, VMCALL, XGETBV/XSETBV, fences, CLFLUSH and the
 * FXSAVE/FXRSTOR/LDMXCSR/STMXCSR/XSAVE/XRSTOR group 15 (Intel SDM vol. 2; vol. 3
 * ch. 5.8.8 "Fast system calls in 64-bit mode"). Returns undefined for opcodes it does
 * not own (SSE).
 */
import type { CpuState } from './cpu-state'
import { Mode, CR0, CR4, EFER, FLAGS } from './constants'
import { ExitReason } from './api'
import { gp, ud, nm, FAULT } from './faults'
import { decodeModrm, ea, fetch8 } from './decode'
import { invalidatePcid } from './tlb-set'
import { readReg, writeReg, readRM, writeRM } from './operands'
import { rd, wr, flushTlbPage } from './mmu'
import { getFlags, setFlagsMasked } from './lazy-flags'
import { writeCr0, writeCr3, writeCr4, writeCr8 } from './control-regs'
import { ownedMsrRead, ownedMsrWrite, msrValue } from './msr'
import { instrExit } from './exits'
import {
  SEG_CS, SEG_SS, SEG_LDTR, SEG_TR, desc, readDescriptor, readDescriptorUpper, descAttr, descBase, descLimit,
  setSegCache, setCpl, updateMode,
} from './segmentation'
import { sysWrite } from './mmu'
import { fxsave, fxrstor, xsave, xrstor } from './fpu-state'
import { toNum } from './exec-helpers'
import { generalDetect, refreshDebug } from './debug-traps'

const TWO32 = 4294967296

function needCpl0(c: CpuState): void {
  if (c.mode !== Mode.Real && c.cpl !== 0) gp(0)
}

export function execSystem(c: CpuState, b: number): number | undefined {
  switch (b) {
    case 0x00: return group6(c)
    case 0x01: return group7(c)
    case 0x05: return syscall(c)
    case 0x06: needCpl0(c); c.cr0 &= ~CR0.TS; return 0
    case 0x07: return sysret(c)
    case 0x08: case 0x09: needCpl0(c); return 0
    case 0x20: case 0x22: return movCr(c, b === 0x22)
    case 0x21: case 0x23: return movDr(c, b === 0x23)
    case 0x30: { // WRMSR
      needCpl0(c)
      const idx = c.r[2] >>> 0
      if (ownedMsrWrite(c, idx, c.r[0], c.r[4])) return 0
      const e = c.exit
      e.msr = idx; e.valueLo = c.r[0] >>> 0; e.valueHi = c.r[4] >>> 0
      return instrExit(c, ExitReason.MsrWrite)
    }
    case 0x31: rdtsc(c); return 0
    case 0x32: { // RDMSR
      needCpl0(c)
      const idx = c.r[2] >>> 0
      if (ownedMsrRead(c, idx)) { writeReg(c, 4, 0, msrValue.lo, 0); writeReg(c, 4, 2, msrValue.hi, 0); return 0 }
      c.exit.msr = idx
      return instrExit(c, ExitReason.MsrRead)
    }
    case 0x34: return sysenter(c)
    case 0x35: return sysexit(c)
    case 0xa2: { // CPUID
      c.exit.leaf = c.r[0] >>> 0
      c.exit.subleaf = c.r[2] >>> 0
      return instrExit(c, ExitReason.Cpuid)
    }
    case 0xae: return group15(c)
    case 0x38: { // three-byte map: only INVPCID (66 0F 38 82) is implemented
      if (fetch8(c) === 0x82 && c.pfx66 && c.rep === 0) return invpcid(c)
      return ud()
    }
    default: return undefined
  }
}

/** INVPCID r64/r32, m128 (Intel SDM vol. 2 "INVPCID"). */
function invpcid(c: CpuState): number {
  decodeModrm(c)
  if (c.mod === 3) ud()
  if (c.mode === Mode.Real || (c.eflags & FLAGS.VM) !== 0) ud()
  needCpl0(c)
  const type = readReg(c, c.mode === Mode.Long64 ? 8 : 4, c.reg), typeHi = c.mode === Mode.Long64 ? c.h : 0
  const a = ea(c, 16, false)
  const pcid = rd(c, a, 4), pcidHi = rd(c, a + 4, 4)
  const linLo = rd(c, a + 8, 8), lin = toNum(linLo, c.h)
  if (typeHi !== 0 || (type >>> 0) > 3) gp(0)
  if ((pcid & ~0xfff) !== 0 || pcidHi !== 0) gp(0)
  if (type === 0 && (lin < -0x800000000000 || lin >= 0x800000000000)) gp(0)
  if ((c.cr4 & CR4.PCIDE) === 0 && type <= 1 && pcid !== 0) gp(0)
  invalidatePcid(c, type, pcid, lin)
  return 0
}

function rdtsc(c: CpuState): void {
  if ((c.cr4 & CR4.TSD) !== 0 && c.cpl !== 0 && c.mode !== Mode.Real) gp(0)
  const t = Math.max(0, Math.floor(c.readTsc() + c.tscOffset))
  writeReg(c, 4, 0, t | 0, 0)
  writeReg(c, 4, 2, Math.floor(t / TWO32) | 0, 0)
}

function movCr(c: CpuState, toCr: boolean): number {
  decodeModrm(c)
  needCpl0(c)
  const n = c.reg
  const size = c.mode === Mode.Long64 ? 8 : 4
  if (toCr) {
    const v = readReg(c, size, c.rm), vh = size === 8 ? c.h : 0
    switch (n) {
      case 0: writeCr0(c, v, vh); break
      case 2: c.cr2 = toNum(v, vh); break
      case 3: writeCr3(c, v, vh); break
      case 4: writeCr4(c, v, vh); break
      case 8: writeCr8(c, v, vh); break
      default: ud()
    }
    return 0
  }
  let v: number
  switch (n) {
    case 0: v = c.cr0; break
    case 2: v = c.cr2; break
    case 3: v = c.cr3; break
    case 4: v = c.cr4; break
    case 8: v = c.cr8; break
    default: return ud()
  }
  writeReg(c, size, c.rm, v | 0, Math.floor(v / TWO32) | 0)
  return 0
}

function movDr(c: CpuState, toDr: boolean): number {
  decodeModrm(c)
  needCpl0(c)
  let n = c.reg
  if (n > 7) ud()
  if (n === 4 || n === 5) { if ((c.cr4 & CR4.DE) !== 0) ud(); n += 2 }
  generalDetect(c)
  const size = c.mode === Mode.Long64 ? 8 : 4
  if (toDr) {
    const v = readReg(c, size, c.rm), vh = size === 8 ? c.h : 0
    if (n >= 6 && vh !== 0) gp(0)
    let big = (BigInt(vh >>> 0) << 32n) | BigInt(v >>> 0)
    if (n === 6) big = (big & 0xf00fn) | 0xffff0ff0n
    if (n === 7) big = (big & 0xffff2bffn) | 0x400n
    c.dr[n] = big
    if (n !== 6) refreshDebug(c)
  } else {
    const v = c.dr[n]
    writeReg(c, size, c.rm, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0)
  }
  return 0
}

function group6(c: CpuState): number {
  decodeModrm(c)
  const op = (c.modrm >> 3) & 7
  if (c.mode === Mode.Real) ud()
  switch (op) {
    case 0: case 1: { // SLDT / STR
      const v = c.segSel[op === 0 ? SEG_LDTR : SEG_TR]
      if (c.mod === 3) writeReg(c, c.opSize, c.rm, v, 0); else writeRM(c, 2, v, 0)
      return 0
    }
    case 2: { // LLDT
      needCpl0(c)
      const sel = readRM(c, 2)
      if ((sel & 0xfffc) === 0) { setSegCache(c, SEG_LDTR, sel, 0, 0, 0); return 0 }
      if ((sel & 4) !== 0) gp(sel & 0xfffc)
      readDescriptor(c, sel)
      const attr = descAttr(desc.hi)
      if ((attr & 0x1f) !== 2) gp(sel & 0xfffc)
      if ((attr & 0x80) === 0) gp(sel & 0xfffc)
      let base = descBase(desc.lo, desc.hi)
      if ((c.efer & EFER.LMA) !== 0) base += readDescriptorUpper(c) * TWO32
      setSegCache(c, SEG_LDTR, sel, base, descLimit(desc.lo, desc.hi), attr)
      return 0
    }
    case 3: { // LTR
      needCpl0(c)
      const sel = readRM(c, 2)
      if ((sel & 0xfffc) === 0 || (sel & 4) !== 0) gp(sel & 0xfffc)
      readDescriptor(c, sel)
      const attr = descAttr(desc.hi)
      const type = attr & 0x1f
      if (type !== 9 && type !== 1) gp(sel & 0xfffc)
      if ((attr & 0x80) === 0) gp(sel & 0xfffc)
      let base = descBase(desc.lo, desc.hi)
      if ((c.efer & EFER.LMA) !== 0) base += readDescriptorUpper(c) * TWO32
      desc.hi |= 0x200 // busy
      sysWrite(c, desc.addr + 4, 4, desc.hi)
      setSegCache(c, SEG_TR, sel, base, descLimit(desc.lo, desc.hi), attr | 2)
      return 0
    }
    case 4: case 5: { // VERR / VERW
      const sel = readRM(c, 2)
      let ok = false
      if ((sel & 0xfffc) !== 0) {
        try {
          readDescriptor(c, sel)
          const a = descAttr(desc.hi)
          const dpl = (a >> 5) & 3
          const conf = (a & 0x1c) === 0x1c
          if ((a & 0x10) !== 0 && (conf || (dpl >= c.cpl && dpl >= (sel & 3)))) ok = op === 4 ? ((a & 8) === 0 || (a & 2) !== 0) : ((a & 8) === 0 && (a & 2) !== 0)
        } catch (e) { if (e !== FAULT) throw e; ok = false }
      }
      setFlagsMasked(c, ok ? FLAGS.ZF : 0, FLAGS.ZF)
      return 0
    }
    default: return ud()
  }
}

function group7(c: CpuState): number {
  decodeModrm(c)
  const op = (c.modrm >> 3) & 7
  if (c.mod === 3) {
    const m = c.modrm
    switch (m) {
      case 0xc1: return instrExit(c, ExitReason.Vmcall)
      case 0xd0: { // XGETBV
        if ((c.cr4 & CR4.OSXSAVE) === 0) ud()
        if (c.r[2] !== 0) gp(0)
        writeReg(c, 4, 0, c.xcr0Lo, 0); writeReg(c, 4, 2, c.xcr0Hi, 0)
        return 0
      }
      case 0xd1: { // XSETBV
        if ((c.cr4 & CR4.OSXSAVE) === 0) ud()
        needCpl0(c)
        if (c.r[2] !== 0 || c.r[4] !== 0 || (c.r[0] & ~3) !== 0 || (c.r[0] & 1) === 0) gp(0)
        c.xcr0Lo = c.r[0]; c.xcr0Hi = 0
        return 0
      }
      case 0xf8: { // SWAPGS
        if (c.mode !== Mode.Long64) ud()
        needCpl0(c)
        const t = c.segBase[5]; c.segBase[5] = c.kernelGsBase; c.kernelGsBase = t
        return 0
      }
      case 0xf9: { // RDTSCP
        rdtsc(c)
        writeReg(c, 4, 1, c.tscAux, 0)
        return 0
      }
      default:
        if (op === 4) { writeReg(c, c.opSize, c.rm, c.cr0 & 0xffff | (c.opSize > 2 ? c.cr0 & 0xffff0000 : 0), 0); return 0 }
        if (op === 6) { needCpl0(c); lmsw(c, readReg(c, 2, c.rm)); return 0 }
        return ud()
    }
  }
  const long = c.mode === Mode.Long64
  switch (op) {
    case 0: case 1: { // SGDT / SIDT
      const a = ea(c, long ? 10 : 6, true)
      const base = op === 0 ? c.gdtrBase : c.idtrBase
      const limit = op === 0 ? c.gdtrLimit : c.idtrLimit
      wr(c, a, 2, limit, 0)
      if (long) wr(c, a + 2, 8, base | 0, Math.floor(base / TWO32) | 0)
      else wr(c, a + 2, 4, base | 0, 0)
      return 0
    }
    case 2: case 3: { // LGDT / LIDT
      needCpl0(c)
      const a = ea(c, long ? 10 : 6, false)
      const limit = rd(c, a, 2)
      let base: number
      if (long) { const lo = rd(c, a + 2, 8); base = toNum(lo, c.h); if (base < -0x800000000000 || base >= 0x800000000000) gp(0) } else {
        base = rd(c, a + 2, 4) >>> 0
        if (c.opSize === 2) base &= 0xffffff
      }
      if (op === 2) { c.gdtrBase = base; c.gdtrLimit = limit } else { c.idtrBase = base; c.idtrLimit = limit }
      return 0
    }
    case 4: writeRM(c, 2, c.cr0 & 0xffff, 0); return 0 // SMSW m16
    case 6: needCpl0(c); lmsw(c, readRM(c, 2)); return 0
    case 7: { // INVLPG
      needCpl0(c)
      flushTlbPage(c, ea(c, 1, false))
      return 0
    }
    default: return ud()
  }
}

function lmsw(c: CpuState, v: number): void {
  // LMSW sets PE/MP/EM/TS but cannot clear PE
  const nv = (c.cr0 & ~0xe) | (v & 0xf) | (c.cr0 & 1)
  writeCr0(c, nv, 0)
}

function loadFlatCs(c: CpuState, sel: number, cpl: number, long: boolean): void {
  setSegCache(c, SEG_CS, sel, 0, 0xffffffff, long ? 0xa09b | (cpl << 5) : 0xc09b | (cpl << 5))
  setCpl(c, cpl)
}

function loadFlatSs(c: CpuState, sel: number, cpl: number): void {
  setSegCache(c, SEG_SS, sel, 0, 0xffffffff, 0xc093 | (cpl << 5))
}

function syscall(c: CpuState): number {
  if ((c.efer & EFER.SCE) === 0 || c.mode !== Mode.Long64) ud()
  const star = c.star
  const sel = Number((star >> 32n) & 0xffffn)
  const next = c.ip
  c.r[2] = next | 0; c.r[3] = Math.floor(next / TWO32) | 0
  const fl = getFlags(c)
  c.r[22] = fl & ~FLAGS.RF; c.r[23] = 0
  loadFlatCs(c, sel & 0xfffc, 0, true)
  loadFlatSs(c, (sel + 8) & 0xfffc, 0)
  setFlagsMasked(c, 0, (c.sfmask | FLAGS.RF) & 0x3fffff)
  updateMode(c)
  c.ip = c.lstar
  return 0
}

function sysret(c: CpuState): number {
  if ((c.efer & EFER.SCE) === 0 || c.mode !== Mode.Long64) ud()
  needCpl0(c)
  const sel = Number((c.star >> 48n) & 0xffffn)
  let target: number
  if (c.rexW) {
    target = toNum(c.r[2], c.r[3])
    if (target < -0x800000000000 || target >= 0x800000000000) gp(0)
    loadFlatCs(c, ((sel + 16) & 0xfffc) | 3, 3, true)
  } else {
    target = c.r[2] >>> 0
    loadFlatCs(c, (sel & 0xfffc) | 3, 3, false)
  }
  // SS keeps a flat writable descriptor with DPL 3
  loadFlatSs(c, ((sel + 8) & 0xfffc) | 3, 3)
  setFlagsMasked(c, (c.r[22] & 0x3c7fd7) | 2, 0x3fffff & ~FLAGS.VM)
  updateMode(c)
  c.ip = target
  return 0
}

function sysenter(c: CpuState): number {
  if (c.mode === Mode.Real || (c.sysenterCs & 0xfffc) === 0) gp(0)
  const long = (c.efer & EFER.LMA) !== 0
  setFlagsMasked(c, 0, FLAGS.VM | FLAGS.IF | FLAGS.RF)
  loadFlatCs(c, c.sysenterCs & 0xfffc, 0, long)
  loadFlatSs(c, (c.sysenterCs + 8) & 0xfffc, 0)
  updateMode(c)
  const sp = c.sysenterEsp, ip = c.sysenterEip
  c.r[8] = sp | 0; c.r[9] = long ? Math.floor(sp / TWO32) | 0 : 0
  c.ip = long ? ip : ip >>> 0
  return 0
}

function sysexit(c: CpuState): number {
  if (c.mode === Mode.Real || (c.sysenterCs & 0xfffc) === 0) gp(0)
  needCpl0(c)
  const to64 = c.rexW
  const cs = to64 ? c.sysenterCs + 32 : c.sysenterCs + 16
  const rdx = to64 ? toNum(c.r[4], c.r[5]) : c.r[4] >>> 0
  if (to64 && (rdx < -0x800000000000 || rdx >= 0x800000000000)) gp(0)
  const spLo = c.r[2], spHi = to64 ? c.r[3] : 0
  loadFlatCs(c, (cs & 0xfffc) | 3, 3, to64)
  loadFlatSs(c, ((cs + 8) & 0xfffc) | 3, 3)
  updateMode(c)
  c.r[8] = spLo; c.r[9] = spHi
  c.ip = rdx
  return 0
}

function group15(c: CpuState): number {
  decodeModrm(c)
  const op = (c.modrm >> 3) & 7
  if (c.mod === 3) {
    if (op >= 5) return 0 // LFENCE / MFENCE / SFENCE
    return ud()
  }
  switch (op) {
    case 0: case 1: case 4: case 5: {
      if ((c.cr0 & (CR0.EM)) !== 0) ud()
      if ((c.cr0 & CR0.TS) !== 0) nm()
      if (op === 4 || op === 5) { if ((c.cr4 & CR4.OSXSAVE) === 0) ud() }
      const a = ea(c, 512, op === 0 || op === 4)
      if ((a & 15) !== 0 && op < 2) gp(0)
      if ((a & 63) !== 0 && op >= 4) gp(0)
      if (op === 0) fxsave(c, a)
      else if (op === 1) fxrstor(c, a)
      else if (op === 4) xsave(c, a)
      else xrstor(c, a)
      return 0
    }
    case 2: { // LDMXCSR
      if ((c.cr4 & CR4.OSFXSR) === 0 || (c.cr0 & CR0.EM) !== 0) ud()
      if ((c.cr0 & CR0.TS) !== 0) nm()
      const v = rd(c, ea(c, 4, false), 4)
      if ((v & ~0xffff) !== 0) gp(0)
      c.mxcsr = v
      return 0
    }
    case 3: { // STMXCSR
      if ((c.cr4 & CR4.OSFXSR) === 0 || (c.cr0 & CR0.EM) !== 0) ud()
      if ((c.cr0 & CR0.TS) !== 0) nm()
      wr(c, ea(c, 4, true), 4, c.mxcsr, 0)
      return 0
    }
    case 7: ea(c, 1, false); return 0 // CLFLUSH (no caches to flush)
    default: return ud()
  }
}

