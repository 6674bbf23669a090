/**
 * The seam between the "silicon" (core/x64) and everything above it.
 *
 * `run(budget)` executes guest instructions and returns an ExitReason; the details of the
 * exit sit in the reused `exit` object (no allocation per exit). The CPU knows nothing of
 * devices or hypercalls: port I/O, CPUID, non-architectural MSRs, VMCALL, HLT, accesses
 * to unmapped or protected GPAs and triple faults all leave `run` as exits, and whoever
 * handles the exit completes it through the `complete*` methods (or injects an exception).
 *
 * Register images use the TLFS formats (HV_X64_SEGMENT_REGISTER, HV_X64_TABLE_REGISTER)
 * so the hypervisor can serve HvGet/SetVpRegisters without translation. The slow-path
 * accessors take and return bigint; the hot path never does.
 */
import type { GuestMemory } from '../memory/guest-memory'

/** General-purpose register numbers, in encoding order. */
export const Reg = {
  RAX: 0, RCX: 1, RDX: 2, RBX: 3, RSP: 4, RBP: 5, RSI: 6, RDI: 7,
  R8: 8, R9: 9, R10: 10, R11: 11, R12: 12, R13: 13, R14: 14, R15: 15,
} as const

/** Segment registers in encoding order, then LDTR and TR. */
export const Seg = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5, LDTR: 6, TR: 7 } as const

/**
 * HV_X64_SEGMENT_REGISTER. `attributes`: bits 0-3 SegmentType, 4 NonSystemSegment,
 * 5-6 DescriptorPrivilegeLevel, 7 Present, 12 Available, 13 Long, 14 Default (D/B),
 * 15 Granularity — i.e. descriptor bits 40-47 and 52-55 packed as in VMX access rights.
 * `limit` is the expanded byte limit.
 */
export interface SegmentRegister {
  base: bigint
  limit: number
  selector: number
  attributes: number
}

/** HV_X64_TABLE_REGISTER (GDTR, IDTR). */
export interface TableRegister {
  base: bigint
  limit: number
}

export const ExitReason = {
  /** The budget ran out; nothing to do. */
  None: 0,
  /** HLT executed with nothing to wake the VP; RIP is past the HLT. */
  Halt: 1,
  /** IN/OUT/INS/OUTS; not yet executed. Complete with completeIoIn / completeIoOut. */
  IoPort: 2,
  /** RDMSR of an MSR the CPU does not own; complete with completeMsrRead or inject #GP. */
  MsrRead: 3,
  /** WRMSR of an MSR the CPU does not own; complete with completeInstruction or inject #GP. */
  MsrWrite: 4,
  /** CPUID; complete with completeCpuid. */
  Cpuid: 5,
  /** VMCALL (at CPL 0 or not: the handler checks); complete with completeInstruction. */
  Vmcall: 6,
  /** Access to a GPA that is unmapped or lacks the right; the instruction did not execute. */
  MemoryAccess: 7,
  /** A fault while delivering #DF. The VP's state is architecturally shut down. */
  TripleFault: 8,
  /** interruptWindowRequested was set and the VP can now take an external interrupt. */
  InterruptWindow: 9,
  /** An exception whose vector is set in exceptionBitmap; not yet delivered. */
  Exception: 10,
} as const
export type ExitReason = (typeof ExitReason)[keyof typeof ExitReason]

export const MemoryAccessType = { Read: 0, Write: 1, Execute: 2 } as const

/** Details of the last exit; one object per CPU, overwritten by each exit. */
export class CpuExit {
  reason: ExitReason = ExitReason.None
  /** Length of the exiting instruction (0 for exits that are not instructions). */
  instructionLength = 0
  /** The exiting instruction's bytes (first instructionLength bytes valid; up to 15). */
  readonly instructionBytes = new Uint8Array(15)
  // IoPort
  port = 0
  accessSize = 0
  isWrite = false
  /** Data written by OUT (zero-extended), or by one element of OUTS. */
  value = 0
  isString = false
  isRep = false
  // MsrRead / MsrWrite (the WRMSR value is EDX:EAX)
  msr = 0
  valueLo = 0
  valueHi = 0
  // Cpuid
  leaf = 0
  subleaf = 0
  // MemoryAccess
  gpa = 0
  gva = 0
  accessType = 0
  // Exception
  vector = 0
  errorCode = 0
  hasErrorCode = false
}

