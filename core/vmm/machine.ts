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
  WHvDeletePartition, WHvGetPartitionMemory, WHvGetVirtualProcessorCpu, WHvPartitionPropertyCode, WHvRequestInterrupt,
  WHvRunVirtualProcessor, WHvRunVpExitReason as X, WHvSetPartitionProperty, WHvSetupPartition, WHvMapGpaRange,
  WHvMapGpaRangeFlagExecute, WHvMapGpaRangeFlagRead, WHvMapGpaRangeFlagWrite, type WHvPartition,
} from '../whp'
import type { IoSize } from './io/port-bus'
import { Chipset } from './chipset'
import { loadKernel } from './loaders/load-kernel'
import { ACPI_AREA_BASE, buildAcpiTables } from './acpi/acpi-tables'
import { applyBootState } from './loaders/boot-state'
import { Lifecycle } from './lifecycle'
import type { MachineConfig, MachineControl, MachineEvents, MachineStop, VmState } from './machine-api'
import { createRunClock, TSC_HZ, type RunClock } from './vm-clock'
import { MachineStats } from './machine-stats'
import { defaultRuntime, type MachineRuntime } from './runtime'

/** Instructions per VP per slice: small enough for timely device service, big enough to amortize. */
const SLICE_INSTRUCTIONS = 20_000
/** Host time per turn before yielding to the event loop. */
const TURN_MS = 8

export class Machine implements MachineControl {
  private readonly lifecycle = new Lifecycle()
  private readonly clock: RunClock
  private hv: Hypervisor | null = null
  private partition: WHvPartition | null = null
  private chipset: Chipset | null = null
  private timer: unknown = null
  private stopInfo: MachineStop | null = null
  private resetRequested = false
  readonly stats = new MachineStats()

  constructor(
    private readonly config: MachineConfig,
    private readonly events: MachineEvents,
    private readonly runtime: MachineRuntime = defaultRuntime(),
  ) {
    this.clock = createRunClock(config.clock, runtime)
  }

  get state(): VmState {
    return this.lifecycle.state
  }

  async start(): Promise<void> {
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
    this.deliverInterrupts()
    this.schedule(0)
  }

  sendSerial(port: number, data: Uint8Array): void {
    const uart = this.chipset?.uarts[port]
    if (!uart) return
    uart.receive(data)
    this.deliverInterrupts()
    if (this.state === 'Running') this.schedule(0)
  }

  statsText(): string {
    if (this.partition) this.stats.instructions = this.retiredTotal()
    return this.stats.format()
  }

  // ---- construction

