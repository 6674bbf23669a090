/**
 * X64Cpu: the run loop, exit completion, event injection with #DF/triple-fault
 * escalation (Intel SDM vol. 3, 6.15 "Interrupt 8 — double fault", table 6-5), RESET/
 * INIT/SIPI state (SDM vol. 3, 9.1.1 table 9-1) and the slow-path register accessors
 * the hypervisor uses (TLFS HV_X64_SEGMENT_REGISTER / HV_X64_TABLE_REGISTER images).
 */
import type { GuestMemory } from '../memory/guest-memory'
import { ExitReason, type X64Cpu, type CpuExit, type SegmentRegister, type TableRegister, type InterruptState } from './api'
import { CpuState, DEFAULT_BLOCK_THRESHOLD } from './cpu-state'
import { FLAGS, Mode, Vector, CR0 } from './constants'
import { FAULT, EXIT_SIGNAL, vectorHasErrorCode, isContributory } from './faults'
import { step } from './exec-main'
import { flushTlb, selectTlbBank, fetchFill } from './mmu'
import { translate, Access } from './paging'
import { getFlags, materialize, LF } from './lazy-flags'
import { deliverEvent, EventKind } from './interrupts'
import { updateMode, setSegCache, SEG_CS } from './segmentation'
import { writeReg } from './operands'
import { IoKind } from './exits'
import { completeIns, completeOuts } from './exec-string'
import { ownsMsr, ownedMsrRead, ownedMsrWrite, msrValue } from './msr'
import { buildFxImage, loadFxImage } from './fpu-state'
import { compileBlock } from './compile-block'
import { recordBlock } from './records'
import { runRecords } from './run-records'
import { invalidateCodeRange, flushCode } from './code-cache'
import { DEBUG_FLAGS, debugBeforeStep, debugAfterStep, refreshDebug } from './debug-traps'


function toBig(v: number): bigint {
  return BigInt.asUintN(64, BigInt(v))
}
function fromBig(v: bigint): number {
  return Number(BigInt.asIntN(64, v))
}

export interface CpuOptions {
  /** Cache pre-decoded 64-bit instructions (default true; false interprets every instruction). */
  decodeCache?: boolean
  /** Executions of a code address before it is compiled as a block (default 12; 1 = at once, for tests). */
  blockThreshold?: number
}

/** The VMM asked for an interrupt window and it is open: IF set, no STI / MOV SS shadow. */
function windowOpen(c: CpuState): boolean {
  return c.interruptWindowRequested && c.shadow === 0 && (c.eflags & FLAGS.IF) !== 0
}

/**
 * Run compiled blocks while RIP stays in the fetch window and they exist; returns the
 * retired count when an instruction must be interpreted (or the limit is reached). A
 * block longer than the budget left runs as its one-instruction variant, so run(n)
 * retires exactly n instructions.
 */
function runCompiled(c: CpuState, limit: number): number {
  let retired = c.retired
  while (retired < limit) {
    const ip = c.rip
    let code = c.fetchCode
    if (ip < c.fetchLo || ip >= c.fetchHi) {
      // moved to another page, or the window was dropped (TLB flush): remap it here rather
      // than in the interpreter (faults of the fetch are the instruction's, as in step())
      if (c.mode !== Mode.Long64 || !c.decodeCache || ip < -0x800000000000 || ip >= 0x800000000000) break
      c.ip = ip
      fetchFill(c, ip, Infinity)
      code = c.fetchCode
    }
    if (code === null) break
    const idx = (ip - c.fetchPageIp) | 0
    let b = code[idx]
    if (b === undefined) { b = c.blockThreshold <= 1 ? compileBlock(c, ip) : recordBlock(c, ip); code[idx] = b } else if (b.heat > 0 && --b.heat === 0) { b = compileBlock(c, ip); code[idx] = b }
    if (b.n === 0) break
    let k: number
    try {
      if (b.rec >= 0) k = runRecords(c, ip, b.rec, b.n, limit - retired)
      else {
        if (retired + b.n > limit) {
          if (b.one === undefined) b.one = compileBlock(c, ip, 1)
          b = b.one
        }
        k = b.run(c, limit - retired)
      }
    } catch (err) {
      // instructions before the faulting one (RIP points at it) have retired: a record block
      // counts them in blockDone, a generated one by the fault's index in `starts`
      // (plus blockDone for the iterations a looping block completed)
      if (b.rec >= 0) c.retired = retired + c.blockDone
      else c.retired = retired + (b.loops ? c.blockDone : 0) + Math.max(0, b.starts.indexOf(c.rip))
      throw err
    }
    c.retired = retired += k
    // an STI shadow, TF, or IF set (STI/POPF end their blocks) while an interrupt waits: back to the run loop
    if (c.shadow !== 0 || (c.eflags & DEBUG_FLAGS) !== 0 || (c.interruptWindowRequested && (c.eflags & FLAGS.IF) !== 0)) break
  }
  return retired
}

