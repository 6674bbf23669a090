/**
 * One VP's virtual local APIC (TLFS 13.1-13.2; Intel SDM vol. 3 ch. 11): IRR/ISR/TMR,
 * TPR/PPR priority, EOI, the six LVT entries, the timer in one-shot, periodic and
 * TSC-deadline modes, ICR (IPIs leave through `ApicHost.sendIpi`), the spurious-vector
 * register, ESR and logical destinations (LDR/DFR). It is a pure state machine over a
 * guest-time clock in nanoseconds: the partition (interrupt-router.ts) routes IPIs, EOIs
 * and "something became deliverable" kicks, and the run loop asks `pendingVector()`.
 */
import {
  APIC_TIMER_NS_PER_TICK, APIC_VERSION_VALUE, ApicReg as R, ESR_RECEIVE_ILLEGAL_VECTOR, ESR_SEND_ILLEGAL_VECTOR,
  ICR_DELIVERY_PENDING, LVT_LINT0, LVT_LINT1, LVT_MASKED, LVT_OFFSETS, LVT_TIMER, SVR_ENABLE, TimerMode, timerDivisor,
} from './apic-registers'

export interface ApicHost {
  /** Guest time in nanoseconds (the VMM's clock). */
  nowNs(): number
  /** TSC value → guest time in ns (TSC-deadline mode). */
  tscToNs(tsc: number): number
  /** The guest wrote ICR low: route the IPI. `destination` is the xAPIC (8-bit) or x2APIC (32-bit) id. */
  sendIpi(source: LocalApic, icrLo: number, destination: number): void
  /** An EOI retired `vector`; `level` when its TMR bit was set. */
  eoi(source: LocalApic, vector: number, level: boolean): void
  /** IRR gained a vector or PPR dropped: delivery may be possible now. */
  kick(source: LocalApic): void
}

function highestBit(words: Uint32Array): number {
  for (let w = 7; w >= 0; w--) if (words[w] !== 0) return w * 32 + 31 - Math.clz32(words[w])
  return -1
}
function testBit(words: Uint32Array, v: number): boolean {
  return ((words[v >>> 5] >>> (v & 31)) & 1) === 1
}
function setBit(words: Uint32Array, v: number, on: boolean): void {
  if (on) words[v >>> 5] |= 1 << (v & 31)
  else words[v >>> 5] &= ~(1 << (v & 31))
}

export class LocalApic {
  readonly irr = new Uint32Array(8)
  readonly isr = new Uint32Array(8)
  readonly tmr = new Uint32Array(8)
  tpr = 0
  ldr = 0
  dfr = 0xffffffff
  svr = 0xff
  esr = 0
  /** ESR errors collected since the last ESR write (the write latches them). */
  esrPending = 0
  icrLo = 0
  icrHi = 0
  readonly lvt = new Uint32Array(6)
  timerInitial = 0
  timerDivide = 0
  /** Guest time (ns) when the current count was loaded. */
  timerStartNs = 0
  /** Next timer expiry in guest ns (Infinity when none). */
  timerDeadlineNs = Infinity
  tscDeadline = 0
  /** x2APIC mode (IA32_APIC_BASE.EXTD). */
  x2apic = false

  constructor(
    readonly host: ApicHost,
    public id: number,
    bsp: boolean,
  ) {
    this.reset(bsp)
  }

  /** Power-on / INIT state. The BSP's LINT0 is in ExtINT and LINT1 in NMI mode, as a PC BIOS leaves them (virtual wire). */
  reset(bsp: boolean): void {
    this.irr.fill(0); this.isr.fill(0); this.tmr.fill(0)
    this.tpr = 0; this.ldr = 0; this.dfr = 0xffffffff; this.svr = 0xff; this.esr = 0; this.esrPending = 0
    this.icrLo = 0; this.icrHi = 0
    this.lvt.fill(LVT_MASKED)
    if (bsp) {
      this.lvt[LVT_LINT0] = 0x700
      this.lvt[LVT_LINT1] = 0x400
    }
    this.timerInitial = 0; this.timerDivide = 0; this.timerDeadlineNs = Infinity; this.tscDeadline = 0
  }

  get softwareEnabled(): boolean {
    return (this.svr & SVR_ENABLE) !== 0
  }

  get ppr(): number {
    const isrv = highestBit(this.isr)
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0
    return (this.tpr & 0xf0) >= isrClass ? this.tpr & 0xff : isrClass
  }

  highestIrr(): number {
    return highestBit(this.irr)
  }
  highestIsr(): number {
    return highestBit(this.isr)
  }

