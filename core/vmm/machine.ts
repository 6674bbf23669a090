/**
 * The root partition's VM worker: one child partition (through core/whp) turned into a PC —
 * chipset, loaded kernel, consoles — and its run loop and lifecycle (issue 4 items 3–4).
 *
 * Run loop: each turn runs every runnable VP for a slice, handles its exits (port I/O goes to
 * the chipset), then services the timed devices and delivers pending interrupts. A turn ends
 * after about SLICE_MS of host time and the loop yields to the event loop (so console input
 * and commands get in); when every VP is halted it sleeps until the next device deadline
 * (host clock) or jumps there (virtual clock). Halted VPs cost nothing.
 */
import { GuestMemory } from '../memory/guest-memory'
import { createX64Cpu } from '../x64'
import { nativeCpuid } from '../x64/cpuid-model'
import { Hypervisor } from '../hypervisor/hypervisor'
import {
  WHvCompleteCpuid, WHvCompleteIoPortAccess, WHvCompleteMsrAccess, WHvCreatePartition, WHvCreateVirtualProcessor,
  WHvDeletePartition, WHvGetPartitionMemory, WHvGetVirtualProcessorCpu, WHvPartitionPropertyCode,
  WHvRunVirtualProcessor, WHvRunVpExitReason as X, WHvSetPartitionProperty, WHvSetupPartition, WHvMapGpaRange,
  WHvMapGpaRangeFlagExecute, WHvMapGpaRangeFlagRead, WHvMapGpaRangeFlagWrite, type WHvPartition,
  WHvSetPartitionClock, WHvSetExtIntSource, WHvRequestApicInterrupt, WHvSetApicEoiCallback, WHvGetNextTimerDeadline,
  WHvAdvancePartitionTime, WHV_EXTENDED_VM_EXIT_X64_MSR,
} from '../whp'
import type { IoSize } from './io/port-bus'
import { Chipset } from './chipset'
import { loadKernel } from './loaders/load-kernel'
import { ACPI_AREA_BASE, buildAcpiTables } from './acpi/acpi-tables'
import { applyBootState } from './loaders/boot-state'
import { Lifecycle } from './lifecycle'
import type { MachineConfig, MachineControl, MachineEvents, MachineStop, VmState } from './machine-api'
import { createRunClock, TSC_HZ, VpRunMeter, type RunClock } from './vm-clock'
import { MachineStats } from './machine-stats'
import { defaultRuntime, type MachineRuntime } from './runtime'
import { WHvRestorePartitionState, WHvSavePartitionState } from '../whp/whp-save-restore'
import { LifecycleError } from './lifecycle'
import { OffsetClock } from './saved-state/offset-clock'
import { decodeMachineImage, encodeMachineImage } from './saved-state/machine-image'
import { encodeMemoryImage, restoreMemoryImage } from './saved-state/memory-image'
import { restoreChipsetState, saveChipsetState } from './saved-state/chipset-state'
import { SavedStateError } from './saved-state/container'
import { RootServices } from './root-services'
import { platformMsrAccess } from './platform-msrs'
import { HvPrivilege } from '../hypervisor/privileges'
import {
  HV_PARTITION_CL_FLUSHSIZE_COMPAT, HV_PARTITION_PROCESSOR_FEATURES_AMD_COMPAT, HV_PARTITION_PROCESSOR_FEATURES_INTEL_COMPAT,
  HvPartitionProperty, HvProcessorVendor,
} from '../hypervisor/partition-properties'
import type { HvEventLogRecord, HvStatsSnapshot, MachineHvServices } from './machine-api'
import type { Partition } from '../hypervisor/partition'
import { HV_STATUS_SUCCESS } from '../hypervisor/hv-status'
import { partitionPolicy } from '../hypervisor/scheduler/partition-policy'
import { NS_PER_INSTRUCTION } from './vm-clock'
import { VpThrottle } from './vp-throttle'
import { VpCounter } from '../hypervisor/stats/stats-types'

