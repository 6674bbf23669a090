/**
 * A partition's interrupt and time state (TLFS 13-15), hung on `partition.features`: the
 * per-VP `VpInterrupts`, IPI and external-interrupt routing by APIC destination (13.3),
 * the xAPIC MMIO page dispatched to the VP that is running, ExtINT (the VMM's PIC through
 * LINT0, or HvAssertVirtualInterrupt's ExtInt slot), the EOI broadcast hook for
 * level-triggered interrupts (13.4), the reference time / TSC page and the timer
 * deadlines the VMM's run loop sleeps to (`nextDeadlineNs` / `advanceTo`).
 */
import { PAGE_SIZE } from '../../memory/guest-memory'
import { gp } from '../../x64/faults'
import type { Hypervisor } from '../hypervisor'
import type { Partition, PartitionFeature } from '../partition'
import type { VirtualProcessor } from '../virtual-processor'
import { OverlayPage, type OverlayRegistry } from '../synic/overlay-page'
import { ReferenceTime, type GuestClock } from '../timers/reference-time'
import { EmulatedTimer } from '../timers/timer-assists'
import { APIC_BASE_DEFAULT, DeliveryMode as D, ICR_DEST_LOGICAL, ICR_LEVEL_ASSERT, ICR_TRIGGER_LEVEL, Shorthand } from './apic-registers'
import type { ApicHost, LocalApic } from './local-apic'
import { VpInterrupts } from './vp-interrupts'
import { deliverApicEoiToParent } from '../synic/intercept-messages'

export const PARTITION_INTERRUPTS = 'interrupts'

/** The VMM's legacy PIC as seen through LINT0 (ExtINT): INTR line and INTA cycle. */
export interface ExtIntSource {
  pending(): boolean
  acknowledge(): number
}

/** A request as WHvRequestInterrupt / HvAssertVirtualInterrupt describe it (13.3). */
export interface InterruptRequest {
  type: number
  vector: number
  /** APIC id (physical) or logical destination; 0xFF = broadcast in physical mode. */
  destination: number
  logical?: boolean
  level?: boolean
}

const DEFAULT_TSC_HZ = 1_000_000_000

export class PartitionInterrupts implements PartitionFeature {
  readonly overlays: OverlayRegistry = new Map()
  readonly time: ReferenceTime
  readonly tscPage: OverlayPage | null
  private readonly vps: Array<VpInterrupts | undefined> = []
  /** The VP whose instructions are executing (MMIO of the APIC page goes to its APIC). */
  currentVp: VirtualProcessor | null = null
  extIntSource: ExtIntSource | null = null
  /** HvAssertVirtualInterrupt ExtInt slot: vector asserted (-1 none) and acknowledged state (13.3). */
  assertedExtInt = -1
  extIntAcknowledged = false
  /** Level-triggered fixed assertions per "vp:vector" (withdrawn by VECTOR_NONE or cleared at EOI). */
  readonly levelAssertions = new Map<number, number>()
  /** VMM hook: a level-triggered vector was EOI'd (I/O APIC EOI broadcast / HvMessageTypeApicEoi). */
  eoiHandler: ((vector: number, vpIndex: number) => void) | null = null
  /** VMM hook: a VP asserted FERR# (16.5.6, CR0.NE = 0; the PC routes it to IRQ 13). A non-root parent gets a message instead. */
  ferrHandler: ((vpIndex: number) => void) | null = null
  /** Other modules' per-advance work (monitor page polling) and the guest-ns deadline it needs next. */
  readonly pollers: Array<{ poll(nowNs: number): void; nextNs(nowNs: number): number }> = []
  private mmioBase = -1
  private readonly host: ApicHost
  /** The periodic timer assist (partition properties 0x30000/0x30001). */
  readonly emulatedTimer: EmulatedTimer