  /** Latch a fixed interrupt into the IRR (edge or level). Illegal vectors set ESR and are dropped. */
  accept(vector: number, level: boolean): void {
    vector &= 0xff
    if (vector < 16) {
      this.esrPending |= ESR_RECEIVE_ILLEGAL_VECTOR
      return
    }
    setBit(this.irr, vector, true)
    setBit(this.tmr, vector, level)
    this.host.kick(this)
  }

  /** Withdraw a level-triggered request that was not yet acknowledged (13.3). */
  withdraw(vector: number): void {
    setBit(this.irr, vector & 0xff, false)
  }

  /** The vector the CPU would take now (IRR class above PPR), or -1. */
  pendingVector(): number {
    if (!this.softwareEnabled) return -1
    const v = highestBit(this.irr)
    if (v < 0 || (v & 0xf0) <= (this.ppr & 0xf0)) return -1
    return v
  }

  /** INTA: move `vector` from IRR to ISR (not to ISR when `autoEoi`). */
  acknowledge(vector: number, autoEoi: boolean): void {
    setBit(this.irr, vector, false)
    if (autoEoi) setBit(this.tmr, vector, false)
    else setBit(this.isr, vector, true)
  }

  /** EOI: retire the highest in-service vector. */
  eoi(): void {
    const v = highestBit(this.isr)
    if (v < 0) return
    setBit(this.isr, v, false)
    const level = testBit(this.tmr, v)
    if (level) setBit(this.tmr, v, false)
    this.host.eoi(this, v, level)
    if (this.pendingVector() >= 0) this.host.kick(this)
  }

  isInService(vector: number): boolean {
    return testBit(this.isr, vector)
  }

  // ---------------------------------------------------------------- timer

  get timerMode(): number {
    return (this.lvt[LVT_TIMER] >>> 17) & 3
  }

  private get periodNs(): number {
    return this.timerInitial * timerDivisor(this.timerDivide) * APIC_TIMER_NS_PER_TICK
  }

  private armCountdown(now: number): void {
    this.timerStartNs = now
    this.timerDeadlineNs = this.timerInitial === 0 ? Infinity : now + this.periodNs
  }

  timerCurrentCount(now: number): number {
    if (this.timerMode === TimerMode.TscDeadline || this.timerInitial === 0) return 0
    const tickNs = timerDivisor(this.timerDivide) * APIC_TIMER_NS_PER_TICK
    const elapsed = Math.floor((now - this.timerStartNs) / tickNs)
    if (this.timerMode === TimerMode.Periodic) return this.timerInitial - (elapsed % this.timerInitial)
    return this.timerDeadlineNs === Infinity ? 0 : Math.max(0, this.timerInitial - elapsed)
  }

  setTscDeadline(value: number): void {
    this.tscDeadline = value
    if (this.timerMode !== TimerMode.TscDeadline) return
    this.timerDeadlineNs = value === 0 ? Infinity : this.host.tscToNs(value)
  }

  /** Fire the timer if it is due at `now`. Returns true when it fired. */
  advanceTimer(now: number): boolean {
    if (now < this.timerDeadlineNs) return false
    const lvt = this.lvt[LVT_TIMER]
    if ((lvt & LVT_MASKED) === 0) this.accept(lvt & 0xff, false)
    if (this.timerMode === TimerMode.Periodic && this.periodNs > 0) {
      // Missed periods collapse into one interrupt; the phase stays start + k·period.
      const p = this.periodNs
      const k = Math.floor((now - this.timerStartNs) / p) + 1
      this.timerDeadlineNs = this.timerStartNs + k * p
    } else {
      this.timerDeadlineNs = Infinity
      if (this.timerMode === TimerMode.TscDeadline) this.tscDeadline = 0
    }
    return true
  }

  // ---------------------------------------------------------------- registers

