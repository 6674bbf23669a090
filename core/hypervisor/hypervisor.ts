/**
 * The one Hypervisor instance that hosts every partition (TLFS 2.0 as a library). The root
 * partition is the host application: it runs no x86 code and calls hypercalls through the
 * wrapper interface (`hv.wrapper()`); child partitions call the same table-driven handlers
 * through VMCALL (native-abi.ts) while `runVp` runs them. This class owns the partition
 * registry, pool costs, the synthetic MSR table, CPUID and the object lifecycles that the
 * handlers trigger.
 */
import { GuestMemory } from '../memory/guest-memory'
import type { X64Cpu } from '../x64/api'
import { createX64Cpu, nativeCpuid } from '../x64'
import { unmapAll } from './calls/gpa-calls'
import { registerCoreMsrs } from './core-msrs'
import { partitionCpuid, type HvCpuidFeatures, type HvVersionInfo, type NativeCpuid } from './cpuid-leaves'
import { maskCpuidFeatures, processorFeaturesFromCpuid, xsaveFeaturesFromCpuid } from './processor-features'
import { ChildGpaSpace, RootGpaSpace } from './gpa-space'
import { HV_STATUS_SUCCESS, type HvStatus } from './hv-status'
import { checkControl, invokeHandler, needsContinuation } from './hypercall-dispatch'
import type { HypercallFrame } from './hypercall-frame'
import type { HypercallControl } from './hypercall-input'
import { writeGuestOsId } from './hypercall-page'
import { Partition, HvPartitionState } from './partition'
import { HvPartitionProperty as P, HvProcessorVendor } from './partition-properties'
import { HV_PRIVILEGE_ALL_DEFINED, HV_PRIVILEGE_CHILD_DEFAULT } from './privileges'
import { SyntheticMsrTable } from './synthetic-msrs'
import { retiredRunTimeSource, VirtualProcessor, type VpRunTimeSource } from './virtual-processor'
import { HvWrapper } from './wrapper'
import { InterruptServices } from './apic/interrupt-services'
import { HvDebugService } from './debug/debug-session'
import { HvEventLog } from './event-log/event-log'
import { HvTraceEvent } from './event-log/event-log-types'
import { HvStatistics } from './stats/statistics'
import { registerStatsMsrs } from './stats/stats-msrs'
import { RootOverlays } from './system/root-overlays'
import { HvSystemProperties } from './system/system-properties'

/** Pool pages drawn per operation (DECISION 7.1). */
export interface PoolCosts {
  createPartition: number
  initializePartition: number
  createVp: number
  cpuidIntercept: number
  /** Per 2 MiB region of a child's GPA space first mapped (its page table; 7.1 "configurable", default 0). */
  gpaPageTable: number
  /** Per page of VirtualTlbPageCount raised above its current value (5.2; default 0). */
  virtualTlbPage: number
}

/** Implementation limits: reaching one answers HV_STATUS_NO_RESOURCES (5.8, 10.5, 14.9). */
export interface HvLimits {
  /** Partitions that may exist at once, the root included. */
  maxPartitions: number
  /** VPs that may exist at once over all partitions. */
  maxTotalVps: number
  /** Ports per partition, and connections per partition. */
  maxPortsPerPartition: number
}

export interface HypervisorOptions {
  /** Builds the "silicon" of a new VP over the partition's memory (default: createX64Cpu of core/x64). */
  createCpu?: (memory: GuestMemory, vpIndex: number) => X64Cpu
  /** Native CPUID leaves (default: nativeCpuid of core/x64/cpuid-model). */
  nativeCpuid?: NativeCpuid
  /** Size of the root's SPA/GPA space in pages (default 2^22 = 16 GiB). */
  rootPageCount?: number
  maxPartitionDepth?: number
  maxVpsPerPartition?: number
  logicalProcessorCount?: number
  /** GPA space of a child initialized without attached memory (default 1 MiB). */
  defaultGpaSpaceBytes?: number
  processorVendor?: number
  /** Root values of the processor feature properties (5.6). */
  processorFeatures?: bigint
  processorXsaveFeatures?: bigint
  processorClFlushSize?: bigint
  version?: Partial<HvVersionInfo>
  features?: Partial<HvCpuidFeatures>
  costs?: Partial<PoolCosts>
  limits?: Partial<HvLimits>
  /** Global reference time in 100 ns units (default: wall clock since construction). */
  referenceTime?: () => number
  /**
   * Nanoseconds each VP has run (guest and hypervisor code, 10.3.2): HV_X64_MSR_VP_RUNTIME and
   * the run times of the stats pages derive from it. A VMM passes one on the VM's clock so run
   * time and reference time agree (default: 10 ns per retired instruction, `retiredRunTimeSource`).
   */
  vpRunTime?: VpRunTimeSource
  /** Test knob (4.6): HvFinalizePartition passes through Finalizing with one continuation. */
  finalizeContinues?: boolean
  /** Test knob (4.6): most reps per invocation for native rep calls. */
  maxRepsPerInvocation?: number
}

