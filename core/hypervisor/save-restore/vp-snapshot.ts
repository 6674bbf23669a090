/**
 * One VP's saved state (TLFS 17.1.5 "all VP registers"): general, control, debug, segment
 * and table registers, EFER/XCR0, the architectural MSRs the CPU owns (read through
 * `readMsr`), the hypervisor's MSR shadow (MTRRs the CPU does not own), the FXSAVE image
 * (x87/SSE), YMM upper halves, the pending interruption and interrupt state, the run/halt
 * flags and the VP runtime. Explicit suspend is not saved: the parent sets it (17.4).
 */
import type { X64Cpu } from '../../x64/api'
import type { VirtualProcessor } from '../virtual-processor'
import { ByteReader, ByteWriter } from './byte-stream'

/** Architectural MSRs saved when the CPU owns them (Intel SDM vol. 4 numbering). */
export const SAVED_ARCH_MSRS: readonly number[] = [
  0x10, 0x48, 0x174, 0x175, 0x176, 0x179, 0x17a, 0x17b, 0x1a0, 0x277, 0xfe, 0x2ff, 0x250, 0x258, 0x259,
  ...Array.from({ length: 8 }, (_, i) => 0x268 + i), ...Array.from({ length: 16 }, (_, i) => 0x200 + i),
  ...Array.from({ length: 16 }, (_, i) => 0x400 + i),
  0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000102, 0xc0000103,
]

/** HvX64RegisterInterruptState bits (10.3): InterruptShadow, NmiMasked. */
const INTERRUPT_SHADOW = 1n
const NMI_MASKED = 2n

const CR_NUMBERS = [0, 2, 3, 4, 8] as const
const DR_NUMBERS = [0, 1, 2, 3, 6, 7] as const

export function writeVpSnapshot(w: ByteWriter, vp: VirtualProcessor): void {
  const cpu = vp.cpu
  // The STI/MOV SS shadow and NMI blocking, so a VP saved right after STI does not take an
  // interrupt one instruction early after restore.
  const events = cpu.getInterruptState?.()
  let interruptState = vp.interruptState
  if (events) interruptState = (events.interruptShadow ? INTERRUPT_SHADOW : 0n) | (events.nmiMasked ? NMI_MASKED : 0n)
  w.u32(vp.index)
  const flags = (vp.waitingForSipi ? 1 : 0) | (cpu.halted ? 2 : 0) | (vp.idleSleep ? 4 : 0) | (cpu.interruptWindowRequested ? 8 : 0) | (vp.resetRequested ? 16 : 0)
  w.u32(flags).u32(vp.interceptSuspend).u32(vp.initialApicId)
  w.u64(vp.pendingInterruption).u64(interruptState).u8(events?.interruptShadow ? 1 : 0).num(vp.runTime)
  for (let r = 0; r < 16; r++) w.u64(cpu.getReg(r))
  w.u64(cpu.getRip()).u64(cpu.getRflags())
  w.u64(cpu.getEfer()).u64(cpu.getXcr0())
  for (const n of CR_NUMBERS) w.u64(cpu.getCr(n))
  for (const n of DR_NUMBERS) w.u64(cpu.getDr(n))
  for (let s = 0; s < 8; s++) {
    const g = cpu.getSegment(s)
    w.u64(g.base).u32(g.limit >>> 0).u16(g.selector & 0xffff).u16(g.attributes & 0xffff)
  }
  for (const t of [cpu.getGdtr(), cpu.getIdtr()]) w.u64(t.base).u32(t.limit >>> 0)
  const msrs: Array<[number, bigint]> = []
  for (const i of SAVED_ARCH_MSRS) {
    const v = cpu.readMsr(i)
    if (v !== undefined) msrs.push([i, v])
  }
  w.u16(msrs.length)
  for (const [i, v] of msrs) w.u32(i).u64(v)
  const shadow = [...vp.msrShadow.entries()].sort((a, b) => a[0] - b[0])
  w.u16(shadow.length)
  for (const [i, v] of shadow) w.u32(i).u64(v)
  for (const v of vp.powerStateConfig) w.u64(v)
  w.bytes(cpu.getFxState())
  w.bytes(vp.ymmHigh)
}