export interface X64Cpu {
  readonly memory: GuestMemory
  readonly exit: CpuExit
  /** Instructions retired since reset (a double; exact up to 2^53). */
  readonly retired: number
  /** Run at most `budget` instructions. */
  run(budget: number): ExitReason

  /** True while the VP is halted (HLT) and waiting for an interrupt. */
  halted: boolean
  /** When set, `run` exits with InterruptWindow as soon as an external interrupt could be taken. */
  interruptWindowRequested: boolean
  /** Vectors (bit n = vector n, n < 32) whose exceptions exit instead of being delivered. */
  exceptionBitmap: number
  /** Time stamp counter source; the VMM installs one per VM clock. */
  readTsc: () => number

  // ---- exit completion
  completeIoIn(value: number): void
  completeIoOut(): void
  completeCpuid(eax: number, ebx: number, ecx: number, edx: number): void
  completeMsrRead(lo: number, hi: number): void
  /** Retire the exiting instruction (WRMSR, VMCALL) by advancing RIP by its length. */
  completeInstruction(): void

  // ---- events
  /** IF set, no STI/MOV SS shadow and no event being delivered. */
  canTakeInterrupt(): boolean
  /** Deliver an external interrupt now through the IDT (caller checked canTakeInterrupt). */
  deliverInterrupt(vector: number): void
  deliverNmi(): void
  /** Deliver an exception now (e.g. #GP for a refused MSR). */
  injectException(vector: number, errorCode?: number): void
  /** Architectural RESET (or INIT when `init`): real mode at F000:FFF0 or the SIPI vector. */
  reset(init?: boolean): void
  /** Enter real mode at vector * 0x1000 as a SIPI does. */
  startupIpi(vector: number): void

  // ---- register access (slow path)
  getReg(r: number): bigint
  setReg(r: number, v: bigint): void
  getRip(): bigint
  setRip(v: bigint): void
  getRflags(): bigint
  setRflags(v: bigint): void
  getSegment(s: number): SegmentRegister
  setSegment(s: number, v: SegmentRegister): void
  getGdtr(): TableRegister
  setGdtr(v: TableRegister): void
  getIdtr(): TableRegister
  setIdtr(v: TableRegister): void
  /** CR0, CR2, CR3, CR4, CR8. */
  getCr(n: number): bigint
  setCr(n: number, v: bigint): void
  getDr(n: number): bigint
  setDr(n: number, v: bigint): void
  getEfer(): bigint
  setEfer(v: bigint): void
  getXcr0(): bigint
  setXcr0(v: bigint): void
  /** Architectural MSRs the CPU owns; undefined when it does not own `index`. */
  readMsr(index: number): bigint | undefined
  /** False when the CPU does not own `index`. Throws nothing; invalid values are the caller's to check with validMsrWrite. */
  writeMsr(index: number, value: bigint): boolean
  /** The 512-byte FXSAVE image of the x87/SSE state. */
  getFxState(): Uint8Array
  setFxState(image: Uint8Array): void

  /** Drop all cached translations and decoded code (after a change of GPA rights). */
  flushCaches(): void

  /**
   * Event-blocking state that is not in any register (HV_X64_INTERRUPT_STATE_REGISTER's
   * InterruptShadow and NmiMasked): the STI / MOV SS shadow over the next instruction and
   * NMI blocking until IRET. For save/restore and WHvRegisterInterruptState. Optional so
   * other X64Cpu implementations (test fakes) keep compiling; the core/x64 CPU has both.
   */
  getInterruptState?(): InterruptState
  setInterruptState?(state: InterruptState): void
}

/** See X64Cpu.getInterruptState. */
export interface InterruptState {
  interruptShadow: boolean
  nmiMasked: boolean
}