  private build(): void {
    const c = this.config
    if (!Number.isInteger(c.memoryMiB) || c.memoryMiB < 2 || c.memoryMiB > 4096) throw new Error(`memory must be 2..4096 MiB, got ${c.memoryMiB}`)
    if (!Number.isInteger(c.cpus) || c.cpus < 1 || c.cpus > 64) throw new Error(`processor count must be 1..64, got ${c.cpus}`)
    const bytes = c.memoryMiB * 1024 * 1024
    this.hv = new Hypervisor({ createCpu: (mem) => createX64Cpu(mem), nativeCpuid })
    const p = WHvCreatePartition(this.hv)
    WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeProcessorCount, c.cpus)
    WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeMemorySize, bytes)
    WHvSetupPartition(p)
    WHvMapGpaRange(p, null, 0, bytes, WHvMapGpaRangeFlagRead | WHvMapGpaRangeFlagWrite | WHvMapGpaRangeFlagExecute)
    this.partition = p
    const memory: GuestMemory = WHvGetPartitionMemory(p)
    this.chipset = new Chipset(this.clock, memory, { memoryBytes: bytes, cpus: c.cpus, cmdline: c.cmdline }, {
      serialOut: (port, b) => this.serialOut[port].push(...b),
      resetRequest: () => (this.resetRequested = true),
      powerOff: () => this.finish({ kind: 'poweroff', message: 'the guest powered off' }),
      debugExit: (code) => this.finish({ kind: 'debug-exit', exitCode: code, message: `guest exited with status ${code}` }),
      ioApicMessage: (m) => {
        // Until the local APIC (TLFS ch. 13) routes messages, fixed-mode ones go to VP 0.
        if (m.deliveryMode === 0) this.pendingIoApicVectors.push(m.vector)
      },
    })
    for (let i = 0; i < c.cpus; i++) {
      WHvCreateVirtualProcessor(p, i)
      const cpu = WHvGetVirtualProcessorCpu(p, i)
      cpu.readTsc = () => Math.floor((this.clock.now() * TSC_HZ) / 1e9)
    }
    memory.writeBytes(ACPI_AREA_BASE, buildAcpiTables({ cpus: c.cpus }).bytes)
    const boot = loadKernel(memory, this.config.kernel, { initrd: c.initrd, cmdline: c.cmdline, memoryBytes: bytes })
    applyBootState(WHvGetVirtualProcessorCpu(p, 0), boot)
  }

  private readonly pendingIoApicVectors: number[] = []
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
    if (this.partition) this.stats.instructions = this.retiredTotal()
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

  /** Instructions retired by VPs of earlier boots of this machine (before resets). */
  private retiredBeforeReset = 0

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
    this.flushSerial()
  }

  private turnBody(): void {
    if (this.resetRequested) this.doReset()
    const started = this.runtime.nowMs()
    while (this.runtime.nowMs() - started < TURN_MS) {
      const busy = this.runSlice()
      if (this.stopInfo || this.state !== 'Running') return
      this.service()
      if (busy || this.anyVpRunnable()) continue
      // Every VP is halted: sleep (host clock) or jump (virtual clock) to the next device deadline.
      const deadline = this.chipset!.nextDeadline()
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
    for (let i = 0; i < this.config.cpus; i++) if (!WHvGetVirtualProcessorCpu(p, i).halted) return true
    return false
  }

  /** Run every VP for one slice; false when all of them were halted. */
  private runSlice(): boolean {
    const p = this.partition!
    let busy = false
    for (let i = 0; i < this.config.cpus; i++) {
      const cpu = WHvGetVirtualProcessorCpu(p, i)
      if (cpu.halted) continue
      this.clock.beginSlice(() => cpu.retired)
      const endAt = cpu.retired + SLICE_INSTRUCTIONS
      while (cpu.retired < endAt && !this.stopInfo) {
        const exit = WHvRunVirtualProcessor(p, i, endAt - cpu.retired)
        if (!this.handleExit(i, exit.ExitReason)) break
      }
      this.clock.endSlice()
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
        s.msrExits++
        WHvCompleteMsrAccess(p, vp, 0n, true) // no VMM-owned MSRs: #GP
        return true
      case X.WHvRunVpExitReasonX64Halt:
        s.haltExits++
        return false
      case X.WHvRunVpExitReasonX64InterruptWindow:
        this.deliverInterrupts()
        return true
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
    this.chipset!.advanceTo(this.clock.now())
    this.deliverInterrupts()
    if (this.resetRequested) this.doReset()
  }

  private deliverInterrupts(): void {
    const p = this.partition
    const cs = this.chipset
    if (!p || !cs) return
    const cpu = WHvGetVirtualProcessorCpu(p, 0)
    const pending = cs.pic.hasInterrupt() || this.pendingIoApicVectors.length > 0
    if (!pending) return
    if (!cpu.canTakeInterrupt()) {
      cpu.interruptWindowRequested = true
      return
    }
    const vector = this.pendingIoApicVectors.length > 0 ? this.pendingIoApicVectors.shift()! : cs.pic.acknowledge()
    this.stats.interruptsDelivered++
    WHvRequestInterrupt(p, 0, vector)
  }

  private doReset(): void {
    this.resetRequested = false
    this.retiredBeforeReset = this.retiredTotal()
    this.stats.resets++
    this.teardown()
    this.build()
  }
}