/** A decoded VP snapshot, applied only after the whole stream checked out. */
export interface VpSnapshot {
  index: number
  apply(vp: VirtualProcessor): void
}

/** Decode one VP record (throws TruncatedError on short data; the caller maps it to HvStateCorruptData). */
export function readVpSnapshot(r: ByteReader): VpSnapshot {
  const index = r.u32('vp index')
  const flags = r.u32()
  const interceptSuspend = r.u32()
  const initialApicId = r.u32()
  const pendingInterruption = r.u64()
  const interruptState = r.u64()
  const shadowCount = r.u8()
  const runTime = r.num()
  const gprs = Array.from({ length: 16 }, () => r.u64('gpr'))
  const rip = r.u64()
  const rflags = r.u64()
  const efer = r.u64()
  const xcr0 = r.u64()
  const crs = CR_NUMBERS.map(() => r.u64('cr'))
  const drs = DR_NUMBERS.map(() => r.u64('dr'))
  const segs = Array.from({ length: 8 }, () => ({ base: r.u64('segment'), limit: r.u32(), selector: r.u16(), attributes: r.u16() }))
  const gdtr = { base: r.u64('gdtr'), limit: r.u32() }
  const idtr = { base: r.u64('idtr'), limit: r.u32() }
  const msrs: Array<[number, bigint]> = Array.from({ length: r.u16('msr count') }, () => [r.u32('msr'), r.u64('msr')] as [number, bigint])
  const shadow: Array<[number, bigint]> = Array.from({ length: r.u16('shadow count') }, () => [r.u32('msr'), r.u64('msr')] as [number, bigint])
  const power = [r.u64('power'), r.u64('power'), r.u64('power')]
  const fx = r.bytes(512, 'fx state')
  const ymm = r.bytes(256, 'ymm high')
  if ((flags & ~0x1f) !== 0 || shadowCount > 2 || interruptState > 3n) throw new RangeError('bad VP flags')
  return {
    index,
    apply(vp) {
      const cpu = vp.cpu
      vp.waitingForSipi = (flags & 1) !== 0
      vp.idleSleep = (flags & 4) !== 0
      vp.resetRequested = (flags & 16) !== 0
      vp.interceptSuspend = interceptSuspend
      vp.initialApicId = initialApicId
      vp.pendingInterruption = pendingInterruption
      vp.interruptState = interruptState
      // The run-time source restarts with the new VP; keep VP_RUNTIME continuous (the
      // sub-unit remainder comes back with the hv.vp-runtime section).
      vp.setRunTime(runTime, 0)
      // Mode-defining registers first so that segment loads see the final mode.
      cpu.setEfer(efer)
      cpu.setCr(4, crs[3])
      cpu.setCr(3, crs[2])
      cpu.setCr(0, crs[0])
      cpu.setCr(2, crs[1])
      cpu.setCr(8, crs[4])
      cpu.setXcr0(xcr0)
      for (let i = 0; i < DR_NUMBERS.length; i++) cpu.setDr(DR_NUMBERS[i], drs[i])
      cpu.setGdtr({ base: gdtr.base, limit: gdtr.limit })
      cpu.setIdtr({ base: idtr.base, limit: idtr.limit })
      for (let s = 0; s < 8; s++) cpu.setSegment(s, segs[s])
      for (const [i, v] of msrs) cpu.writeMsr(i, v)
      vp.msrShadow.clear()
      for (const [i, v] of shadow) vp.msrShadow.set(i, v)
      for (let i = 0; i < 3; i++) vp.powerStateConfig[i] = power[i]
      cpu.setFxState(fx)
      vp.ymmHigh.set(ymm)
      for (let g = 0; g < 16; g++) cpu.setReg(g, gprs[g])
      cpu.setRflags(rflags)
      cpu.setRip(rip)
      cpu.halted = (flags & 2) !== 0
      cpu.interruptWindowRequested = (flags & 8) !== 0
      cpu.setInterruptState?.({ interruptShadow: shadowCount !== 0, nmiMasked: (interruptState & NMI_MASKED) !== 0n })
      cpu.flushCaches()
    },
  }
}
