/**
 * A 64-bit long-mode flat environment in a GuestMemory for running one instruction at a
 * time: 4-level page tables mapping a code page and the scratch region at the same
 * virtual addresses the native runner uses, CPL 0 flat segments, SSE enabled
 * (CR4.OSFXSR/OSXMMEXCPT), and every exception vector set to exit instead of being
 * delivered (exceptionBitmap) so faults can be compared with the native signals.
 */
import { GuestMemory } from '../../../../core/memory/guest-memory'
import { ExitReason, Seg, type X64Cpu } from '../../../../core/x64/api'
import { SCRATCH_BASE, SCRATCH_SIZE, WIN_BASE, WIN_SIZE } from './layout'
import type { DiffCase } from './case-builder'
import type { CaseResult } from './machine-state'

const PML4 = 0x1000
const PDPT = 0x2000
const PD = 0x3000
const PT_CODE = 0x4000
const PT_SCRATCH = 0x5000
const CODE_GPA = 0x8000
const SCRATCH_GPA = 0x10_0000
const MEMORY_SIZE = 0x20_0000

/** Code runs from the middle of a page at this virtual address. */
export const CODE_GVA = 0x40_1000
export const CODE_START = CODE_GVA + 0x800

const PRESENT_RW = 0x3n

export type CreateCpu = (memory: GuestMemory) => X64Cpu

export interface EmulatorResult extends CaseResult {
  rip: bigint
  exitReason: number
  vector: number
  hostError?: string
}

function fxImage(x87: Uint8Array, mxcsr: number, xmm: readonly bigint[]): Uint8Array {
  const img = new Uint8Array(512)
  const v = new DataView(img.buffer)
  img.set(x87.subarray(0, 160))
  v.setUint32(24, mxcsr, true)
  v.setUint32(28, 0xffff, true)
  xmm.forEach((q, i) => v.setBigUint64(160 + i * 8, q, true))
  return img
}

export class EmulatorEnv {
  readonly memory = new GuestMemory(MEMORY_SIZE)
  readonly cpu: X64Cpu

  constructor(create: CreateCpu) {
    const v = this.memory.view
    v.setBigUint64(PML4, BigInt(PDPT) | PRESENT_RW, true)
    v.setBigUint64(PDPT, BigInt(PD) | PRESENT_RW, true)
    v.setBigUint64(PD + 8 * (CODE_GVA >>> 21), BigInt(PT_CODE) | PRESENT_RW, true)
    v.setBigUint64(PT_CODE + 8 * ((CODE_GVA >>> 12) & 511), BigInt(CODE_GPA) | PRESENT_RW, true)
    v.setBigUint64(PD + 8 * (SCRATCH_BASE >>> 21), BigInt(PT_SCRATCH) | PRESENT_RW, true)
    for (let off = 0; off < SCRATCH_SIZE; off += 0x1000) {
      v.setBigUint64(PT_SCRATCH + 8 * (((SCRATCH_BASE + off) >>> 12) & 511), BigInt(SCRATCH_GPA + off) | PRESENT_RW, true)
    }
    this.cpu = create(this.memory)
  }

  private enterLongMode(): void {
    const cpu = this.cpu
    cpu.reset()
    cpu.setEfer(0xd01n) // SCE | LME | LMA | NXE
    cpu.setCr(4, 0x620n) // PAE | OSFXSR | OSXMMEXCPT
    cpu.setCr(3, BigInt(PML4))
    cpu.setCr(0, 0x8000_0033n) // PG | NE | ET | MP | PE
    cpu.setSegment(Seg.CS, { base: 0n, limit: 0xffffffff, selector: 0x08, attributes: 0xa09b })
    const data = { base: 0n, limit: 0xffffffff, selector: 0x10, attributes: 0xc093 }
    for (const s of [Seg.SS, Seg.DS, Seg.ES, Seg.FS, Seg.GS]) cpu.setSegment(s, { ...data })
    cpu.exceptionBitmap = 0xffffffff
    cpu.flushCaches()
  }

  /**
   * Run one case: state from the case input, code bytes from the native object. `at` is
   * where the bytes run (the native address for RIP-relative operands, which must lie in
   * the 2 MiB region around CODE_GVA); the reported RIP is rebased onto CODE_START.
   */
  run(c: DiffCase, code: Uint8Array, at = CODE_START): EmulatorResult {
    const cpu = this.cpu
    const v = this.memory.view
    const gva = at - (at & 0xfff)
    if ((gva >>> 21) !== (CODE_GVA >>> 21)) throw new Error(`case address ${at.toString(16)} outside the code region`)
    for (let i = 0; i < 512; i++) v.setBigUint64(PT_CODE + 8 * i, 0n, true)
    v.setBigUint64(PT_CODE + 8 * ((gva >>> 12) & 511), BigInt(CODE_GPA) | PRESENT_RW, true)
    v.setBigUint64(PT_CODE + 8 * (((gva >>> 12) + 1) & 511), BigInt(CODE_GPA + 0x1000) | PRESENT_RW, true)
    const page = new Uint8Array(0x2000).fill(0xcc)
    page.set(code, at - gva)
    this.memory.writeBytes(CODE_GPA, page)
    this.memory.writeBytes(SCRATCH_GPA + (WIN_BASE - SCRATCH_BASE), c.input.mem)
    let exitReason = -1
    let hostError: string | undefined
    try {
      this.enterLongMode()
      c.input.regs.forEach((v, i) => cpu.setReg(i, v))
      // Natively the instruction runs at CPL 3 with IF set; PUSHF must see the same bits.
      cpu.setRflags(c.input.rflags | 0x202n)
      cpu.setFxState(fxImage(c.input.x87, c.input.mxcsr, c.input.xmm))
      cpu.setRip(BigInt(at))
      // A REP string instruction may retire one iteration per step; keep stepping while RIP stays put.
      // A sequence case (branches) runs until RIP reaches its end label or leaves its bytes.
      const end = BigInt(at + code.length)
      for (let i = 0; i < 400; i++) {
        exitReason = cpu.run(1)
        if (exitReason !== ExitReason.None) break
        const rip = cpu.getRip()
        if (c.sequence ? rip === end || rip < BigInt(at) || rip > end : rip !== BigInt(at)) break
      }
    } catch (e) {
      hostError = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
    }
    const fx = safe(() => cpu.getFxState(), new Uint8Array(512))
    const fv = new DataView(fx.buffer, fx.byteOffset, fx.byteLength)
    const xmm: bigint[] = []
    for (let i = 0; i < 32; i++) xmm.push(fv.getBigUint64(160 + i * 8, true))
    const vector = exitReason === ExitReason.Exception ? cpu.exit.vector : -1
    return {
      status: hostError ? -1 : exitReason === ExitReason.None ? 0 : exitReason === ExitReason.Exception ? 1000 + vector : 2000 + exitReason,
      regs: Array.from({ length: 16 }, (_, i) => safe(() => cpu.getReg(i), 0n)),
      rflags: safe(() => cpu.getRflags(), 0n),
      mxcsr: fv.getUint32(24, true),
      xmm,
      mem: this.memory.readBytes(SCRATCH_GPA + (WIN_BASE - SCRATCH_BASE), WIN_SIZE),
      x87: fx.slice(0, 160),
      rip: safe(() => cpu.getRip(), 0n) - BigInt(at) + BigInt(CODE_START),
      exitReason,
      vector,
      hostError,
    }
  }
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f()
  } catch {
    return fallback
  }
}