export interface HypervisorConfig {
  readonly maxPartitionDepth: number
  readonly maxVpsPerPartition: number
  readonly logicalProcessorCount: number
  readonly defaultGpaSpaceBytes: number
  readonly processorVendor: number
  readonly costs: PoolCosts
  readonly limits: HvLimits
  readonly version: HvVersionInfo
  readonly features: HvCpuidFeatures
  finalizeContinues: boolean
  maxRepsPerInvocation: number
}

const ROOT_ID = 1n

export class Hypervisor {
  readonly config: HypervisorConfig
  readonly partitions = new Map<bigint, Partition>()
  readonly root: Partition
  readonly msrs = new SyntheticMsrTable()
  /** Virtual APICs, SynIC, ports and timers (ch. 13-15); the VMM's interrupt and time API. */
  readonly interrupts: InterruptServices
  parkedLogicalProcessors = 0n
  private nextId = ROOT_ID + 1n
  private readonly attached = new Map<bigint, GuestMemory>()
  private readonly createCpu: (memory: GuestMemory, vpIndex: number) => X64Cpu
  private readonly native: NativeCpuid
  private readonly rootProps: { features: bigint; xsave: bigint; clflush: bigint }
  readonly referenceTime: () => number
  private readonly vpRunTime: VpRunTimeSource
  // Scratch blocks for wrapper and native calls (64 KiB holds the largest 4095-rep list).
  private readonly scratchIn = new DataView(new ArrayBuffer(0x10000))
  private readonly scratchOut = new DataView(new ArrayBuffer(0x10000))
  private readonly ctl: HypercallControl = { code: 0, fast: false, repCount: 0, repStart: 0, reservedBitsSet: false }
  private readonly frame: HypercallFrame
  /** Overlay pages (stats, event-log buffers) in the root's notional GPA space (ch. 19, 21). */
  readonly rootOverlays: RootOverlays
  /** Statistics (ch. 21, appendix J). */
  readonly stats: HvStatistics
  /** Event logging (ch. 19, appendix I). */
  readonly eventLog: HvEventLog
  /** Guest debug sessions (ch. 20). */
  readonly debug: HvDebugService
  /** System properties (ch. 23). */
  readonly system = new HvSystemProperties()

  constructor(opts: HypervisorOptions = {}) {
    this.createCpu = opts.createCpu ?? ((memory) => createX64Cpu(memory))
    this.native = opts.nativeCpuid ?? nativeCpuid
    const start = Date.now()
    this.referenceTime = opts.referenceTime ?? (() => (Date.now() - start) * 10000)
    this.vpRunTime = opts.vpRunTime ?? retiredRunTimeSource
    const maxVps = opts.maxVpsPerPartition ?? 64
    const lps = opts.logicalProcessorCount ?? 1
    this.config = {
      maxPartitionDepth: opts.maxPartitionDepth ?? 2,
      maxVpsPerPartition: maxVps,
      logicalProcessorCount: lps,
      defaultGpaSpaceBytes: opts.defaultGpaSpaceBytes ?? 0x100000,
      processorVendor: opts.processorVendor ?? HvProcessorVendor.HvProcessorVendorIntel,
      costs: { createPartition: 1, initializePartition: 4, createVp: 1, cpuidIntercept: 1, gpaPageTable: 0, virtualTlbPage: 0, ...opts.costs },
      limits: { maxPartitions: 1024, maxTotalVps: 4096, maxPortsPerPartition: 4096, ...opts.limits },
      version: { build: 6002, major: 6, minor: 0, servicePack: 2, serviceBranch: 0, serviceNumber: 0, ...opts.version },
      features: {
        maxPowerState: 0, miscFeatures: 0, recommendations: 0, spinlockRetries: 0xffffffff,
        maxVps, maxLps: lps, hardwareFeatures: 0, ...opts.features,
      },
      finalizeContinues: opts.finalizeContinues ?? false,
      maxRepsPerInvocation: opts.maxRepsPerInvocation ?? Infinity,
    }
    this.rootProps = {
      // The root reports what the silicon has (5.2.11); children inherit it unless de-featured.
      features: opts.processorFeatures ?? processorFeaturesFromCpuid(this.native),
      xsave: opts.processorXsaveFeatures ?? xsaveFeaturesFromCpuid(this.native),
      clflush: opts.processorClFlushSize ?? 8n,
    }
    registerCoreMsrs(this.msrs)
    this.interrupts = new InterruptServices(this)
    this.rootOverlays = new RootOverlays(opts.rootPageCount ?? 1 << 22)
    this.stats = new HvStatistics(this)
    this.eventLog = new HvEventLog(this)
    this.debug = new HvDebugService(this)
    registerStatsMsrs(this)
    this.root = new Partition(ROOT_ID, null, 0n, HV_PRIVILEGE_ALL_DEFINED, new RootGpaSpace(opts.rootPageCount ?? 1 << 22))
    this.root.state = HvPartitionState.Active
    this.partitions.set(ROOT_ID, this.root)
    this.frame = {
      hv: this, caller: this.root, callerVp: null, input: this.scratchIn, output: this.scratchOut, fast: false,
      repStart: 0, repCount: 0, repLimit: 0, repsCompleted: 0, continueCall: false,
    }
  }