  constructor(readonly hv: Hypervisor, readonly partition: Partition) {
    const fallback: GuestClock = { nowNs: () => hv.referenceTime() * 100, tscHz: DEFAULT_TSC_HZ }
    this.time = new ReferenceTime(fallback, partition)
    const memory = partition.memory
    this.tscPage = memory ? new OverlayPage(memory, this.overlays, 'reference TSC page') : null
    const self = this
    this.host = {
      nowNs: () => self.time.clock.nowNs(),
      tscToNs: (tsc) => (tsc * 1e9) / self.time.clock.tscHz,
      sendIpi: (src, icrLo, dest) => self.routeIpi(src, icrLo, dest),
      eoi: (src, vector, level) => self.onEoi(src, vector, level),
      kick: (src) => self.kick(src),
    }
    if (memory) this.mapApicPage(APIC_BASE_DEFAULT)
    this.emulatedTimer = new EmulatedTimer(partition, {
      send: (mode, vector, mda, logical) => this.dispatch(this.targets(mda, logical, 0xff), mode, vector, false),
    })
  }

  // ---------------------------------------------------------------- VPs

  vpState(vp: VirtualProcessor): VpInterrupts {
    let s = this.vps[vp.index]
    if (!s || s.vp !== vp) {
      s = new VpInterrupts(vp, this, this.host)
      this.vps[vp.index] = s
    }
    return s
  }

  /** Live VP states in index order (created on demand). */
  all(): VpInterrupts[] {
    return this.partition.liveVps().map((vp) => this.vpState(vp))
  }

  private ofApic(apic: LocalApic): VpInterrupts | undefined {
    for (const s of this.vps) if (s && s.apic === apic) return s
    return undefined
  }

  onVpDeleted(vp: VirtualProcessor): void {
    const s = this.vps[vp.index]
    if (s && s.vp === vp) {
      s.synic.reset()
      s.assist.place(-1)
      this.vps[vp.index] = undefined
    }
  }

  onFinalize(): void {
    for (const vp of this.partition.liveVps()) this.onVpDeleted(vp)
    this.tscPage?.place(-1)
    this.unmapApicPage()
  }

  // ---------------------------------------------------------------- APIC MMIO

  mapApicPage(base: number): void {
    const memory = this.partition.memory
    if (!memory || base === this.mmioBase) return
    this.unmapApicPage()
    try {
      memory.addMmio('local-apic', base, PAGE_SIZE, {
        read: (offset, size) => this.mmioRead(offset, size),
        write: (offset, size, value) => this.mmioWrite(offset, size, value),
      })
      this.mmioBase = base
    } catch {
      this.mmioBase = -1 // another device owns that range: the APIC is reachable through MSRs only
    }
  }

  private unmapApicPage(): void {
    if (this.mmioBase >= 0) this.partition.memory?.removeMmio('local-apic')
    this.mmioBase = -1
  }

  private mmioApic(): VpInterrupts | null {
    const vp = this.currentVp ?? this.partition.vp(0) ?? null
    if (!vp || vp.partition !== this.partition) return null
    const s = this.vpState(vp)
    return s.apicHardwareEnabled && !s.apic.x2apic ? s : null
  }

  /**
   * 13.2: only dword accesses to 16-byte-aligned registers are legal; a misaligned or
   * non-dword access by the guest's CPU raises #GP. Other callers (HvReadGpa/HvWriteGpa
   * byte accesses) get reads of 0 and dropped writes, since they have no guest context.
   */
  private illegalMmio(s: VpInterrupts, offset: number, size: number): boolean {
    if ((offset & 0xf) === 0 && size === 4) return false
    if (this.hv.interrupts.cpuRunning === s.vp) gp(0) // unwinds the instruction inside cpu.run
    return true
  }

  private mmioRead(offset: number, size: number): number {
    const s = this.mmioApic()
    if (!s) return 0xffffffff
    if (this.illegalMmio(s, offset, size)) return 0
    s.checkLazyEoi()
    return s.apic.read(offset)
  }