export class Cpu implements X64Cpu {
  readonly s: CpuState
  private shutdown = false

  constructor(memory: GuestMemory, options: CpuOptions = {}) {
    this.s = new CpuState(memory)
    this.s.decodeCache = options.decodeCache ?? true
    this.s.blockThreshold = Math.max(1, options.blockThreshold ?? DEFAULT_BLOCK_THRESHOLD)
    memory.onExternalWrite((gpa, length) => invalidateCodeRange(this.s, gpa, length))
    this.reset(false)
  }

  get memory(): GuestMemory { return this.s.memory }
  get exit(): CpuExit { return this.s.exit }
  get retired(): number { return this.s.retired }
  get halted(): boolean { return this.s.halted }
  set halted(v: boolean) { this.s.halted = v }
  get interruptWindowRequested(): boolean { return this.s.interruptWindowRequested }
  set interruptWindowRequested(v: boolean) { this.s.interruptWindowRequested = v }
  get exceptionBitmap(): number { return this.s.exceptionBitmap }
  set exceptionBitmap(v: number) { this.s.exceptionBitmap = v }
  get readTsc(): () => number { return this.s.readTsc }
  set readTsc(f: () => number) { this.s.readTsc = f }

  run(budget: number): ExitReason {
    const c = this.s
    const e = c.exit
    e.reason = ExitReason.None
    e.instructionLength = 0
    if (this.shutdown) { e.reason = ExitReason.TripleFault; return ExitReason.TripleFault }
    if (c.memGeneration !== c.memory.generation) flushTlb(c)
    const limit = c.retired + budget
    while (c.retired < limit) {
      if (windowOpen(c)) { e.reason = ExitReason.InterruptWindow; return ExitReason.InterruptWindow }
      if (c.halted) { e.reason = ExitReason.Halt; return ExitReason.Halt }
      let start = c.rip
      let stepping = false
      try {
        while (c.retired < limit) {
          if (c.shadow === 0 && (c.eflags & DEBUG_FLAGS) === 0 && c.dbArmed === 0) {
            if (runCompiled(c, limit) >= limit) break
            if (windowOpen(c)) break
          }
          start = c.rip
          stepping = true
          // single-step / breakpoints / RF: interpreted, with #DB checks around (debug-traps.ts)
          const dbg = (c.eflags & DEBUG_FLAGS) !== 0 || c.dbArmed !== 0
          if (dbg) debugBeforeStep(c)
          const r = step(c)
          stepping = false
          if (r !== 0) {
            // HLT retired: an STI / MOV SS shadow covering it has ended, so an interrupt can wake it (SDM vol. 3 6.8.3).
            if (r === ExitReason.Halt) { c.retired++; c.shadow = 0; e.instructionLength = 0; e.reason = ExitReason.Halt; return ExitReason.Halt }
            this.fillInstruction(start)
            return r as ExitReason
          }
          c.rip = c.ip
          c.retired++
          if (c.shadow !== 0) c.shadow--
          if (dbg && debugAfterStep(c)) { const d = this.raise(Vector.DB, false, 0, 0); if (d !== ExitReason.None) return d }
          if (windowOpen(c)) break
        }
      } catch (err) {
        // compiled closures commit RIP only when they complete, so c.rip is the faulting one
        if (stepping) c.rip = start
        if (err === FAULT) {
          const r = this.raise(FAULT.vector, FAULT.hasErrorCode, FAULT.errorCode, 0)
          c.retired++
          if (r !== ExitReason.None) return r
          continue
        }
        if (err === EXIT_SIGNAL) { c.ip = c.rip; return e.reason }
        throw err
      }
    }
    return e.reason
  }

