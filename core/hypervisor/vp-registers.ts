/**
 * HvGetVpRegisters / HvSetVpRegisters value semantics (TLFS 10.3, 10.4): reading and writing
 * each HV_REGISTER_NAME on a VP's X64Cpu as a 128-bit HV_REGISTER_VALUE (lo, hi). Set checks
 * reserved bits, fixed bits and width and performs no side effects (no TLB flush, no fault).
 */
import { HV_STATUS_INVALID_PARAMETER, HV_STATUS_SUCCESS, type HvStatus } from './hv-status'
import { HvRegister as R, isKnownRegisterName, READ_ONLY_REGISTERS } from './register-names'
import { MSR_FAULT, type SyntheticMsrTable } from './synthetic-msrs'
import type { VirtualProcessor } from './virtual-processor'

export interface RegValue {
  lo: bigint
  hi: bigint
}

/** HV_X64_FP_CONTROL_STATUS_REGISTER.IgnNe: bit 0 of byte 5 (FXSAVE's reserved byte). */
const IGNNE_BIT = 1n << 40n
const M64 = 0xffffffffffffffffn

/** Architectural MSR behind each MSR-backed register name. */
const MSR_OF: Record<number, number> = {
  [R.HvX64RegisterTsc]: 0x10, [R.HvX64RegisterKernelGsBase]: 0xc0000102, [R.HvX64RegisterApicBase]: 0x1b,
  [R.HvX64RegisterPat]: 0x277, [R.HvX64RegisterSysenterCs]: 0x174, [R.HvX64RegisterSysenterRip]: 0x176,
  [R.HvX64RegisterSysenterRsp]: 0x175, [R.HvX64RegisterStar]: 0xc0000081, [R.HvX64RegisterLstar]: 0xc0000082,
  [R.HvX64RegisterCstar]: 0xc0000083, [R.HvX64RegisterSfmask]: 0xc0000084, [R.HvX64RegisterMtrrCap]: 0xfe,
  [R.HvX64RegisterMtrrDefType]: 0x2ff, [R.HvX64RegisterMtrrFix64k00000]: 0x250, [R.HvX64RegisterMtrrFix16k80000]: 0x258,
  [R.HvX64RegisterMtrrFix16kA0000]: 0x259,
}
for (let i = 0; i < 8; i++) {
  MSR_OF[R.HvX64RegisterMtrrPhysBase0 + i] = 0x200 + 2 * i
  MSR_OF[R.HvX64RegisterMtrrPhysMask0 + i] = 0x201 + 2 * i
  MSR_OF[R.HvX64RegisterMtrrFix4kC0000 + i] = 0x268 + i
}

/** Synthetic MSR behind each synthetic register name (appendix H numbering). */
function syntheticMsrOf(name: number): number | undefined {
  switch (name) {
    case R.HvRegisterVpRuntime: return 0x40000010
    case R.HvX64RegisterHypercall: return 0x40000001
    case R.HvRegisterGuestOsId: return 0x40000000
    case R.HvRegisterVpIndex: return 0x40000002
    case R.HvRegisterTimeRefCount: return 0x40000020
  }
  const hi = name >>> 16
  const lo = name & 0xffff
  if (hi === 0x0009 && lo >= 0x10 && lo <= 0x13) return 0x40000070 + (lo - 0x10)
  if (hi === 0x0009 && lo >= 0x20 && lo <= 0x23) return 0x400000e0 + (lo - 0x20)
  if (hi === 0x000a && lo <= 0x0f) return 0x40000090 + lo
  if (hi === 0x000a && lo >= 0x10) return 0x40000080 + (lo - 0x10)
  if (hi === 0x000b) return 0x400000b0 + lo
  return undefined
}

const CR0_VALID = 0xe005003fn
const CR4_VALID = 0x777fffn
const RFLAGS_VALID = 0x3f7fd7n

function readMsrBacked(vp: VirtualProcessor, msr: number): bigint {
  return vp.cpu.readMsr(msr) ?? vp.msrShadow.get(msr) ?? 0n
}

function segmentValue(vp: VirtualProcessor, s: number): RegValue {
  const g = vp.cpu.getSegment(s)
  const hi = BigInt(g.limit >>> 0) | (BigInt(g.attributes & 0xffff) << 32n) | (BigInt(g.selector & 0xffff) << 48n)
  return { lo: g.base & M64, hi }
}

