/**
 * Everything interrupt-related that one VP owns (TLFS 13-15): its local APIC, its SynIC,
 * its four synthetic timers, a pending NMI, the APIC assist page (13.4, lazy EOI) and the
 * decision of what to inject into the CPU at an instruction boundary: NMI, then ExtINT
 * (LINT0 virtual wire / HvAssertVirtualInterrupt ExtInt, BSP only, ignores PPR), then the
 * highest IRR vector above PPR — each only when `cpu.canTakeInterrupt()`; otherwise an
 * interrupt window is requested so the CPU exits as soon as it can take one.
 */
import type { VirtualProcessor } from '../virtual-processor'
import { Synic } from '../synic/synic'
import { OverlayPage } from '../synic/overlay-page'
import { VpCounter } from '../stats/stats-types'
import { HV_STIMER_COUNT, SyntheticTimer } from '../timers/synthetic-timers'
import { APIC_BASE_BSP, APIC_BASE_DEFAULT, APIC_BASE_ENABLE, LVT_LINT0, LVT_MASKED } from './apic-registers'
import { LocalApic, type ApicHost } from './local-apic'
import type { PartitionInterrupts } from './partition-interrupts'

export class VpInterrupts {
  readonly apic: LocalApic
  readonly synic: Synic
  readonly stimers: SyntheticTimer[] = []
  readonly assist: OverlayPage
  /** HV_X64_MSR_APIC_ASSIST_PAGE. */
  assistMsr = 0n
  /** IA32_APIC_BASE of this VP. */
  apicBase: bigint
  nmiPending = false
  /** Vector whose EOI the guest may skip through the assist page (-1: none). */
  lazyEoiVector = -1
  /** Interrupts injected into the CPU (statistics). */
  delivered = 0

  constructor(readonly vp: VirtualProcessor, readonly owner: PartitionInterrupts, host: ApicHost) {
    const bsp = vp.index === 0
    this.apicBase = BigInt(APIC_BASE_DEFAULT) | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0n)
    this.apic = new LocalApic(host, vp.initialApicId, bsp)
    const memory = vp.partition.memory!
    this.synic = new Synic(memory, owner.overlays, this.apic, vp.index)
    this.assist = new OverlayPage(memory, owner.overlays, `APIC assist page of VP ${vp.index}`)
    for (let i = 0; i < HV_STIMER_COUNT; i++) this.stimers.push(new SyntheticTimer(i))
  }

  get apicHardwareEnabled(): boolean {
    return (this.apicBase & APIC_BASE_ENABLE) !== 0n
  }

  /** ExtINT reaches the BSP through LINT0 (virtual wire) or a hardware-/software-disabled APIC (13.3). */
  private extIntOpen(): boolean {
    if (this.vp.index !== 0) return false
    if (!this.apicHardwareEnabled || !this.apic.softwareEnabled) return true
    const lint0 = this.apic.lvt[LVT_LINT0]
    return (lint0 & LVT_MASKED) === 0 && ((lint0 >>> 8) & 7) === 7
  }

  /** Something could be injected if the CPU allowed it. */
  hasPending(): boolean {
    return this.nmiPending || (this.extIntOpen() && this.owner.extIntPending()) || this.apic.pendingVector() >= 0
  }

  /** Perform a lazy EOI if the guest cleared NoEoiRequired in the assist page (13.4). */
  checkLazyEoi(): void {
    if (this.lazyEoiVector < 0) return
    if (!this.assist.active) {
      this.lazyEoiVector = -1
      return
    }
    const page = this.assist.bytes()
    if ((page[0] & 1) === 0) {
      this.lazyEoiVector = -1
      this.apic.eoi()
    }
  }

  /** A lower-priority interrupt arrived while a lazy EOI is armed: the next EOI must trap (13.4). */
  disarmLazyEoi(): void {
    if (this.lazyEoiVector < 0) return
    const page = this.assist.bytes()
    if ((page[0] & 1) === 0) this.checkLazyEoi()
    else {
      page[0] &= ~1
      this.assist.touched(0, 1)
      this.lazyEoiVector = -1
    }
  }

  /**
   * Inject at most one interrupt now if the VP can take it; otherwise request an interrupt
   * window. Returns true when something was injected. Never called mid-instruction.
   */
  deliver(): boolean {
    const vp = this.vp
    const cpu = vp.cpu
    if (!vp.runnable) return false
    this.checkLazyEoi()
    if (this.nmiPending) {
      this.nmiPending = false
      vp.idleSleep = false
      cpu.deliverNmi()
      this.counted()
      return true
    }
    const ext = this.extIntOpen() && this.owner.extIntPending()
    const v = this.apic.pendingVector()
    if (!ext && v < 0) {
      return false
    }
    vp.idleSleep = false // 10.1: any interrupt ends idle sleep
    if (!cpu.canTakeInterrupt()) {
      cpu.interruptWindowRequested = true
      return false
    }
    cpu.interruptWindowRequested = false
    if (ext) {
      const vector = this.owner.acknowledgeExtInt()
      if (vector >= 0) {
        cpu.deliverInterrupt(vector)
        this.counted()
        return true
      }
      if (v < 0) return false
    }
    const level = ((this.apic.tmr[v >>> 5] >>> (v & 31)) & 1) === 1
    const autoEoi = this.synic.isAutoEoiVector(v)
    this.apic.acknowledge(v, autoEoi)
    if (!autoEoi && !level && this.assist.active && this.apic.highestIrr() < 0) {
      // 13.4: edge-triggered with nothing else pending → the guest may skip this EOI.
      const page = this.assist.bytes()
      page[0] |= 1
      this.assist.touched(0, 1)
      this.lazyEoiVector = v
    }
    cpu.deliverInterrupt(v)
    this.counted()
    return true
  }

  /** One interrupt injected: the statistics counter here and the VP's appendix J "Virtual Interrupts/sec". */
  private counted(): void {
    this.delivered++
    this.vp.counters[VpCounter.VirtualInterrupts]++
  }

  /** SynIC and timers back to reset values (VP creation / INIT). */
  resetSynthetic(): void {
    this.synic.reset()
    for (const t of this.stimers) t.reset()
  }
}
