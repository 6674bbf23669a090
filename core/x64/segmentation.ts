/**
 * Segmentation: descriptor-table lookups, segment-register loads with their protection
 * checks in real and protected/long mode, descriptor-cache maintenance, and derivation of
 * the CPU mode (real, 16/32-bit protected, compatibility, 64-bit) from CR0/EFER/CS.
 * Intel SDM vol. 3, ch. 3.4 "Logical and linear addresses", 5.5-5.8 "Privilege levels".
 */
import type { CpuState } from './cpu-state'
import { CR0, EFER, FLAGS, Mode } from './constants'
import { gp, np, ss, fault } from './faults'
import { sysRead, sysWrite, selectTlbBank } from './mmu'
import { Vector } from './constants'

export const SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5, SEG_LDTR = 6, SEG_TR = 7

/** Descriptor dwords of the last readDescriptor. */
export const desc = { lo: 0, hi: 0, addr: 0 }

export function descBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0
}
export function descLimit(lo: number, hi: number): number {
  const l = (lo & 0xffff) | (hi & 0xf0000)
  return (hi & 0x800000) !== 0 ? l * 4096 + 0xfff : l
}
export function descAttr(hi: number): number {
  return (hi >>> 8) & 0xf0ff
}

/** Recompute mode, default sizes and segment usability masks. */
export function updateMode(c: CpuState): void {
  const csAttr = c.segAttr[SEG_CS]
  if ((c.cr0 & CR0.PE) === 0) {
    c.mode = Mode.Real
    c.codeSize = (csAttr & 0x4000) !== 0 ? 4 : 2
  } else if ((c.efer & EFER.LMA) !== 0 && (csAttr & 0x2000) !== 0) {
    c.mode = Mode.Long64
    c.codeSize = 4
  } else {
    c.codeSize = (csAttr & 0x4000) !== 0 && (c.eflags & FLAGS.VM) === 0 ? 4 : 2
    c.mode = c.codeSize === 4 ? Mode.Prot32 : Mode.Prot16
  }
  c.stackSize = c.mode === Mode.Long64 ? 8 : (c.segAttr[SEG_SS] & 0x4000) !== 0 ? 4 : 2
  let rd = 0, wr = 0, ed = 0
  for (let s = 0; s < 6; s++) {
    const a = c.segAttr[s]
    if (c.mode === Mode.Real || (c.eflags & FLAGS.VM) !== 0) { rd |= 1 << s; wr |= 1 << s; continue }
    if ((a & 0x80) === 0 || (a & 0x10) === 0) continue
    const code = (a & 8) !== 0
    if (!code || (a & 2) !== 0) rd |= 1 << s
    if (!code && (a & 2) !== 0) wr |= 1 << s
    if (!code && (a & 4) !== 0) ed |= 1 << s
  }
  c.segRdMask = rd
  c.segWrMask = wr
  c.segExpDownMask = ed
  c.fetchLo = 0
  c.fetchHi = 0
}

export function setCpl(c: CpuState, cpl: number): void {
  if (c.cpl !== cpl) { c.cpl = cpl; selectTlbBank(c) }
}

export function setSegCache(c: CpuState, seg: number, sel: number, base: number, limit: number, attr: number): void {
  c.segSel[seg] = sel & 0xffff
  c.segBase[seg] = base
  c.segLimit[seg] = limit
  c.segAttr[seg] = attr
}

/** Read the 8-byte descriptor for `sel` into `desc`; #GP(sel) (or `vec`) if outside the table. */
export function readDescriptor(c: CpuState, sel: number, vec: number = Vector.GP): void {
  const idx = sel & 0xfff8
  let base: number, limit: number
  if ((sel & 4) !== 0) {
    if ((c.segAttr[SEG_LDTR] & 0x80) === 0) fault(vec, sel & 0xfffc, true)
    base = c.segBase[SEG_LDTR]; limit = c.segLimit[SEG_LDTR]
  } else { base = c.gdtrBase; limit = c.gdtrLimit }
  if (idx + 7 > limit) fault(vec, sel & 0xfffc, true)
  desc.addr = base + idx
  desc.lo = sysRead(c, desc.addr, 4)
  desc.hi = sysRead(c, desc.addr + 4, 4)
}

/** High 32 bits of a 16-byte system descriptor's base (long mode LDT/TSS/gates). */
export function readDescriptorUpper(c: CpuState): number {
  return sysRead(c, desc.addr + 8, 4)
}