/** Read register `name`; undefined for an unknown name (→ INVALID_PARAMETER). */
export function getVpRegister(vp: VirtualProcessor, name: number, msrs: SyntheticMsrTable): RegValue | undefined {
  if (!isKnownRegisterName(name)) return undefined
  const cpu = vp.cpu
  const hi16 = name >>> 16
  const lo16 = name & 0xffff
  const v = (lo: bigint, hi = 0n): RegValue => ({ lo: lo & M64, hi: hi & M64 })
  switch (hi16) {
    case 0x0000: return v(name === R.HvRegisterExplicitSuspend ? (vp.explicitSuspend ? 1n : 0n) : BigInt(vp.interceptSuspend))
    case 0x0001: return v(name === R.HvX64RegisterPendingInterruption ? vp.pendingInterruption : vp.interruptState)
    case 0x0002:
      if (lo16 < 16) return v(cpu.getReg(lo16))
      return v(lo16 === 0x10 ? cpu.getRip() : cpu.getRflags())
    case 0x0003: {
      const fxi = cpu.getFxState()
      const fx = new DataView(fxi.buffer, fxi.byteOffset, fxi.byteLength)
      const off = lo16 < 16 ? 160 + 16 * lo16 : lo16 < 0x18 ? 32 + 16 * (lo16 - 16) : lo16 === 0x18 ? 0 : 16
      const ignNe = lo16 === 0x18 && vp.ignNe ? IGNNE_BIT : 0n // 10.4: IgnNe lives beside the FXSAVE image
      return v((fx.getBigUint64(off, true) & (lo16 === 0x18 ? ~IGNNE_BIT : M64)) | ignNe, fx.getBigUint64(off + 8, true) & (lo16 >= 0x10 && lo16 < 0x18 ? 0xffffn : M64))
    }
    case 0x0004: return v(lo16 === 5 ? cpu.getXcr0() : cpu.getCr([0, 2, 3, 4, 8][lo16]))
    case 0x0005: return v(cpu.getDr([0, 1, 2, 3, 6, 7][lo16]))
    case 0x0006: return segmentValue(vp, lo16)
    case 0x0007: {
      const t = lo16 === 0 ? cpu.getIdtr() : cpu.getGdtr()
      return v(BigInt(t.limit & 0xffff) << 48n, t.base)
    }
    case 0x0008:
      if (name === R.HvX64RegisterEfer) return v(cpu.getEfer())
      if (name === R.HvX64RegisterInitialApicId) return v(BigInt(vp.initialApicId))
      return v(readMsrBacked(vp, MSR_OF[name]))
    case 0x000c: {
      if (lo16 < 16) {
        const fxi = cpu.getFxState()
      const fx = new DataView(fxi.buffer, fxi.byteOffset, fxi.byteLength)
        return v(fx.getBigUint64(160 + 16 * lo16, true), fx.getBigUint64(168 + 16 * lo16, true))
      }
      const d = new DataView(vp.ymmHigh.buffer, 16 * (lo16 - 16), 16)
      return v(d.getBigUint64(0, true), d.getBigUint64(8, true))
    }
    default: {
      const msr = syntheticMsrOf(name)!
      if (msr === 0x40000070) return v(0n) // DECISION 10.3: EOI reads as 0
      const entry = msrs.get(msr)
      const r = entry ? entry.read(vp) : 0n
      return v(r === MSR_FAULT ? 0n : r)
    }
  }
}