/** Instructions per VP per slice: small enough for timely device service, big enough to amortize. */
const SLICE_INSTRUCTIONS = 20_000
/** Host time per turn before yielding to the event loop. */
const TURN_MS = 8

export class Machine implements MachineControl, MachineHvServices {
  private readonly lifecycle = new Lifecycle()
  private readonly clock: RunClock
  /** The same clock, settable to a saved guest time (restore). */
  private readonly offsetClock: OffsetClock
  private hv: Hypervisor | null = null
  private partition: WHvPartition | null = null
  private chipset: Chipset | null = null
  private timer: unknown = null
  private stopInfo: MachineStop | null = null
  private resetRequested = false
  readonly stats = new MachineStats()
  /** The root's use of stats pages, event logs and the debug session (root-services.ts). */
  private readonly root: RootServices

  constructor(
    private readonly config: MachineConfig,
    private readonly events: MachineEvents,
    private readonly runtime: MachineRuntime = defaultRuntime(),
  ) {
    this.clock = this.offsetClock = new OffsetClock(createRunClock(config.clock, runtime))
    this.root = new RootServices({ debug: config.debug ?? true, onDebugData: (b) => this.events.debug?.(b) })
  }

  // ---- hypervisor services as the root uses them (TLFS ch. 19-21)

  hvStats(): HvStatsSnapshot {
    return this.root.stats()
  }

  eventLog(cursor: number, limit = 2000): { entries: HvEventLogRecord[]; cursor: number; lost: number } {
    this.root.flush()
    return { ...this.root.events.since(cursor, limit), lost: this.root.events.lost }
  }

  sendDebug(data: Uint8Array): number {
    const n = this.root.sendDebug(data)
    if (n > 0 && this.state === 'Running') this.schedule(0)
    return n
  }

  get state(): VmState {
    return this.lifecycle.state
  }

  async start(): Promise<void> {
    if (this.config.restoreFrom) return this.restore(this.config.restoreFrom)
    this.lifecycle.transition('Starting')
    try {
      this.build()
    } catch (e) {
      this.teardown()
      this.lifecycle.transition('Off', true)
      throw e
    }
    this.lifecycle.transition('Running')
    this.schedule(0)
  }

  async turnOff(): Promise<void> {
    if (this.state === 'Off') return
    this.finish({ kind: 'turned-off', message: 'turned off' })
  }

  pause(): void {
    this.lifecycle.transition('Paused')
    this.clock.pause()
    this.cancelTimer()
  }

  resume(): void {
    this.lifecycle.transition('Running')
    this.clock.resume()
    this.schedule(0)
  }

  reset(): void {
    if (this.state !== 'Running' && this.state !== 'Paused') throw new Error(`cannot reset a VM that is ${this.state}`)
    this.resetRequested = true
    if (this.state === 'Running') this.schedule(0)
  }

  /** Hyper-V Manager's "Shut Down": press the ACPI power button; the guest decides what to do. */
  shutDown(): void {
    if (this.state !== 'Running') throw new Error(`cannot shut down a VM that is ${this.state}`)
    this.chipset!.acpiPm1.pressPowerButton()
    this.schedule(0)
  }

  sendSerial(port: number, data: Uint8Array): void {
    const uart = this.chipset?.uarts[port]
    if (!uart) return
    uart.receive(data)
    if (this.state === 'Running') this.schedule(0)
  }

  statsText(): string {
    this.refreshStats()
    return this.stats.format()
  }

  /** Counters the machine reads off the VPs: instructions retired, interrupts injected (appendix J Virtual Interrupts). */
  private refreshStats(): void {
    if (!this.partition) return
    this.stats.instructions = this.retiredTotal()
    this.stats.interruptsDelivered = this.interruptsTotal()
  }

  // ---- saved state (core/vmm/saved-state; hypervisor part: TLFS ch. 17)