export function setAccessed(c: CpuState): void {
  if ((desc.hi & 0x100) === 0) {
    desc.hi |= 0x100
    sysWrite(c, desc.addr + 4, 4, desc.hi)
  }
}

/** MOV/POP to a data segment register or SS (not CS). */
export function loadSeg(c: CpuState, seg: number, sel: number): void {
  sel &= 0xffff
  if (c.mode === Mode.Real || (c.eflags & FLAGS.VM) !== 0) {
    c.segSel[seg] = sel
    c.segBase[seg] = sel << 4
    if ((c.eflags & FLAGS.VM) !== 0) { c.segLimit[seg] = 0xffff; c.segAttr[seg] = 0xf3 }
    else c.segAttr[seg] |= 0x80
    if (seg === SEG_SS) updateMode(c)
    return
  }
  const rpl = sel & 3
  if ((sel & 0xfffc) === 0) {
    if (seg === SEG_SS && !(c.mode === Mode.Long64 && c.cpl !== 3 && rpl === c.cpl)) gp(0)
    // null selector: unusable segment
    setSegCache(c, seg, sel, 0, 0, seg === SEG_SS ? (c.cpl << 5) : 0)
    updateMode(c)
    return
  }
  readDescriptor(c, sel)
  const attr = descAttr(desc.hi)
  const dpl = (attr >> 5) & 3
  const type = attr & 0xf
  if ((attr & 0x10) === 0) gp(sel & 0xfffc)
  if (seg === SEG_SS) {
    if (rpl !== c.cpl || dpl !== c.cpl || (type & 8) !== 0 || (type & 2) === 0) gp(sel & 0xfffc)
    if ((attr & 0x80) === 0) ss(sel & 0xfffc)
  } else {
    if ((type & 0xa) === 8) gp(sel & 0xfffc) // execute-only code
    const conforming = (type & 0xc) === 0xc
    if (!conforming && (dpl < rpl || dpl < c.cpl)) gp(sel & 0xfffc)
    if ((attr & 0x80) === 0) np(sel & 0xfffc)
  }
  setAccessed(c)
  setSegCache(c, seg, sel, descBase(desc.lo, desc.hi), descLimit(desc.lo, desc.hi), descAttr(desc.hi))
  updateMode(c)
}

/** Load CS from a code-segment descriptor already in `desc`, at privilege `cpl`. */
export function loadCsFromDesc(c: CpuState, sel: number, cpl: number): void {
  setAccessed(c)
  setSegCache(c, SEG_CS, (sel & 0xfffc) | cpl, descBase(desc.lo, desc.hi), descLimit(desc.lo, desc.hi), descAttr(desc.hi))
  setCpl(c, cpl)
  updateMode(c)
}

/**
 * Check a code-segment selector for a far JMP/CALL/RET/IRET target and read its
 * descriptor. `newCpl` is the privilege the transfer runs at. Raises #GP/#NP.
 */
export function checkCodeSeg(c: CpuState, sel: number, forRet: boolean): void {
  if ((sel & 0xfffc) === 0) gp(0)
  readDescriptor(c, sel)
  const attr = descAttr(desc.hi)
  if ((attr & 0x18) !== 0x18) gp(sel & 0xfffc)
  const dpl = (attr >> 5) & 3, rpl = sel & 3
  const conforming = (attr & 4) !== 0
  if (forRet) {
    if (rpl < c.cpl) gp(sel & 0xfffc)
    if (conforming ? dpl > rpl : dpl !== rpl) gp(sel & 0xfffc)
  } else if (conforming ? dpl > c.cpl : rpl > c.cpl || dpl !== c.cpl) gp(sel & 0xfffc)
  if ((attr & 0x80) === 0) np(sel & 0xfffc)
  if ((c.efer & EFER.LMA) !== 0 && (attr & 0x2000) !== 0 && (attr & 0x4000) !== 0) gp(sel & 0xfffc)
}

/** After a privilege drop (RET/IRET to outer level): null data segments the new CPL may not use. */
export function nullifyOuterSegs(c: CpuState): void {
  for (const s of [SEG_ES, SEG_DS, SEG_FS, SEG_GS]) {
    const a = c.segAttr[s]
    const dpl = (a >> 5) & 3
    const conformingCode = (a & 0x1c) === 0x1c
    if ((c.segSel[s] & 0xfffc) !== 0 && (a & 0x10) !== 0 && !conformingCode && dpl < c.cpl) {
      setSegCache(c, s, 0, 0, 0, 0)
    }
  }
  updateMode(c)
}
