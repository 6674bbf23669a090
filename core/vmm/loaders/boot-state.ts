/**
 * The CPU state a loader leaves for the first instruction of a kernel, as plain data, and
 * `applyBootState` which writes it into an X64Cpu through its register setters.
 *
 * Segments use the TLFS HV_X64_SEGMENT_REGISTER format of core/x64/api.ts (attributes are
 * descriptor bits 40-47 and 52-55). Helpers below build the flat segments every boot
 * protocol we support asks for: 4 GiB code32/data32 (multiboot, Linux 32-bit entry, flat
 * images) and 64-bit code (Linux 64-bit entry, ELF64).
 */
import { Reg, Seg, type SegmentRegister, type TableRegister, type X64Cpu } from '../../x64/api'

export type BootMode = 'protected32' | 'long64'

export interface BootState {
  /** What was loaded, for logs: 'multiboot', 'linux', 'elf64', 'elf32', 'flat'. */
  format: string
  mode: BootMode
  rip: bigint
  rsp: bigint
  rflags: bigint
  /** RAX..R15 in encoding order (Reg). */
  gprs: bigint[]
  cr0: bigint
  cr3: bigint
  cr4: bigint
  efer: bigint
  gdtr: TableRegister
  idtr: TableRegister
  /** ES, CS, SS, DS, FS, GS, LDTR, TR in Seg order. */
  segments: SegmentRegister[]
  /** Guest-physical ranges the loader wrote (kernel, initrd, tables), for logs and tests. */
  regions: Array<{ name: string; base: number; size: number }>
}

export const CR0_PE = 0x1n
export const CR0_ET = 0x10n
export const CR0_PG = 0x8000_0000n
export const CR4_PAE = 0x20n
export const EFER_LME = 0x100n
export const EFER_LMA = 0x400n
export const RFLAGS_RESERVED1 = 0x2n

/** Segment attribute bits (HV_X64_SEGMENT_REGISTER). */
export const SegAttr = {
  TYPE_DATA_RW_ACCESSED: 0x3,
  TYPE_CODE_RX_ACCESSED: 0xb,
  TYPE_LDT: 0x2,
  TYPE_TSS_BUSY: 0xb,
  S: 0x10,
  P: 0x80,
  L: 0x2000,
  DB: 0x4000,
  G: 0x8000,
} as const

export const ATTR_CODE32 = SegAttr.TYPE_CODE_RX_ACCESSED | SegAttr.S | SegAttr.P | SegAttr.DB | SegAttr.G
export const ATTR_CODE64 = SegAttr.TYPE_CODE_RX_ACCESSED | SegAttr.S | SegAttr.P | SegAttr.L | SegAttr.G
export const ATTR_DATA32 = SegAttr.TYPE_DATA_RW_ACCESSED | SegAttr.S | SegAttr.P | SegAttr.DB | SegAttr.G

export function flatSegment(selector: number, attributes: number): SegmentRegister {
  return { base: 0n, limit: 0xffff_ffff, selector, attributes }
}

/** Segment registers: CS from `codeAttr`, the data ones flat, LDTR/TR at their reset values. */
export function flatSegments(codeSel: number, codeAttr: number, dataSel: number): SegmentRegister[] {
  const data = () => flatSegment(dataSel, ATTR_DATA32)
  const segs: SegmentRegister[] = []
  segs[Seg.ES] = data()
  segs[Seg.CS] = flatSegment(codeSel, codeAttr)
  segs[Seg.SS] = data()
  segs[Seg.DS] = data()
  segs[Seg.FS] = data()
  segs[Seg.GS] = data()
  segs[Seg.LDTR] = { base: 0n, limit: 0xffff, selector: 0, attributes: SegAttr.TYPE_LDT | SegAttr.P }
  segs[Seg.TR] = { base: 0n, limit: 0xffff, selector: 0, attributes: SegAttr.TYPE_TSS_BUSY | SegAttr.P }
  return segs
}

export function zeroGprs(): bigint[] {
  return new Array<bigint>(16).fill(0n)
}

/**
 * Put a VP into `s`. Control registers first so that the CPU derives its mode (LMA, PAE)
 * before segments and RIP are interpreted.
 */
export function applyBootState(cpu: X64Cpu, s: BootState): void {
  cpu.setEfer(s.efer)
  cpu.setCr(4, s.cr4)
  cpu.setCr(3, s.cr3)
  cpu.setCr(0, s.cr0)
  cpu.setGdtr({ ...s.gdtr })
  cpu.setIdtr({ ...s.idtr })
  for (let i = 0; i < s.segments.length; i++) cpu.setSegment(i, { ...s.segments[i] })
  for (let r = Reg.RAX; r <= Reg.R15; r++) cpu.setReg(r, s.gprs[r] ?? 0n)
  cpu.setRflags(s.rflags)
  cpu.setRip(s.rip)
  cpu.halted = false
  cpu.flushCaches()
}