  /** The wrapper interface as seen by `partition` (the root unless given). */
  wrapper(partition: Partition = this.root): HvWrapper {
    return new HvWrapper(this, partition)
  }

  /**
   * Host extension (not a hypercall): the RAM a child will get as its GPA space when it is
   * initialized. Must be called while the child is Uninitialized.
   */
  attachGuestMemory(partitionId: bigint, memory: GuestMemory): boolean {
    const p = this.partitions.get(partitionId)
    if (!p || p.isRoot || p.state !== HvPartitionState.Uninitialized) return false
    this.attached.set(partitionId, memory)
    return true
  }

  partition(id: bigint): Partition | undefined {
    return this.partitions.get(id)
  }

  // ---------------------------------------------------------------- dispatch

  /**
   * Dispatch a hypercall from `caller` whose input block is already in `input()` (wrapper path:
   * no GPAs). Continuations are followed to the end. Output is read from `output()`.
   */
  callFromHost(caller: Partition, code: number, opts: { fast?: boolean; repCount?: number; repStart?: number }): { status: HvStatus; repsCompleted: number } {
    const ctl = this.ctl
    ctl.code = code
    ctl.fast = opts.fast ?? false
    ctl.repCount = opts.repCount ?? 0
    ctl.repStart = opts.repStart ?? 0
    ctl.reservedBitsSet = ctl.repCount > 0xfff || ctl.repStart > 0xfff
    const def = checkControl(ctl)
    if (typeof def === 'number') return { status: def, repsCompleted: 0 }
    const f = this.beginFrame(caller, null, ctl)
    for (;;) {
      const status = invokeHandler(def, f, Infinity)
      if (!needsContinuation(def, f, status)) return { status, repsCompleted: f.repsCompleted }
      f.repStart = f.repsCompleted
    }
  }

  /** Prepare the shared frame for a call (used by the native ABI too). */
  beginFrame(caller: Partition, vp: VirtualProcessor | null, ctl: HypercallControl): HypercallFrame {
    const f = this.frame
    f.caller = caller
    f.callerVp = vp
    f.fast = ctl.fast
    f.repStart = ctl.repStart
    f.repCount = ctl.repCount
    return f
  }

  input(): DataView {
    return this.scratchIn
  }
  output(): DataView {
    return this.scratchOut
  }

  // ---------------------------------------------------------------- lifecycle used by handlers

  newChildPartition(parent: Partition, flags: bigint): Partition {
    const id = this.nextId++
    const child = new Partition(id, parent, flags, HV_PRIVILEGE_CHILD_DEFAULT, null)
    child.maxRepsPerInvocation = this.config.maxRepsPerInvocation
    const rootFeatures = this.readProperty(parent, P.HvPartitionPropertyProcessorFeatures)
    child.properties.set(P.HvPartitionPropertyProcessorFeatures, rootFeatures)
    child.properties.set(P.HvPartitionPropertyProcessorXsaveFeatures, this.readProperty(parent, P.HvPartitionPropertyProcessorXsaveFeatures))
    child.properties.set(P.HvPartitionPropertyProcessorCLFlushSize, this.readProperty(parent, P.HvPartitionPropertyProcessorCLFlushSize))
    parent.children.push(child)
    this.partitions.set(id, child)
    this.eventLog.lifecycle(HvTraceEvent.HV_TR_OB_CREATE_PARTITION, id, null, HV_STATUS_SUCCESS)
    return child
  }

  activatePartition(p: Partition): void {
    const memory = this.attached.get(p.id) ?? new GuestMemory(this.config.defaultGpaSpaceBytes, 0)
    this.attached.delete(p.id)
    p.space = new ChildGpaSpace(memory)
    p.state = HvPartitionState.Active
  }

