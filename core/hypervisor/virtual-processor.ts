/**
 * A virtual processor (TLFS ch. 10): its `X64Cpu`, the suspend registers (10.3: explicit and
 * intercept suspend, TlbFlushInhibit), wait-for-SIPI, the pending interruption register and
 * the details of the last exit of `runVp` (reused per exit: no allocation on the run path).
 */
import type { X64Cpu } from '../x64/api'
import type { Partition } from './partition'

/** Why `runVp` returned (the hypervisor's side; core/whp maps it onto WHV exit reasons). */
export const VpExitKind = {
  /** The budget ran out, or the VP is not runnable (suspended, waiting for SIPI). */
  None: 0,
  Halt: 1,
  /** I/O port intercept (HvMessageTypeX64IoPortIntercept); the instruction has not executed. */
  IoPort: 2,
  /** MSR intercept (HvMessageTypeX64MsrIntercept); RDMSR/WRMSR not executed. */
  MsrAccess: 3,
  /** CPUID intercept (HvMessageTypeX64CpuidIntercept); default results in `cpuidDefault`. */
  Cpuid: 4,
  /** HvMessageTypeUnmappedGpa or HvMessageTypeGpaIntercept; see `memoryUnmapped`. */
  MemoryAccess: 5,
  /** Exception intercept (HvMessageTypeX64ExceptionIntercept); not delivered. */
  Exception: 6,
  /** HvMessageTypeUnrecoverableException (triple fault). */
  UnrecoverableException: 7,
  InterruptWindow: 8,
  /** The guest wrote 1 to HV_X64_MSR_RESET (6.4): the VMM resets the whole machine. */
  SystemReset: 9,
  /** HvMessageTypeInvalidVpRegisterValue: the registers the parent set form an illegal combination (10.5.4). */
  InvalidVpRegisterValue: 10,
  /** HvMessageTypeUnsupportedFeature (9.1): the VP used a feature that is not virtualized. */
  UnsupportedFeature: 11,
} as const
export type VpExitKind = (typeof VpExitKind)[keyof typeof VpExitKind]

/** HV_MESSAGE_TYPE values of the intercept messages (ch. 16). */
export const HvMessageType = {
  HvMessageTypeNone: 0x00000000,
  HvMessageTypeUnmappedGpa: 0x80000000,
  HvMessageTypeGpaIntercept: 0x80000001,
  HvMessageTypeTimerExpired: 0x80000010,
  HvMessageTypeInvalidVpRegisterValue: 0x80000020,
  HvMessageTypeUnrecoverableException: 0x80000021,
  HvMessageTypeUnsupportedFeature: 0x80000022,
  HvMessageTypeApicEoi: 0x80000030,
  HvMessageTypeFerrAsserted: 0x80000031,
  HvMessageTypeEventLogBuffersComplete: 0x80000040,
  HvMessageTypeX64IoPortIntercept: 0x80010000,
  HvMessageTypeX64MsrIntercept: 0x80010001,
  HvMessageTypeX64CpuidIntercept: 0x80010002,
  HvMessageTypeX64ExceptionIntercept: 0x80010003,
} as const

/** HV_INTERCEPT_SUSPEND_REGISTER bits (10.3). */
export const INTERCEPT_SUSPEND_SUSPENDED = 1
export const INTERCEPT_SUSPEND_TLB_FLUSH_INHIBIT = 2

/**
 * Where a VP's run time comes from (10.3.2: guest plus hypervisor code, in 100 ns units):
 * the nanoseconds `vp` has run since it was created, never decreasing. The VMM supplies one
 * that follows the VM's clock (core/vmm/machine.ts measures each run slice on it).
 */
export type VpRunTimeSource = (vp: VirtualProcessor) => number

/** DECISION: with no VMM to measure slices (a bare Hypervisor), 10 ns per retired instruction (a nominal 100 MIPS). */
export const retiredRunTimeSource: VpRunTimeSource = (vp) => vp.cpu.retired * 10