  /** The VM's saved-state container now, without stopping it (checkpoints). Call between turns. */
  captureSavedState(): Uint8Array {
    if (this.state !== 'Running' && this.state !== 'Paused' && this.state !== 'Saving') throw new LifecycleError(this.state, 'Saving')
    this.flushSerial()
    const p = this.partition!
    const c = this.config
    return encodeMachineImage({
      config: { memoryMiB: c.memoryMiB, cpus: c.cpus, cmdline: c.cmdline, clock: c.clock, onTripleFault: c.onTripleFault },
      kernel: c.kernel,
      initrd: c.initrd,
      hypervisor: WHvSavePartitionState(p),
      memory: encodeMemoryImage(WHvGetPartitionMemory(p)),
      devices: saveChipsetState(this.chipset!),
      machine: {
        clockNs: this.clock.now(), pendingIoApicVectors: [], resetRequested: this.resetRequested,
        retiredBeforeReset: this.retiredTotal(),
      },
    })
  }

  /** Running|Paused → Saving → Saved: the container; the guest is then gone from memory. */
  async save(): Promise<Uint8Array> {
    const from = this.state
    if (from !== 'Running' && from !== 'Paused') throw new LifecycleError(from, 'Saving')
    this.lifecycle.transition('Saving')
    this.cancelTimer()
    let bytes: Uint8Array
    try {
      bytes = this.captureSavedState()
    } catch (e) {
      this.lifecycle.transition(from)
      if (from === 'Running') this.schedule(0)
      throw e
    }
    this.clock.pause()
    this.teardown()
    this.lifecycle.transition('Saved')
    return bytes
  }

  /** Off → Restoring → Running from a container; a bad one throws and the machine stays Off. */
  private async restore(bytes: Uint8Array): Promise<void> {
    if (this.state !== 'Off') throw new LifecycleError(this.state, 'Restoring')
    const img = decodeMachineImage(bytes)
    if (img.config.memoryMiB !== this.config.memoryMiB || img.config.cpus !== this.config.cpus) {
      throw new SavedStateError(`it was saved with ${img.config.memoryMiB} MiB and ${img.config.cpus} processor(s); this VM has ${this.config.memoryMiB} MiB and ${this.config.cpus}`)
    }
    this.lifecycle.transition('Restoring')
    try {
      this.offsetClock.setNow(img.machine.clockNs)
      this.build()
      const p = this.partition!
      restoreMemoryImage(WHvGetPartitionMemory(p), img.memory)
      WHvRestorePartitionState(p, img.hypervisor)
      restoreChipsetState(this.chipset!, img.devices)
      this.resetRequested = img.machine.resetRequested
      this.retiredBeforeReset = img.machine.retiredBeforeReset
    } catch (e) {
      this.teardown()
      this.lifecycle.transition('Off', true)
      throw e
    }
    this.lifecycle.transition('Running')
    this.schedule(0)
  }

  // ---- construction