  private mmioWrite(offset: number, size: number, value: number): void {
    const s = this.mmioApic()
    if (!s || this.illegalMmio(s, offset, size)) return
    s.checkLazyEoi()
    s.apic.write(offset, value)
  }

  // ---------------------------------------------------------------- routing

  /** VP states selected by a destination (physical id, 0xFF broadcast, or logical). */
  targets(destination: number, logical: boolean, broadcastId: number): VpInterrupts[] {
    const all = this.all()
    if (logical) return all.filter((s) => s.apic.matchesLogical(destination))
    if (destination === broadcastId) return all
    return all.filter((s) => s.apic.id === destination)
  }

  private routeIpi(src: LocalApic, icrLo: number, destination: number): void {
    const sender = this.ofApic(src)
    const all = this.all()
    let set: VpInterrupts[]
    switch ((icrLo >>> 18) & 3) {
      case Shorthand.Self: set = sender ? [sender] : []; break
      case Shorthand.AllIncludingSelf: set = all; break
      case Shorthand.AllExcludingSelf: set = all.filter((s) => s !== sender); break
      default: set = this.targets(destination, (icrLo & ICR_DEST_LOGICAL) !== 0, src.x2apic ? 0xffffffff : 0xff)
    }
    const mode = (icrLo >>> 8) & 7
    // A level-triggered INIT with Assert = 0 is the legacy "INIT level de-assert": no effect.
    if (mode === D.Init && (icrLo & ICR_TRIGGER_LEVEL) !== 0 && (icrLo & ICR_LEVEL_ASSERT) === 0) return
    this.dispatch(set, mode, icrLo & 0xff, false)
  }

  /** Deliver one interrupt of `mode` to `set` (IPI, VMM request or HvAssertVirtualInterrupt). */
  dispatch(set: VpInterrupts[], mode: number, vector: number, level: boolean): void {
    if (mode === D.LowestPriority && set.length > 1) {
      // Lowest TPR wins; ties go to the lowest VP index (deterministic).
      set = [set.reduce((a, b) => (b.apic.tpr < a.apic.tpr ? b : a))]
    }
    for (const s of set) {
      switch (mode) {
        case D.Fixed:
        case D.LowestPriority:
          s.disarmLazyEoi()
          s.apic.accept(vector, level)
          break
        case D.Nmi:
          s.nmiPending = true
          this.kick(s.apic)
          break
        case D.Init:
          this.init(s)
          break
        case D.StartUp:
          if (s.vp.waitingForSipi) {
            s.vp.cpu.startupIpi(vector)
            s.vp.waitingForSipi = false
            s.vp.cpu.halted = false
          }
          break
        default:
          break // SMI and ExtINT IPIs are not supported (13.1: no virtual SMIs)
      }
    }
  }

  /** INIT: the VP resets and (unless it is the BSP being re-INITed by the VMM) waits for a SIPI. */
  private init(s: VpInterrupts): void {
    const vp = s.vp
    vp.cpu.reset(true)
    s.apic.reset(vp.index === 0)
    s.nmiPending = false
    vp.waitingForSipi = true
    // A VP waiting for SIPI looks halted to the VMM's run loop, so it costs nothing until the SIPI.
    vp.cpu.halted = true
  }

  /** IRR gained something or PPR dropped. */
  kick(apic: LocalApic): void {
    const s = this.ofApic(apic)
    if (s) this.kickVp(s)
  }

  kickVp(s: VpInterrupts): void {
    const vp = s.vp
    // An idle-sleeping VP (GUEST_IDLE, 10.1) is not running even if it was the last one run.
    if (vp === this.currentVp && !vp.cpu.halted && !vp.idleSleep) {
      // Running (or about to run): the CPU exits at the next boundary where it can take it.
      if (s.hasPending()) vp.cpu.interruptWindowRequested = true
      return
    }
    if (s.hasPending()) {
      vp.idleSleep = false
      s.deliver()
    }
  }