export class VirtualProcessor {
  /** HvRegisterExplicitSuspend.Suspended: set at creation (10.5 HvCreateVp). */
  explicitSuspend = true
  /** HvRegisterInterceptSuspend bits (Suspended, TlbFlushInhibit). */
  interceptSuspend = 0
  /** APs wait for a SIPI after creation (10.1). */
  waitingForSipi: boolean
  /** HvX64RegisterInitialApicId (10.1). */
  initialApicId: number
  /** HvX64RegisterPendingInterruption (10.4), delivered on the next run. */
  pendingInterruption = 0n
  /** Run time already accounted, in 100 ns units (HV_X64_MSR_VP_RUNTIME). */
  runTimeBase = 0
  /** Added to the source's nanoseconds: rebases it after a restore and carries the sub-100 ns remainder (ch. 17). */
  runTimeOffsetNs = 0
  /** The guest wrote 1 to HV_X64_MSR_RESET; runVp leaves with SystemReset. */
  resetRequested = false
  /** Idle sleep entered through HV_X64_MSR_GUEST_IDLE or a power-state trigger (10.1, 6.2). */
  idleSleep = false
  /** HV_X64_MSR_POWER_STATE_CONFIG_C1..C3 (per LP in the spec; one LP per VP here). */
  readonly powerStateConfig: bigint[] = [0n, 0n, 0n]
  /** HvX64RegisterInterruptState as last set by the parent (the CPU does not expose its shadow). */
  interruptState = 0n
  /** MSR-backed registers the CPU does not own (MTRRs…), by MSR index. */
  readonly msrShadow = new Map<number, bigint>()
  /** YMM upper halves (HvX64RegisterYmmNHigh); the CPU model has no AVX state. */
  readonly ymmHigh = new Uint8Array(16 * 16)
  /** Event counters of appendix J (VPV slots, stats/stats-types.ts VpCounter); incremented on the run path. */
  readonly counters = new Float64Array(64)
  /** HvSetVpRegisters changed a register: the combination is checked when the VP next runs (10.5.4). */
  registersSet = false
  /** IgnNe of HvX64RegisterFpControlStatus (10.4; FXSAVE has no such bit): FERR is ignored while set. */
  ignNe = false
  /** FSW.ES was already reported with HvMessageTypeFerrAsserted (16.5.6); cleared when ES clears. */
  ferrLatched = false
  /** For UnsupportedFeature: HV_UNSUPPORTED_FEATURE_CODE (9.2.4) and its parameter. */
  unsupportedFeatureCode = 0
  unsupportedFeatureParameter = 0
  /** HvNotifyLongSpinWait asked to end this slice so the scheduler can run someone else (18.5.1). */
  yieldRequested = false

  // ---- last exit (overwritten by each runVp)
  exitKind: VpExitKind = VpExitKind.None
  /** HV_MESSAGE_TYPE of the intercept message for this exit (0 when not an intercept). */
  messageType = 0
  /** For MemoryAccess: true for HvMessageTypeUnmappedGpa, false for GpaIntercept. */
  memoryUnmapped = false
  /** For Cpuid: the results the hypervisor would have returned (EAX, EBX, ECX, EDX). */
  readonly cpuidDefault = new Uint32Array(4)

  constructor(
    readonly partition: Partition,
    readonly index: number,
    readonly cpu: X64Cpu,
    private readonly runTimeSource: VpRunTimeSource = retiredRunTimeSource,
  ) {
    this.waitingForSipi = index !== 0
    this.initialApicId = index
  }

  /** True when neither suspend register holds the VP (10.1). */
  get runnable(): boolean {
    return !this.explicitSuspend && (this.interceptSuspend & INTERCEPT_SUSPEND_SUSPENDED) === 0 && !this.waitingForSipi
  }

  /** Nanoseconds of run time since creation as the source reports them, plus the restore offset. */
  get runTimeNs(): number {
    return this.runTimeSource(this) + this.runTimeOffsetNs
  }

  /** HV_X64_MSR_VP_RUNTIME (10.3.2) and the VP page's Total Run Time, in 100 ns units. */
  get runTime(): number {
    return this.runTimeBase + Math.floor(this.runTimeNs / 100)
  }

  /** Restart the run-time count at `units` of 100 ns plus `remainderNs` (restore, ch. 17). */
  setRunTime(units: number, remainderNs: number): void {
    this.runTimeBase = units
    this.runTimeOffsetNs = remainderNs - this.runTimeSource(this)
  }
}