  private fillInstruction(start: number): void {
    const c = this.s, e = c.exit
    const len = Math.max(0, Math.min(15, c.exitNextRip - start))
    e.instructionLength = len
    for (let i = 0; i < len; i++) {
      try {
        const ip = start + i
        const lin = c.mode === Mode.Long64 ? ip : (c.segBase[SEG_CS] + ip) >>> 0
        const gpa = translate(c, lin, Access.Exec, c.cpl === 3)
        e.instructionBytes[i] = gpa < c.memory.size ? c.ram[gpa] : 0
      } catch { e.instructionBytes[i] = 0 }
    }
  }

  /** Deliver an exception with #DF / triple-fault escalation. Returns an exit reason or None. */
  private raise(vector: number, hasErr: boolean, err: number, depth: number): ExitReason {
    const c = this.s, e = c.exit
    if (vector < 32 && (c.exceptionBitmap & (1 << vector)) !== 0) {
      e.reason = ExitReason.Exception
      e.vector = vector; e.errorCode = err; e.hasErrorCode = hasErr
      return ExitReason.Exception
    }
    const start = c.rip
    try {
      deliverEvent(c, vector, hasErr, err, EventKind.Exception)
      c.ip = c.rip
      return ExitReason.None
    } catch (x) {
      c.rip = start
      if (x === EXIT_SIGNAL) return e.reason
      if (x !== FAULT) throw x
      const second = FAULT.vector, sHas = FAULT.hasErrorCode, sErr = FAULT.errorCode
      if (vector === Vector.DF || depth > 2) return this.tripleFault()
      const df = (isContributory(vector) && isContributory(second)) || (vector === Vector.PF && (second === Vector.PF || isContributory(second)))
      if (df) return this.raise(Vector.DF, true, 0, depth + 1)
      return this.raise(second, sHas, sErr, depth + 1)
    }
  }

  private tripleFault(): ExitReason {
    this.shutdown = true
    this.s.exit.reason = ExitReason.TripleFault
    return ExitReason.TripleFault
  }

  // ---- exit completion

  private finish(): void {
    const c = this.s
    c.rip = c.exitNextRip
    c.ip = c.rip
    c.retired++
    if (c.shadow !== 0) c.shadow--
    if (c.dbStepPending !== 0 && debugAfterStep(c)) this.raise(Vector.DB, false, 0, 0)
  }

  completeIoIn(value: number): void {
    const c = this.s
    const size = c.exit.accessSize
    if (c.ioKind === IoKind.Ins) {
      try {
        if (completeIns(c, value, size)) this.finish()
      } catch (x) {
        if (x === FAULT) this.raise(FAULT.vector, FAULT.hasErrorCode, FAULT.errorCode, 0)
        else if (x !== EXIT_SIGNAL) throw x
      }
      return
    }
    writeReg(c, size === 4 ? 4 : size, 0, size === 1 ? value & 0xff : size === 2 ? value & 0xffff : value | 0, 0)
    this.finish()
  }

  completeIoOut(): void {
    const c = this.s
    if (c.ioKind === IoKind.Outs) { if (completeOuts(c, c.exit.accessSize)) this.finish(); return }
    this.finish()
  }

  completeCpuid(eax: number, ebx: number, ecx: number, edx: number): void {
    const c = this.s
    writeReg(c, 4, 0, eax | 0, 0); writeReg(c, 4, 3, ebx | 0, 0)
    writeReg(c, 4, 1, ecx | 0, 0); writeReg(c, 4, 2, edx | 0, 0)
    this.finish()
  }

  completeMsrRead(lo: number, hi: number): void {
    const c = this.s
    writeReg(c, 4, 0, lo | 0, 0); writeReg(c, 4, 2, hi | 0, 0)
    this.finish()
  }

  completeInstruction(): void {
    this.finish()
  }

  // ---- events

  canTakeInterrupt(): boolean {
    const c = this.s
    return !this.shutdown && (c.eflags & FLAGS.IF) !== 0 && c.shadow === 0
  }

  private deliver(vector: number, hasErr: boolean, err: number, kind: number): void {
    const c = this.s
    c.halted = false
    const start = c.rip
    try {
      deliverEvent(c, vector, hasErr, err, kind)
      c.ip = c.rip
    } catch (x) {
      c.rip = start
      if (x === FAULT) this.raise(FAULT.vector, FAULT.hasErrorCode, FAULT.errorCode, kind === EventKind.Exception && vector === Vector.DF ? 3 : 0)
      else if (x !== EXIT_SIGNAL) throw x
    }
  }