  private build(): void {
    const c = this.config
    if (!Number.isInteger(c.memoryMiB) || c.memoryMiB < 2 || c.memoryMiB > 4096) throw new Error(`memory must be 2..4096 MiB, got ${c.memoryMiB}`)
    if (!Number.isInteger(c.cpus) || c.cpus < 1 || c.cpus > 64) throw new Error(`processor count must be 1..64, got ${c.cpus}`)
    const bytes = c.memoryMiB * 1024 * 1024
    // Reference time (100 ns units) follows the VM clock, so virtual-clock runs are deterministic and saved states resume it.
    // One LP per VP so the LP stats pages and event-log LP numbers name the VP (VP v runs on LP v).
    // Debugging support (CPUID 0x40000003 EDX bit 1, ch. 20) is advertised when the session is on.
    // VP run time (HV_X64_MSR_VP_RUNTIME, stats pages) is the VM-clock time of the VP's run slices, so a
    // busy VP's run time keeps pace with the reference time and a halted VP's stands still (10.3.2).
    const meter = (this.runMeter = new VpRunMeter(this.clock, c.cpus))
    this.hv = new Hypervisor({
      createCpu: (mem) => createX64Cpu(mem), nativeCpuid, referenceTime: () => Math.floor(this.clock.now() / 100),
      vpRunTime: (vp) => meter.runNs(vp.index),
      logicalProcessorCount: c.cpus, features: { miscFeatures: (c.debug ?? true) ? 0x2 : 0 },
    })
    this.root.prepare(this.hv)
    const p = WHvCreatePartition(this.hv)
    WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeProcessorCount, c.cpus)
    WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeMemorySize, bytes)
    // MSRs neither the CPU nor the hypervisor implements exit to the VMM (platform-msrs.ts).
    WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeExtendedVmExits, WHV_EXTENDED_VM_EXIT_X64_MSR)
    WHvSetupPartition(p)
    // Reference counter, TSC page, APIC and synthetic timers run on the VM's clock (TLFS 15).
    WHvSetPartitionClock(p, { nowNs: () => this.clock.now(), tscHz: TSC_HZ })
    WHvMapGpaRange(p, null, 0, bytes, WHvMapGpaRangeFlagRead | WHvMapGpaRangeFlagWrite | WHvMapGpaRangeFlagExecute)
    this.partition = p
    const memory: GuestMemory = WHvGetPartitionMemory(p)
    this.chipset = new Chipset(this.clock, memory, { memoryBytes: bytes, cpus: c.cpus, cmdline: c.cmdline }, {
      serialOut: (port, b) => this.serialOut[port].push(...b),
      resetRequest: () => (this.resetRequested = true),
      powerOff: () => this.finish({ kind: 'poweroff', message: 'the guest powered off' }),
      debugExit: (code) => this.finish({ kind: 'debug-exit', exitCode: code, message: `guest exited with status ${code}` }),
      ioApicMessage: (m) => {
        WHvRequestApicInterrupt(p, {
          Type: m.deliveryMode, Vector: m.vector, Destination: m.dest,
          LogicalDestination: m.destModeLogical, LevelTriggered: m.levelTriggered,
        })
      },
    })
    const cs = this.chipset
    // The PIC sits behind LINT0 as the ExtINT source (virtual wire mode); level-triggered
    // EOIs go back to the I/O APIC (TLFS 13; apic/VMM-INTEGRATION.md).
    WHvSetExtIntSource(p, { pending: () => cs.pic.hasInterrupt(), acknowledge: () => cs.pic.acknowledge() })
    WHvSetApicEoiCallback(p, (vector) => cs.ioapic.eoi(vector))
    const part = this.hv.partition(p.id)!
    // The PC offers the reference TSC page (15.4) on top of the default child mask (5.2.3,
    // 0x5FF lacks it), so guests can read time without an MSR exit (docs/linux.md).
    this.hv.wrapper().HvSetPartitionProperty(p.id, HvPartitionProperty.HvPartitionPropertyPrivilegeFlags,
      part.privileges | (1n << BigInt(HvPrivilege.AccessPartitionReferenceTsc)))
    this.applyProcessorSettings(p.id, part)
    for (let i = 0; i < c.cpus; i++) {
      WHvCreateVirtualProcessor(p, i)
      const cpu = WHvGetVirtualProcessorCpu(p, i)
      cpu.readTsc = () => Math.floor((this.clock.now() * TSC_HZ) / 1e9)
      if (i > 0) {
        // Application processors wait for INIT/SIPI from the BSP's local APIC.
        part.vp(i)!.waitingForSipi = true
        cpu.halted = true
      }
    }
    this.root.attach(p.id, c.cpus)
    memory.writeBytes(ACPI_AREA_BASE, buildAcpiTables({ cpus: c.cpus }).bytes)
    const boot = loadKernel(memory, this.config.kernel, { initrd: c.initrd, cmdline: c.cmdline, memoryBytes: bytes })
    applyBootState(WHvGetVirtualProcessorCpu(p, 0), boot)
  }

  /** The cap in force in the run loop (null: no VP is capped). */
  private throttle: VpThrottle | null = null

  /**
   * Hyper-V Manager's Processor page, set as a root sets it: HvSetPartitionProperty of
   * CpuCap, CpuReserve, CpuWeight (ch. 18; percent → fraction of one LP, 0x10000 = 100 %) and,
   * in compatibility mode, ProcessorFeatures/XsaveFeatures/CLFlushSize to the vendor's
   * *_COMPATIBILITY_MODE values (5.2.11), which the hypervisor applies to the guest's CPUID.
   */
  private applyProcessorSettings(id: bigint, part: Partition): void {
    const hv = this.hv!
    const proc = this.config.processor
    this.throttle = null
    if (!proc) return
    const fraction = (percent: number): bigint => BigInt(Math.round((percent * 0x10000) / 100))
    // The cap goes first: the hypervisor refuses a reserve above the current cap.
    const writes: Array<[string, number, bigint]> = [
      ['limit', HvPartitionProperty.HvPartitionPropertyCpuCap, fraction(proc.limit)],
      ['reserve', HvPartitionProperty.HvPartitionPropertyCpuReserve, fraction(proc.reserve)],
      ['weight', HvPartitionProperty.HvPartitionPropertyCpuWeight, BigInt(proc.weight)],
    ]
    if (proc.compatibilityMode) {
      const intel = hv.config.processorVendor === HvProcessorVendor.HvProcessorVendorIntel
      const mask = intel ? HV_PARTITION_PROCESSOR_FEATURES_INTEL_COMPAT : HV_PARTITION_PROCESSOR_FEATURES_AMD_COMPAT
      // A child gets at most the root's features (the compatibility set of a CPU that lacks some is smaller still).
      const rootFeatures = hv.readProperty(hv.root, HvPartitionProperty.HvPartitionPropertyProcessorFeatures)
      writes.push(
        ['compatibility mode', HvPartitionProperty.HvPartitionPropertyProcessorFeatures, mask & rootFeatures],
        ['compatibility mode', HvPartitionProperty.HvPartitionPropertyProcessorXsaveFeatures, 0n],
        ['compatibility mode', HvPartitionProperty.HvPartitionPropertyProcessorCLFlushSize, HV_PARTITION_CL_FLUSHSIZE_COMPAT],
      )
    }
    const w = hv.wrapper()
    for (const [what, code, value] of writes) {
      const status = w.HvSetPartitionProperty(id, code, value)
      if (status !== HV_STATUS_SUCCESS) throw new Error(`the hypervisor refused the processor ${what} (HV_STATUS 0x${status.toString(16)})`)
    }
    const policy = partitionPolicy(part)
    if (VpThrottle.needed(policy)) this.throttle = new VpThrottle(policy, this.config.cpus, SLICE_INSTRUCTIONS)
  }

  /** Serial output gathered during a turn and handed to the host in one piece. */
  private readonly serialOut: [number[], number[]] = [[], []]

  private flushSerial(): void {
    for (let port = 0; port < 2; port++) {
      const buf = this.serialOut[port]
      if (buf.length === 0) continue
      this.stats.serialBytesOut += buf.length
      const bytes = Uint8Array.from(buf)
      buf.length = 0
      this.events.serial(port, bytes)
    }
  }

  private teardown(): void {
    this.cancelTimer()
    this.root.detach()
    if (this.partition) {
      try {
        WHvDeletePartition(this.partition)
      } catch {
        /* the partition is gone with the hypervisor instance anyway */
      }
    }
    this.partition = null
    this.chipset = null
    this.hv = null
  }

  private finish(stop: MachineStop): void {
    if (this.stopInfo) return
    this.stopInfo = stop
    this.cancelTimer()
    this.flushSerial()
    if (this.partition && this.state === 'Running') this.events.stopping?.(stop)
    this.refreshStats()
    if (this.state === 'Running' || this.state === 'Paused') this.lifecycle.transition('Stopping')
    this.teardown()
    this.lifecycle.transition('Off', true)
    this.events.stopped(stop)
  }

  // ---- run loop

  private schedule(ms: number): void {
    this.cancelTimer()
    this.timer = this.runtime.setTimer(() => this.turn(), Math.max(0, ms))
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.runtime.clearTimer(this.timer)
    this.timer = null
  }

  /** The VPs' run time on the VM clock, this boot (vm-clock.ts). */
  private runMeter: VpRunMeter | null = null

  /** Instructions retired by VPs of earlier boots of this machine (before resets). */
  private retiredBeforeReset = 0

  /** Interrupts injected into VPs of earlier boots of this machine (before resets). */
  private interruptsBeforeReset = 0

  private interruptsTotal(): number {
    let n = this.interruptsBeforeReset
    const part = this.partition && this.hv?.partition(this.partition.id)
    if (!part) return n
    for (const vp of part.liveVps()) n += vp.counters[VpCounter.VirtualInterrupts]
    return n
  }

  private retiredTotal(): number {
    let n = this.retiredBeforeReset
    const p = this.partition
    if (!p) return 0
    for (let i = 0; i < this.config.cpus; i++) n += WHvGetVirtualProcessorCpu(p, i).retired
    return n
  }

  private turn(): void {
    this.timer = null
    if (this.state !== 'Running' || this.stopInfo) return
    try {
      this.turnBody()
    } catch (e) {
      this.finish({ kind: 'error', message: `emulation error: ${(e as Error).message}` })
      return
    }
    // The host samples this for CPU Usage between turns (core/host/vm-worker.ts).
    this.refreshStats()
    this.flushSerial()
    this.root.pump()
  }

  private turnBody(): void {
    if (this.resetRequested) this.doReset()
    const started = this.runtime.nowMs()
    while (this.runtime.nowMs() - started < TURN_MS) {
      const busy = this.runSlice()
      if (this.stopInfo || this.state !== 'Running') return
      this.service()
      // A VP over its CPU cap (vp-throttle.ts) waits like a halted one, until it has credit again.
      const wake = this.throttle?.wakeAt ?? Infinity
      if (busy || (wake === Infinity && this.anyVpRunnable())) continue
      // Every VP is halted: sleep (host clock) or jump (virtual clock) to the next device deadline.
      const deadline = Math.min(this.chipset!.nextDeadline(), WHvGetNextTimerDeadline(this.partition!), wake)
      if (!Number.isFinite(deadline)) return // nothing but input (sendSerial) can wake the VM
      if (this.clock.kind === 'virtual') {
        this.clock.idleUntil(deadline)
        this.service()
        continue
      }
      this.schedule(Math.max(1, (deadline - this.clock.now()) / 1e6))
      return
    }
    this.schedule(0)
  }

  private anyVpRunnable(): boolean {
    const p = this.partition!
    for (let i = 0; i < this.config.cpus; i++) if (!this.isIdle(i)) return true
    return false
  }

  /**
   * A halted VP stays idle unless an interrupt it can take is pending in its APIC (or the PIC
   * behind LINT0): then HLT ends, as on hardware, and runVp injects it.
   */
  private isIdle(vpIndex: number): boolean {
    const p = this.partition!
    const cpu = WHvGetVirtualProcessorCpu(p, vpIndex)
    if (!cpu.halted) return false
    const vp = this.hv!.partition(p.id)?.vp(vpIndex)
    if (!vp || vp.waitingForSipi || !cpu.canTakeInterrupt()) return true
    if (!this.hv!.interrupts.of(p.id)?.vpState(vp).hasPending()) return true
    cpu.halted = false
    return false
  }

  /** Run every VP for one slice; false when all of them were halted. */
  private runSlice(): boolean {
    const p = this.partition!
    const throttle = this.throttle
    throttle?.beginSlice()
    let busy = false
    for (let i = 0; i < this.config.cpus; i++) {
      const cpu = WHvGetVirtualProcessorCpu(p, i)
      if (this.isIdle(i)) continue
      let budget = SLICE_INSTRUCTIONS
      const startNs = throttle ? this.clock.now() : 0
      if (throttle) {
        // ch. 18 cap: a VP out of credit sits this slice out (the scheduler says until when).
        const allowed = throttle.admit(i, startNs)
        if (allowed === 0) continue
        // On the host clock instructions have no fixed duration: an overrun becomes debt.
        if (this.clock.kind === 'virtual') budget = Math.min(budget, Math.max(1, Math.ceil(allowed / NS_PER_INSTRUCTION)))
      }
      const meter = this.runMeter!
      this.clock.beginSlice(() => cpu.retired)
      meter.begin(i)
      const endAt = cpu.retired + budget
      while (cpu.retired < endAt && !this.stopInfo) {
        const exit = WHvRunVirtualProcessor(p, i, endAt - cpu.retired)
        if (!this.handleExit(i, exit.ExitReason)) break
      }
      meter.end()
      this.clock.endSlice()
      throttle?.charge(i, this.clock.now() - startNs)
      if (!cpu.halted) busy = true
      if (this.stopInfo) return busy
    }
    return busy
  }

  /** Handle one exit; false ends this VP's slice. */
  private handleExit(vp: number, reason: number): boolean {
    const p = this.partition!
    const ctx = p.exits[vp]
    const s = this.stats
    switch (reason) {
      case X.WHvRunVpExitReasonX64IoPortAccess: {
        s.ioExits++
        const size = ctx.AccessSize as IoSize
        if (ctx.IsWrite) {
          this.chipset!.ioWrite(ctx.PortNumber, size, ctx.Data)
          if (!this.stopInfo) WHvCompleteIoPortAccess(p, vp)
        } else {
          WHvCompleteIoPortAccess(p, vp, this.chipset!.ioRead(ctx.PortNumber, size))
        }
        return true
      }
      case X.WHvRunVpExitReasonX64Cpuid: {
        s.cpuidExits++
        const r = ctx.DefaultResult
        WHvCompleteCpuid(p, vp, r[0], r[1], r[2], r[3])
        return true
      }
      case X.WHvRunVpExitReasonX64MsrAccess:
      {
        s.msrExits++
        const r = platformMsrAccess(ctx.MsrNumber)
        WHvCompleteMsrAccess(p, vp, r === 'gp' ? 0n : r, r === 'gp')
        return true
      }
      case X.WHvRunVpExitReasonX64Halt:
        s.haltExits++
        return false
      case X.WHvRunVpExitReasonX64InterruptWindow:
        return true // the hypervisor's APICs inject by themselves (runVp)
      case X.WHvRunVpExitReasonMemoryAccess:
        this.finish({
          kind: 'error',
          message: `guest ${['read', 'wrote', 'executed'][ctx.AccessType] ?? 'accessed'} ${ctx.GpaUnmapped ? 'unmapped' : 'protected'} GPA 0x${ctx.Gpa.toString(16)} (GVA 0x${ctx.Gva.toString(16)})`,
        })
        return false
      case X.WHvRunVpExitReasonUnrecoverableException:
        if (this.config.onTripleFault === 'reset') {
          this.resetRequested = true
          return false
        }
        this.finish({ kind: 'triple-fault', message: `VP ${vp} triple-faulted` })
        return false
      case X.WHvRunVpExitReasonSystemReset:
        this.resetRequested = true
        return false
      case X.WHvRunVpExitReasonException:
        return true
      default:
        return false // budget exhausted / canceled
    }
  }

  /** Fire due device timers and deliver pending external interrupts. */
  private service(): void {
    const now = this.clock.now()
    this.chipset!.advanceTo(now)
    WHvAdvancePartitionTime(this.partition!, now)
    if (this.resetRequested) this.doReset()
  }

  private doReset(): void {
    this.resetRequested = false
    this.retiredBeforeReset = this.retiredTotal()
    this.interruptsBeforeReset = this.interruptsTotal()
    this.stats.resets++
    this.teardown()
    this.build()
  }
}