/** Write register `name` (10.4 validation). */
export function setVpRegister(vp: VirtualProcessor, name: number, value: RegValue, msrs: SyntheticMsrTable): HvStatus {
  if (!isKnownRegisterName(name) || READ_ONLY_REGISTERS.has(name)) return HV_STATUS_INVALID_PARAMETER
  const cpu = vp.cpu
  const hi16 = name >>> 16
  const lo16 = name & 0xffff
  const { lo, hi } = value
  const is128 = hi16 === 0x0003 || hi16 === 0x0006 || hi16 === 0x0007 || hi16 === 0x000c
  if (!is128 && hi !== 0n) return HV_STATUS_INVALID_PARAMETER // beyond the register's width
  const bad = HV_STATUS_INVALID_PARAMETER
  switch (hi16) {
    case 0x0000:
      if (name === R.HvRegisterExplicitSuspend) {
        if (lo > 1n) return bad
        vp.explicitSuspend = lo === 1n
      } else {
        // Only clearing is allowed (10.3; DECISION INVALID_PARAMETER for setting a clear bit).
        if (lo > 3n || (Number(lo) & ~vp.interceptSuspend) !== 0) return bad
        vp.interceptSuspend = Number(lo)
      }
      return HV_STATUS_SUCCESS
    case 0x0001:
      if (name === R.HvX64RegisterPendingInterruption) {
        const type = Number((lo >> 1n) & 7n)
        if ((lo & 1n) && type !== 0 && type !== 2 && type !== 3) return bad
        if ((lo & 0xffe0n) !== 0n) return bad
        vp.pendingInterruption = lo
      } else {
        if (lo > 3n) return bad
        vp.interruptState = lo
      }
      return HV_STATUS_SUCCESS
    case 0x0002:
      if (lo16 < 16) cpu.setReg(lo16, lo)
      else if (lo16 === 0x10) cpu.setRip(lo)
      else {
        if ((lo & ~RFLAGS_VALID) !== 0n || (lo & 2n) === 0n) return bad // bit 1 is fixed to 1
        cpu.setRflags(lo)
      }
      return HV_STATUS_SUCCESS
    case 0x0003: {
      const img = cpu.getFxState()
      const fx = new DataView(img.buffer, img.byteOffset, img.byteLength)
      if (lo16 >= 0x10 && lo16 < 0x18 && hi >> 16n !== 0n) return bad
      const off = lo16 < 16 ? 160 + 16 * lo16 : lo16 < 0x18 ? 32 + 16 * (lo16 - 16) : lo16 === 0x18 ? 0 : 16
      if (lo16 === 0x18) vp.ignNe = (lo & IGNNE_BIT) !== 0n
      fx.setBigUint64(off, lo16 === 0x18 ? lo & ~IGNNE_BIT : lo, true)
      fx.setBigUint64(off + 8, hi, true)
      cpu.setFxState(img)
      return HV_STATUS_SUCCESS
    }
    case 0x0004:
      if (lo16 === 0 && ((lo & ~CR0_VALID) !== 0n)) return bad
      if (lo16 === 3 && (lo & ~CR4_VALID) !== 0n) return bad
      if (lo16 === 4 && lo > 15n) return bad
      if (lo16 === 2 && lo >> 52n !== 0n) return bad
      if (lo16 === 5) cpu.setXcr0(lo)
      else cpu.setCr([0, 2, 3, 4, 8][lo16], lo)
      return HV_STATUS_SUCCESS
    case 0x0005:
      if (lo16 >= 4 && lo >> 32n !== 0n) return bad
      cpu.setDr([0, 1, 2, 3, 6, 7][lo16], lo)
      return HV_STATUS_SUCCESS
    case 0x0006: {
      const attributes = Number((hi >> 32n) & 0xffffn)
      if ((attributes & 0x0f00) !== 0) return bad // 10.4: attribute bits 11:8 reserved
      cpu.setSegment(lo16, { base: lo, limit: Number(hi & 0xffffffffn), attributes, selector: Number((hi >> 48n) & 0xffffn) })
      return HV_STATUS_SUCCESS
    }
    case 0x0007: {
      const t = { base: hi, limit: Number((lo >> 48n) & 0xffffn) }
      if (lo16 === 0) cpu.setIdtr(t)
      else cpu.setGdtr(t)
      return HV_STATUS_SUCCESS
    }
    case 0x0008:
      if (name === R.HvX64RegisterEfer) cpu.setEfer(lo)
      else if (name === R.HvX64RegisterInitialApicId) {
        if (lo > 0xffffffffn) return bad
        vp.initialApicId = Number(lo)
      } else {
        const msr = MSR_OF[name]
        if (!cpu.writeMsr(msr, lo)) vp.msrShadow.set(msr, lo)
      }
      return HV_STATUS_SUCCESS
    case 0x000c: {
      if (lo16 < 16) return setVpRegister(vp, R.HvX64RegisterXmm0 + lo16, value, msrs)
      const d = new DataView(vp.ymmHigh.buffer, 16 * (lo16 - 16), 16)
      d.setBigUint64(0, lo, true)
      d.setBigUint64(8, hi, true)
      return HV_STATUS_SUCCESS
    }
    default: {
      const entry = msrs.get(syntheticMsrOf(name)!)
      if (!entry) return HV_STATUS_SUCCESS // later chapters: accepted and ignored until implemented
      return entry.write(vp, lo) === MSR_FAULT ? bad : HV_STATUS_SUCCESS
    }
  }
}

export function isSuspendRegister(name: number): boolean {
  return name === R.HvRegisterExplicitSuspend || name === R.HvRegisterInterceptSuspend
}