  deliverInterrupt(vector: number): void {
    this.deliver(vector & 0xff, false, 0, EventKind.External)
  }

  deliverNmi(): void {
    this.s.nmiBlocked = true
    this.deliver(Vector.NMI, false, 0, EventKind.Nmi)
  }

  injectException(vector: number, errorCode?: number): void {
    const hasErr = vectorHasErrorCode(vector)
    const c = this.s
    c.halted = false
    const saved = c.exceptionBitmap
    c.exceptionBitmap = 0
    try { this.raise(vector, hasErr, hasErr ? (errorCode ?? 0) : 0, 0) } finally { c.exceptionBitmap = saved }
  }

  reset(init = false): void {
    const c = this.s
    this.shutdown = false
    c.r.fill(0)
    c.r[4] = 0x600 // EDX: family/model/stepping signature
    c.eflags = 2
    c.lfOp = LF.EAGER
    c.cr0 = (0x60000010 | (init ? c.cr0 & (CR0.CD | CR0.NW) : 0)) >>> 0
    c.cr2 = 0; c.cr3 = 0; c.cr4 = 0; c.cr8 = 0
    c.efer = 0
    c.xcr0Lo = 1; c.xcr0Hi = 0
    for (let i = 0; i < 6; i++) setSegCache(c, i, 0, 0, 0xffff, 0x93)
    setSegCache(c, SEG_CS, 0xf000, 0xffff0000, 0xffff, 0x9b)
    setSegCache(c, 6, 0, 0, 0xffff, 0x82)
    setSegCache(c, 7, 0, 0, 0xffff, 0x8b)
    c.gdtrBase = 0; c.gdtrLimit = 0xffff; c.idtrBase = 0; c.idtrLimit = 0xffff
    c.rip = 0xfff0; c.ip = c.rip
    c.dr.fill(0n); c.dr[6] = 0xffff0ff0n; c.dr[7] = 0x400n
    c.dbDeferred = 0; c.dbStepPending = 0; refreshDebug(c)
    c.halted = false; c.shadow = 0; c.nmiBlocked = false
    if (!init) {
      c.fpCw = 0x37f; c.fpSw = 0; c.fpTop = 0; c.fpTag = 0; c.fpr.fill(0); c.mxcsr = 0x1f80; c.xmm.fill(0)
      c.star = 0n; c.lstar = 0; c.cstar = 0; c.sfmask = 0; c.kernelGsBase = 0; c.tscAux = 0; c.specCtrl = 0
      c.sysenterCs = 0; c.sysenterEsp = 0; c.sysenterEip = 0
      c.pat = 0x0007040600070406n
      c.msrStore.clear()
    }
    c.cpl = 0
    selectTlbBank(c)
    flushTlb(c)
    flushCode(c)
    updateMode(c)
  }

  startupIpi(vector: number): void {
    const c = this.s
    this.reset(true)
    setSegCache(c, SEG_CS, (vector & 0xff) << 8, (vector & 0xff) << 12, 0xffff, 0x9b)
    c.rip = 0; c.ip = 0
    updateMode(c)
  }

  // ---- register access (slow path)