  finalizePartition(p: Partition): void {
    for (const vp of p.liveVps()) this.deleteVpObject(vp)
    p.intercepts.clear()
    writeGuestOsId(p, 0n) // removes the hypercall overlay
    p.hypercallMsr = 0n
    unmapAll(p)
    for (const feature of p.features.values()) feature.onFinalize?.()
    this.stats.onPartitionFinalized(p)
    this.debug.discard(p)
    p.pagesInUse = 0 // 5.8.3: every structure's memory returns to the pool
    p.state = HvPartitionState.Finalized
  }

  deletePartition(p: Partition): void {
    const parent = p.parent!
    parent.release(this.config.costs.createPartition)
    parent.children.splice(parent.children.indexOf(p), 1)
    this.partitions.delete(p.id)
    this.stats.onPartitionDeleted(p)
    this.debug.discard(p)
    this.eventLog.lifecycle(HvTraceEvent.HV_TR_OB_DELETE_PARTITION, p.id, null, HV_STATUS_SUCCESS)
  }

  readProperty(p: Partition, code: number): bigint {
    switch (code) {
      case P.HvPartitionPropertyPrivilegeFlags: return p.privileges
      case P.HvPartitionPropertyProcessorVendor: return BigInt(this.config.processorVendor)
      case P.HvPartitionPropertyProcessorFeatures: if (p.isRoot) return this.rootProps.features; break
      case P.HvPartitionPropertyProcessorXsaveFeatures: if (p.isRoot) return this.rootProps.xsave; break
      case P.HvPartitionPropertyProcessorCLFlushSize: if (p.isRoot) return this.rootProps.clflush; break
    }
    return p.properties.get(code) ?? 0n
  }

  createVpObject(p: Partition, index: number): VirtualProcessor {
    const cpu = this.createCpu(p.memory!, index)
    const vp = new VirtualProcessor(p, index, cpu, this.vpRunTime)
    cpu.exceptionBitmap = p.intercepts.exceptionBitmap()
    // 10.1: only the BSP has IA32_APIC_BASE.BSP set.
    const apicBase = cpu.readMsr(0x1b)
    if (apicBase !== undefined) cpu.writeMsr(0x1b, index === 0 ? apicBase | 0x100n : apicBase & ~0x100n)
    else vp.msrShadow.set(0x1b, 0xfee00800n | (index === 0 ? 0x100n : 0n))
    while (p.vps.length <= index) p.vps.push(undefined)
    p.vps[index] = vp
    for (const feature of p.features.values()) feature.onVpCreated?.(vp)
    this.eventLog.lifecycle(HvTraceEvent.HV_TR_VP_CREATE_VP, p.id, index, HV_STATUS_SUCCESS)
    return vp
  }

  deleteVpObject(vp: VirtualProcessor): void {
    const p = vp.partition
    for (const feature of p.features.values()) feature.onVpDeleted?.(vp)
    p.vps[vp.index] = undefined
    this.stats.onVpDeleted(vp)
    this.eventLog.lifecycle(HvTraceEvent.HV_TR_VP_DELETE_VP, p.id, vp.index, HV_STATUS_SUCCESS)
  }

  syncExceptionBitmap(p: Partition): void {
    const bitmap = p.intercepts.exceptionBitmap()
    for (const vp of p.liveVps()) vp.cpu.exceptionBitmap = bitmap
  }

  /** Run time of logical processor `lp` (6.3.3, 100 ns units): the run times of the VPs it runs (stats.lpOf). */
  logicalProcessorRunTime(lp: number): number {
    let t = 0
    for (const p of this.partitions.values()) for (const vp of p.liveVps()) if (this.stats.lpOf(vp) === lp) t += vp.runTime
    return t
  }

  /** CPUID as partition `vp.partition` sees it. */
  cpuid(vp: VirtualProcessor, leaf: number, subleaf: number, out: Uint32Array): void {
    partitionCpuid(vp.partition, leaf, subleaf, out, this.native, this.config.version, this.config.features)
    if (leaf >>> 0 === 1 || leaf >>> 0 === 0x80000001) {
      // 5.2.11: the partition's ProcessorFeatures / ProcessorXsaveFeatures de-feature its CPUID.
      const props = vp.partition.properties
      maskCpuidFeatures(leaf >>> 0, out, Number(props.get(P.HvPartitionPropertyProcessorFeatures) ?? 0xffffn),
        Number(props.get(P.HvPartitionPropertyProcessorXsaveFeatures) ?? 7n))
    }
    this.interrupts.adjustCpuid(vp, leaf, out)
  }

  /** Success check helper for host code. */
  static ok(status: HvStatus): boolean {
    return status === HV_STATUS_SUCCESS
  }
}
