/**
 * `hv.interrupts`: the host-facing and run-loop-facing API of chapters 13-15. The VMM
 * (through core/whp) installs a guest clock per partition, asserts Fixed/NMI/ExtINT/INIT/
 * SIPI interrupts by APIC destination, plugs its PIC in as the LINT0 ExtINT source and its
 * I/O APIC as the level-triggered EOI listener, sleeps to `nextDeadline` and calls
 * `advanceTo`. `runVp` calls `beforeRun` / `onInterruptWindow` / `onHalt` so interrupts are
 * injected at instruction boundaries. The root reads its port messages with `rootMessages`.
 */
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import type { VirtualProcessor } from '../virtual-processor'
import type { HvMessage } from '../synic/message-layout'
import type { GuestClock } from '../timers/reference-time'
import { portsOf } from '../ports/port-table'
import { pmTimerRead } from '../timers/timer-assists'
import { registerInterruptMsrs } from './interrupt-msrs'
import { trackHypervisor } from './interrupt-save'
import { interruptsOf, type ExtIntSource, type InterruptRequest, type PartitionInterrupts } from './partition-interrupts'

const CPUID1_EDX_APIC = 1 << 9
const CPUID1_ECX_X2APIC = 1 << 21
const CPUID1_ECX_TSC_DEADLINE = 1 << 24

export class InterruptServices {
  /** The VP whose `cpu.run` is executing (set by runVp): APIC MMIO faults are raised only inside it. */
  cpuRunning: VirtualProcessor | null = null

  constructor(private readonly hv: Hypervisor) {
    registerInterruptMsrs(hv)
    trackHypervisor(hv) // saved-state sections (17.1.5) find this instance's partitions
  }

  /** The partition's interrupt state (created on first use); undefined for unknown ids. */
  of(partition: bigint | Partition): PartitionInterrupts | undefined {
    const p = typeof partition === 'bigint' ? this.hv.partition(partition) : partition
    return p && p.memory ? interruptsOf(this.hv, p) : undefined
  }

  private must(partition: bigint): PartitionInterrupts {
    const s = this.of(partition)
    if (!s) throw new RangeError(`partition ${partition} has no interrupt state (not an active child)`)
    return s
  }

  /** Guest time source of a partition (deterministic under the VMM's virtual clock). */
  setClock(partition: bigint, clock: GuestClock): void {
    this.must(partition).setClock(clock)
  }

  /** Earliest APIC / synthetic timer deadline in guest ns (Infinity: none). */
  nextDeadline(partition: bigint): number {
    return this.of(partition)?.nextDeadlineNs() ?? Infinity
  }

  /** Fire timers due at `nowNs` and inject into VPs that are not running. */
  advanceTo(partition: bigint, nowNs: number): void {
    this.of(partition)?.advanceTo(nowNs)
  }

  /** Assert an interrupt into the APICs (WHvRequestInterrupt); returns how many APICs it reached. */
  requestInterrupt(partition: bigint, r: InterruptRequest): number {
    return this.must(partition).request(r)
  }

  /** The VMM's PIC behind LINT0 of the BSP (virtual wire). */
  setExtIntSource(partition: bigint, source: ExtIntSource | null): void {
    this.must(partition).extIntSource = source
  }

  /** Called with (vector, vpIndex) when a level-triggered interrupt is EOI'd (I/O APIC EOI broadcast). */
  setEoiHandler(partition: bigint, handler: ((vector: number, vpIndex: number) => void) | null): void {
    this.must(partition).eoiHandler = handler
  }

  /** Called with the VP index when a VP asserts FERR# (16.5.6: x87 error with CR0.NE = 0 and IgnNe = 0). */
  setFerrHandler(partition: bigint, handler: ((vpIndex: number) => void) | null): void {
    this.must(partition).ferrHandler = handler
  }

  /** Messages posted to the root's ports on `sint` since the last call (frees their buffers). */
  rootMessages(sint: number): HvMessage[] {
    return portsOf(this.hv.root).root.take(sint & 15)
  }

  /** Event flags signalled to the root's ports on `sint` since the last call (cleared). */
  rootEvents(sint: number): number[] {
    return portsOf(this.hv.root).root.takeEvents(sint & 15)
  }

  /**
   * The bytes of the monitor page behind port `portId` of `partition` (14.2): how the root,
   * which has no GPA space to map it in, reads and writes a page it shares with a child.
   */
  monitorPage(partition: bigint, portId: number): Uint8Array | null {
    const p = this.hv.partition(partition)
    return (p && portsOf(p).ports.get(portId)?.monitor?.bytes) ?? null
  }

  /** Service the monitor pages `partition` originates now (the root has no run slices to poll in). */
  pollMonitors(partition: bigint): void {
    const p = this.hv.partition(partition)
    if (p) portsOf(p).monitors?.poll()
  }

  // ---------------------------------------------------------------- run-loop hooks

  /** Before running `vp`: fire due timers, mark it current, inject what can be injected. */
  beforeRun(vp: VirtualProcessor): void {
    const pi = this.of(vp.partition)
    if (!pi) return
    pi.currentVp = vp
    pi.advanceTo(pi.time.clock.nowNs())
    const s = pi.vpState(vp)
    if (s.hasPending()) s.deliver()
  }

  /** InterruptWindow exit: true when an APIC interrupt was injected (runVp continues). */
  onInterruptWindow(vp: VirtualProcessor): boolean {
    const pi = this.of(vp.partition)
    if (!pi) return false
    const s = pi.vpState(vp)
    if (!s.hasPending()) return false
    vp.cpu.interruptWindowRequested = false
    return s.deliver()
  }

  /** PM timer assist (partition property 0x30002): the value for the IN that exited, or -1 when not covered. */
  pmTimerIn(vp: VirtualProcessor): number {
    const e = vp.cpu.exit
    if (e.isWrite || !vp.partition.properties.has(0x00030002)) return -1
    const pi = this.of(vp.partition)
    return pi ? pmTimerRead(vp.partition, e.port, e.accessSize, e.isString, pi.time.now100ns()) : -1
  }

  /** HLT: true when an interrupt woke the VP at once (runVp continues). */
  onHalt(vp: VirtualProcessor): boolean {
    const pi = this.of(vp.partition)
    if (!pi) return false
    pi.advanceTo(pi.time.clock.nowNs())
    const s = pi.vpState(vp)
    return s.hasPending() && s.deliver()
  }

  /**
   * CPUID adjustments of the APIC (leaf 1: APIC present, x2APIC (x2apic-msrs.ts) and
   * TSC-deadline timer mode (IA32_TSC_DEADLINE), initial APIC id; leaf 0xB x2APIC id).
   */
  adjustCpuid(vp: VirtualProcessor, leaf: number, out: Uint32Array): void {
    if (leaf >>> 0 === 0xb && out[0] | out[1]) out[3] = vp.initialApicId >>> 0
    if (leaf >>> 0 !== 1) return
    out[2] = (out[2] | CPUID1_ECX_X2APIC | CPUID1_ECX_TSC_DEADLINE) >>> 0
    out[3] = (out[3] | CPUID1_EDX_APIC) >>> 0
    out[1] = ((out[1] & 0x00ffffff) | ((vp.initialApicId & 0xff) << 24)) >>> 0
  }
}