  getReg(r: number): bigint {
    const c = this.s
    return (BigInt(c.r[2 * r + 1] >>> 0) << 32n) | BigInt(c.r[2 * r] >>> 0)
  }
  setReg(r: number, v: bigint): void {
    const c = this.s
    c.r[2 * r] = Number(v & 0xffffffffn) | 0
    c.r[2 * r + 1] = Number((v >> 32n) & 0xffffffffn) | 0
  }
  getRip(): bigint { return toBig(this.s.rip) }
  setRip(v: bigint): void {
    const c = this.s
    c.rip = c.mode === Mode.Long64 ? fromBig(v) : Number(v & 0xffffffffn)
    c.ip = c.rip
  }
  getRflags(): bigint { return BigInt(getFlags(this.s) >>> 0) }
  setRflags(v: bigint): void {
    const c = this.s
    materialize(c)
    c.eflags = (Number(v & 0x3fffffn) | 2) >>> 0
    updateMode(c)
  }
  getSegment(s: number): SegmentRegister {
    const c = this.s
    return { base: toBig(c.segBase[s]), limit: c.segLimit[s] >>> 0, selector: c.segSel[s] & 0xffff, attributes: c.segAttr[s] & 0xffff }
  }
  setSegment(s: number, v: SegmentRegister): void {
    const c = this.s
    setSegCache(c, s, v.selector, fromBig(v.base), v.limit >>> 0, v.attributes & 0xffff)
    if (s === SEG_CS) {
      c.cpl = (c.cr0 & CR0.PE) === 0 ? 0 : (c.eflags & FLAGS.VM) !== 0 ? 3 : v.selector & 3
      selectTlbBank(c)
    }
    updateMode(c)
  }
  getGdtr(): TableRegister { return { base: toBig(this.s.gdtrBase), limit: this.s.gdtrLimit } }
  setGdtr(v: TableRegister): void { this.s.gdtrBase = fromBig(v.base); this.s.gdtrLimit = v.limit & 0xffff }
  getIdtr(): TableRegister { return { base: toBig(this.s.idtrBase), limit: this.s.idtrLimit } }
  setIdtr(v: TableRegister): void { this.s.idtrBase = fromBig(v.base); this.s.idtrLimit = v.limit & 0xffff }

  getCr(n: number): bigint {
    const c = this.s
    switch (n) {
      case 0: return BigInt(c.cr0 >>> 0)
      case 2: return toBig(c.cr2)
      case 3: return toBig(c.cr3)
      case 4: return BigInt(c.cr4 >>> 0)
      case 8: return BigInt(c.cr8)
      default: return 0n
    }
  }
  setCr(n: number, v: bigint): void {
    const c = this.s
    switch (n) {
      case 0: c.cr0 = Number(v & 0xffffffffn) >>> 0; break
      case 2: c.cr2 = fromBig(v); break
      case 3: c.cr3 = Number(BigInt.asUintN(64, v)); break
      case 4: c.cr4 = Number(v & 0xffffffffn) >>> 0; break
      case 8: c.cr8 = Number(v & 0xfn); break
      default: return
    }
    flushTlb(c)
    updateMode(c)
  }
  getDr(n: number): bigint { return this.s.dr[n] ?? 0n }
  setDr(n: number, v: bigint): void { if (n >= 0 && n < 8) { this.s.dr[n] = BigInt.asUintN(64, v); refreshDebug(this.s) } }
  getEfer(): bigint { return BigInt(this.s.efer) }
  setEfer(v: bigint): void {
    const c = this.s
    c.efer = Number(v & 0xd01n)
    flushTlb(c)
    updateMode(c)
  }
  getXcr0(): bigint { return (BigInt(this.s.xcr0Hi >>> 0) << 32n) | BigInt(this.s.xcr0Lo >>> 0) }
  setXcr0(v: bigint): void { this.s.xcr0Lo = Number(v & 3n) | 1; this.s.xcr0Hi = 0 }

  readMsr(index: number): bigint | undefined {
    if (!ownsMsr(index >>> 0)) return undefined
    try { ownedMsrRead(this.s, index >>> 0) } catch (x) { if (x === FAULT) return undefined; throw x } // write-only MSRs
    return (BigInt(msrValue.hi >>> 0) << 32n) | BigInt(msrValue.lo >>> 0)
  }
  writeMsr(index: number, value: bigint): boolean {
    if (!ownsMsr(index >>> 0)) return false
    const lo = Number(value & 0xffffffffn) | 0, hi = Number((value >> 32n) & 0xffffffffn) | 0
    try { ownedMsrWrite(this.s, index >>> 0, lo, hi) } catch (x) { if (x !== FAULT && x !== EXIT_SIGNAL) throw x }
    updateMode(this.s)
    return true
  }
  getFxState(): Uint8Array { return buildFxImage(this.s, new Uint8Array(512)) }
  setFxState(image: Uint8Array): void { if (image.length >= 512) loadFxImage(this.s, image) }

  flushCaches(): void { flushTlb(this.s); flushCode(this.s) }

  getInterruptState(): InterruptState {
    return { interruptShadow: this.s.shadow !== 0, nmiMasked: this.s.nmiBlocked }
  }
  setInterruptState(state: InterruptState): void {
    // a restored shadow covers exactly the next instruction, as after STI / MOV SS
    this.s.shadow = state.interruptShadow ? 1 : 0
    this.s.nmiBlocked = state.nmiMasked
  }
}