  /** Read a 32-bit register at `offset` (16-byte aligned). Unknown offsets read 0. */
  read(offset: number): number {
    switch (offset) {
      case R.ID: return this.x2apic ? this.id : (this.id << 24) >>> 0
      case R.VERSION: return APIC_VERSION_VALUE
      case R.TPR: return this.tpr
      case R.APR: return 0
      case R.PPR: return this.ppr
      case R.LDR: return this.x2apic ? ((this.id >>> 4) << 16) | (1 << (this.id & 15)) : this.ldr
      case R.DFR: return this.dfr
      case R.SVR: return this.svr
      case R.ESR: return this.esr
      case R.ICR_LO: return this.icrLo & ~ICR_DELIVERY_PENDING
      case R.ICR_HI: return this.icrHi
      case R.TIMER_INITIAL: return this.timerInitial
      case R.TIMER_CURRENT: return this.timerCurrentCount(this.host.nowNs()) >>> 0
      case R.TIMER_DIVIDE: return this.timerDivide
    }
    if (offset >= R.ISR0 && offset < R.ISR0 + 0x80) return this.isr[(offset - R.ISR0) >> 4]
    if (offset >= R.TMR0 && offset < R.TMR0 + 0x80) return this.tmr[(offset - R.TMR0) >> 4]
    if (offset >= R.IRR0 && offset < R.IRR0 + 0x80) return this.irr[(offset - R.IRR0) >> 4]
    const l = LVT_OFFSETS.indexOf(offset as (typeof LVT_OFFSETS)[number])
    return l >= 0 ? this.lvt[l] : 0
  }

  /** Write a 32-bit register. Returns false for a read-only or unknown register. */
  write(offset: number, value: number): boolean {
    value >>>= 0
    switch (offset) {
      case R.ID:
        if (!this.x2apic) this.id = value >>> 24
        return true
      case R.TPR: {
        const dropped = (value & 0xff) < this.tpr
        this.tpr = value & 0xff
        if (dropped && this.pendingVector() >= 0) this.host.kick(this)
        return true
      }
      case R.EOI: this.eoi(); return true
      case R.LDR: this.ldr = value & 0xff000000; return true
      case R.DFR: this.dfr = value | 0x0fffffff; return true
      case R.SVR: {
        const wasEnabled = this.softwareEnabled
        this.svr = value & 0x13ff
        if (!this.softwareEnabled) for (let i = 0; i < 6; i++) if (i !== LVT_LINT0 && i !== LVT_LINT1) this.lvt[i] |= LVT_MASKED
        if (!wasEnabled && this.softwareEnabled && this.pendingVector() >= 0) this.host.kick(this)
        return true
      }
      case R.ESR: this.esr = this.esrPending; this.esrPending = 0; return true
      case R.ICR_HI: this.icrHi = value & 0xff000000; return true
      case R.ICR_LO: return this.writeIcr(value, this.icrHi >>> 24)
      case R.TIMER_INITIAL:
        if (this.timerMode === TimerMode.TscDeadline) return true
        this.timerInitial = value
        this.armCountdown(this.host.nowNs())
        return true
      case R.TIMER_DIVIDE: this.timerDivide = value & 0xb; return true
      case R.SELF_IPI:
        if (!this.x2apic) return false
        this.accept(value & 0xff, false)
        return true
    }
    const l = LVT_OFFSETS.indexOf(offset as (typeof LVT_OFFSETS)[number])
    if (l < 0) return false
    const oldMode = this.timerMode
    // Software-disabled APICs keep every LVT masked (SDM 11.4.7.2) except the virtual-wire pins.
    const forcedMask = !this.softwareEnabled && l !== LVT_LINT0 && l !== LVT_LINT1 ? LVT_MASKED : 0
    this.lvt[l] = (value & (l === LVT_TIMER ? 0x700ff | 0x10000 : 0x1a7ff | 0x10000)) | forcedMask
    if (l === LVT_TIMER && this.timerMode !== oldMode) {
      this.timerInitial = 0
      this.timerDeadlineNs = Infinity
      this.tscDeadline = 0
    }
    return true
  }

  /** ICR low write: latch and send (`destination` from ICR high or the x2APIC ICR). */
  writeIcr(value: number, destination: number): boolean {
    this.icrLo = value & 0x000cdfff
    const vector = value & 0xff
    const mode = (value >>> 8) & 7
    if ((mode === 0 || mode === 1) && vector < 16) {
      this.esrPending |= ESR_SEND_ILLEGAL_VECTOR
      return true
    }
    this.host.sendIpi(this, this.icrLo, destination)
    return true
  }

  /** Does a logical-mode destination `mda` select this APIC (flat or cluster model)? */
  matchesLogical(mda: number): boolean {
    if (this.x2apic) {
      const ldr = ((this.id >>> 4) << 16) | (1 << (this.id & 15))
      return mda >>> 16 === ldr >>> 16 && (mda & ldr & 0xffff) !== 0
    }
    const logical = this.ldr >>> 24
    if ((this.dfr >>> 28) === 0xf) return (mda & logical) !== 0
    return (mda >>> 4) === (logical >>> 4) && (mda & logical & 0xf) !== 0
  }
}
