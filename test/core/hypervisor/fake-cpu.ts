/**
 * A scripted stand-in for X64Cpu: `run` pops the next scripted exit (filling `exit`), and the
 * complete* methods record what the hypervisor did. Lets hypervisor tests drive every exit
 * path without the real interpreter.
 */
import type { GuestMemory } from '../../../core/memory/guest-memory'
import { CpuExit, ExitReason, type SegmentRegister, type TableRegister, type X64Cpu } from '../../../core/x64/api'

export type Scripted = { reason: ExitReason } & Partial<Omit<CpuExit, 'reason' | 'instructionBytes'>>

export class FakeCpu implements X64Cpu {
  readonly exit = new CpuExit()
  retired = 0
  halted = false
  interruptWindowRequested = false
  exceptionBitmap = 0
  readTsc = () => 0
  readonly script: Scripted[] = []
  readonly log: string[] = []
  regs = new Array<bigint>(16).fill(0n)
  rip = 0xfff0n
  rflags = 2n
  cr = new Map<number, bigint>([[0, 0x60000010n], [2, 0n], [3, 0n], [4, 0n], [8, 0n]])
  dr = new Map<number, bigint>()
  efer = 0n
  xcr0 = 1n
  segs: SegmentRegister[] = Array.from({ length: 8 }, () => ({ base: 0n, limit: 0xffff, selector: 0, attributes: 0x93 }))
  gdtr: TableRegister = { base: 0n, limit: 0xffff }
  idtr: TableRegister = { base: 0n, limit: 0xffff }
  msrs = new Map<number, bigint>([[0x1b, 0xfee00000n]])
  fx = new Uint8Array(512)
  interruptible = true
  constructor(readonly memory: GuestMemory) {
    this.segs[1] = { base: 0xffff0000n, limit: 0xffff, selector: 0xf000, attributes: 0x9b }
  }
  run(budget: number): ExitReason {
    const next = this.script.shift()
    if (!next) {
      this.retired += budget
      this.exit.reason = ExitReason.None
      return ExitReason.None
    }
    this.retired += 1
    Object.assign(this.exit, { instructionLength: 0, port: 0, accessSize: 0, isWrite: false, value: 0, msr: 0, valueLo: 0, valueHi: 0, leaf: 0, subleaf: 0, gpa: 0, gva: 0, accessType: 0 }, next)
    return next.reason
  }
  completeIoIn(value: number) { this.log.push(`in ${value.toString(16)}`) }
  completeIoOut() { this.log.push('out') }
  completeCpuid(a: number, b: number, c: number, d: number) { this.log.push(`cpuid ${[a, b, c, d].map((x) => (x >>> 0).toString(16)).join(' ')}`) }
  completeMsrRead(lo: number, hi: number) { this.log.push(`rdmsr ${(hi >>> 0).toString(16)}:${(lo >>> 0).toString(16)}`) }
  completeInstruction() { this.log.push('retire'); this.rip += BigInt(this.exit.instructionLength || 3) }
  canTakeInterrupt() { return this.interruptible }
  deliverInterrupt(v: number) { this.log.push(`int ${v}`) }
  deliverNmi() { this.log.push('nmi') }
  injectException(v: number, e?: number) { this.log.push(e === undefined ? `exc ${v}` : `exc ${v} ${e}`) }
  reset() { this.log.push('reset') }
  startupIpi(v: number) { this.log.push(`sipi ${v}`) }
  getReg(r: number) { return this.regs[r] }
  setReg(r: number, v: bigint) { this.regs[r] = BigInt.asUintN(64, v) }
  getRip() { return this.rip }
  setRip(v: bigint) { this.rip = v }
  getRflags() { return this.rflags }
  setRflags(v: bigint) { this.rflags = v }
  getSegment(s: number) { return { ...this.segs[s] } }
  setSegment(s: number, v: SegmentRegister) { this.segs[s] = { ...v } }
  getGdtr() { return { ...this.gdtr } }
  setGdtr(v: TableRegister) { this.gdtr = { ...v } }
  getIdtr() { return { ...this.idtr } }
  setIdtr(v: TableRegister) { this.idtr = { ...v } }
  getCr(n: number) { return this.cr.get(n) ?? 0n }
  setCr(n: number, v: bigint) { this.cr.set(n, v) }
  getDr(n: number) { return this.dr.get(n) ?? 0n }
  setDr(n: number, v: bigint) { this.dr.set(n, v) }
  getEfer() { return this.efer }
  setEfer(v: bigint) { this.efer = v }
  getXcr0() { return this.xcr0 }
  setXcr0(v: bigint) { this.xcr0 = v }
  readMsr(i: number) { return this.msrs.get(i) }
  writeMsr(i: number, v: bigint) { if (!this.msrs.has(i)) return false; this.msrs.set(i, v); return true }
  getFxState() { return this.fx.slice() }
  setFxState(img: Uint8Array) { this.fx.set(img) }
  flushCaches() { this.log.push('flush') }

  /** Put the CPU in 64-bit long mode at CPL 0 with paging off… (identity) for VMCALL tests. */
  enterLongModeIdentity(): void {
    this.cr.set(0, 0x11n) // PE, no paging: GVA = GPA
    this.efer = 0x500n
    this.segs[1] = { base: 0n, limit: 0xffffffff, selector: 0x08, attributes: 0xa09b }
  }
}