  private onEoi(src: LocalApic, vector: number, level: boolean): void {
    const s = this.ofApic(src)
    if (!s) return
    s.synic.rescan() // 14.3: any APIC EOI rescans the message queues
    if (!level) return
    this.levelAssertions.delete(s.vp.index * 256 + vector)
    this.eoiHandler?.(vector, s.vp.index)
    deliverApicEoiToParent(s.vp, vector) // 13.4: non-root parents get HvMessageTypeApicEoi
  }

  // ---------------------------------------------------------------- ExtINT

  extIntPending(): boolean {
    if (this.assertedExtInt >= 0 && !this.extIntAcknowledged) return true
    return this.extIntSource !== null && this.extIntSource.pending()
  }

  /** INTA for ExtINT: the asserted vector, else the PIC's. -1 when nothing is there any more. */
  acknowledgeExtInt(): number {
    if (this.assertedExtInt >= 0 && !this.extIntAcknowledged) {
      this.extIntAcknowledged = true
      return this.assertedExtInt
    }
    if (this.extIntSource && this.extIntSource.pending()) return this.extIntSource.acknowledge() & 0xff
    return -1
  }

  // ---------------------------------------------------------------- time

  setClock(clock: GuestClock): void {
    this.time.setClock(clock)
    if (this.tscPage?.active) this.time.publish(this.tscPage)
  }

  /** Earliest timer deadline of the partition in guest ns (Infinity when none). */
  nextDeadlineNs(): number {
    let d = Infinity
    for (const s of this.vps) {
      if (!s) continue
      if (s.apic.timerDeadlineNs < d) d = s.apic.timerDeadlineNs
      for (const t of s.stimers) {
        if (t.deadline !== Infinity) d = Math.min(d, this.time.nsAt(t.deadline))
        else if (t.pendingExpiration >= 0 && !t.buffer.busy) d = Math.min(d, this.time.clock.nowNs())
      }
    }
    const assist = this.emulatedTimer.next(this.time.now100ns())
    if (assist !== Infinity) d = Math.min(d, this.time.nsAt(assist))
    if (this.pollers.length) {
      const now = this.time.clock.nowNs()
      for (const p of this.pollers) d = Math.min(d, p.nextNs(now))
    }
    return d
  }

  /** Fire everything due at guest time `nowNs` and inject what can be injected. */
  advanceTo(nowNs: number): void {
    const ref = this.time.now100ns()
    const refNow = (): number => this.time.now100ns()
    for (const s of this.vps) {
      if (!s) continue
      s.apic.advanceTimer(nowNs)
      for (const t of s.stimers) if (t.deadline <= ref || t.pendingExpiration >= 0) t.advance(ref, s.synic, refNow)
    }
    this.emulatedTimer.advance(ref)
    for (const p of this.pollers) p.poll(nowNs)
    for (const s of this.all()) if (s.hasPending()) this.kickVp(s)
  }

  /** Route an external request (VMM or parent) to the APICs (13.3). */
  request(r: InterruptRequest): number {
    const set = r.type === D.ExtInt ? [] : this.targets(r.destination, r.logical ?? false, 0xff)
    if (r.type === D.ExtInt) {
      this.assertedExtInt = r.vector
      this.extIntAcknowledged = false
      const bsp = this.partition.vp(0)
      if (bsp) this.kickVp(this.vpState(bsp))
      return 1
    }
    this.dispatch(set, r.type, r.vector, r.level ?? false)
    if (r.level && (r.type === D.Fixed || r.type === D.LowestPriority)) for (const s of set) this.levelAssertions.set(s.vp.index * 256 + r.vector, 1)
    return set.length
  }
}

/** The partition's interrupt state, created on first use. */
export function interruptsOf(hv: Hypervisor, p: Partition): PartitionInterrupts {
  let f = p.features.get(PARTITION_INTERRUPTS) as PartitionInterrupts | undefined
  if (!f) {
    f = new PartitionInterrupts(hv, p)
    p.features.set(PARTITION_INTERRUPTS, f)
  }
  return f
}
