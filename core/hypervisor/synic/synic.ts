/**
 * One VP's synthetic interrupt controller (TLFS 14.4-14.6): SCONTROL, SVERSION, SIEFP,
 * SIMP, SINT0-15, EOM, the SIM and SIEF overlay pages, one FIFO queue per SINT and the
 * delivery rules of 14.4 (inventory 4.3): a slot is written only when its MessageType is
 * 0; a busy slot gets MessagePending; the SINT vector is raised as an edge interrupt on
 * delivery when unmasked; queues are rescanned on enqueue, EOM and every APIC EOI.
 * Event flags (14.5) set bit n of the SINT's SIEF slot and interrupt on a 0→1 edge only.
 */
import type { GuestMemory } from '../../memory/guest-memory'
import {
  HV_MESSAGE_FLAG_PENDING, HV_MESSAGE_SIZE, HV_SYNIC_SINT_COUNT, MSG_FLAGS, MSG_TYPE, type HvMessageBuffer,
} from './message-layout'
import { OverlayPage, type OverlayRegistry } from './overlay-page'

export const SINT_RESET = 0x10000n
export const SINT_MASKED = 1n << 16n
export const SINT_AUTO_EOI = 1n << 17n
export const HV_SYNIC_VERSION = 1n

/** What the SynIC needs from its VP's APIC. */
export interface SynicApic {
  readonly softwareEnabled: boolean
  accept(vector: number, level: boolean): void
}

export class Synic {
  scontrol = 0n
  siefp = 0n
  simp = 0n
  readonly sint: bigint[] = new Array<bigint>(HV_SYNIC_SINT_COUNT).fill(SINT_RESET)
  readonly sim: OverlayPage
  readonly sief: OverlayPage
  readonly queues: HvMessageBuffer[][] = Array.from({ length: HV_SYNIC_SINT_COUNT }, () => [])

  constructor(memory: GuestMemory, registry: OverlayRegistry, private readonly apic: SynicApic, vpIndex: number) {
    this.sim = new OverlayPage(memory, registry, `SIM of VP ${vpIndex}`)
    this.sief = new OverlayPage(memory, registry, `SIEF of VP ${vpIndex}`)
  }

  get enabled(): boolean {
    return (this.scontrol & 1n) === 1n
  }
  get simEnabled(): boolean {
    return (this.simp & 1n) === 1n
  }
  get siefEnabled(): boolean {
    return (this.siefp & 1n) === 1n
  }
  /** Eligible as a message target (14.3: SCONTROL and SIMP enabled). */
  get canReceiveMessages(): boolean {
    return this.enabled && this.simEnabled
  }
  get canReceiveEvents(): boolean {
    return this.enabled && this.siefEnabled
  }
  masked(i: number): boolean {
    return (this.sint[i] & SINT_MASKED) !== 0n
  }
  vector(i: number): number {
    return Number(this.sint[i] & 0xffn)
  }
  /** True when `vector` belongs to an unmasked SINT with AutoEOI (acknowledged without ISR). */
  isAutoEoiVector(vector: number): boolean {
    for (let i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
      const s = this.sint[i]
      if ((s & SINT_AUTO_EOI) !== 0n && (s & SINT_MASKED) === 0n && Number(s & 0xffn) === vector) return true
    }
    return false
  }

  /** WRMSR SINTx. False → #GP (unmasked with a vector below 16, DECISION 14.6). */
  writeSint(i: number, value: bigint): boolean {
    if ((value & SINT_MASKED) === 0n && (value & 0xffn) < 16n) return false
    this.sint[i] = value
    this.tryDeliver(i)
    return true
  }

  writeSimp(value: bigint, pageOk: (page: number) => boolean): boolean {
    const page = value & 1n ? Number(value >> 12n) : -1
    if (page >= 0 && !pageOk(page) && page !== this.sim.page) return false
    this.simp = value
    this.sim.place(page)
    this.rescan()
    return true
  }

  writeSiefp(value: bigint, pageOk: (page: number) => boolean): boolean {
    const page = value & 1n ? Number(value >> 12n) : -1
    if (page >= 0 && !pageOk(page) && page !== this.sief.page) return false
    this.siefp = value
    this.sief.place(page)
    return true
  }

  writeScontrol(value: bigint): void {
    this.scontrol = value
    this.rescan()
  }

  private raise(i: number): void {
    if (!this.masked(i) && this.apic.softwareEnabled) this.apic.accept(this.vector(i), false)
  }

  /** Queue `buf` on SINT `i` and try to deliver (14.3). */
  enqueue(i: number, buf: HvMessageBuffer): void {
    buf.busy = true
    this.queues[i].push(buf)
    this.tryDeliver(i)
  }

  /** Copy the head of queue `i` into its SIM slot if the slot is empty. */
  tryDeliver(i: number): void {
    const q = this.queues[i]
    if (q.length === 0 || !this.simEnabled || !this.sim.active) return
    const page = this.sim.bytes()
    const off = i * HV_MESSAGE_SIZE
    const slot = new DataView(page.buffer, page.byteOffset + off, HV_MESSAGE_SIZE)
    if (slot.getUint32(MSG_TYPE, true) !== 0) {
      page[off + MSG_FLAGS] |= HV_MESSAGE_FLAG_PENDING
      this.sim.touched(off + MSG_FLAGS, 1)
      return
    }
    const buf = q.shift()!
    page.set(buf.data, off)
    page[off + MSG_FLAGS] = q.length > 0 ? HV_MESSAGE_FLAG_PENDING : 0
    buf.onCopied?.(slot)
    this.sim.touched(off, HV_MESSAGE_SIZE)
    buf.release()
    this.raise(i)
  }

  /** EOM, APIC EOI or SCONTROL/SIMP change: retry every queue. */
  rescan(): void {
    for (let i = 0; i < HV_SYNIC_SINT_COUNT; i++) if (this.queues[i].length > 0) this.tryDeliver(i)
  }

  /** Drop queued buffers that `owns` says belong to a deleted port (14.2). */
  discard(owns: (buf: HvMessageBuffer) => boolean): void {
    for (const q of this.queues) {
      for (let k = q.length - 1; k >= 0; k--) {
        if (owns(q[k])) q.splice(k, 1)[0].release()
      }
    }
  }

  /**
   * Set event flag `flag` in SIEF slot `i` (14.5). Returns false when the SINT is masked or
   * the SIEF/SynIC is disabled (caller maps to HV_STATUS_INVALID_SYNIC_STATE).
   */
  signalEvent(i: number, flag: number): boolean {
    if (!this.canReceiveEvents || this.masked(i)) return false
    if (!this.sief.active) return true // enabled but beyond RAM: inaccessible (14.6)
    const page = this.sief.bytes()
    const byte = i * 256 + (flag >>> 3)
    const bit = 1 << (flag & 7)
    const was = page[byte] & bit
    page[byte] |= bit
    this.sief.touched(byte, 1)
    if (!was) this.raise(i)
    return true
  }

  /** VP creation/reset state (14.6): registers to reset values, pages zeroed, queues emptied. */
  reset(): void {
    this.scontrol = 0n
    this.simp = 0n
    this.siefp = 0n
    this.sint.fill(SINT_RESET)
    this.sim.place(-1)
    this.sief.place(-1)
    this.sim.clear()
    this.sief.clear()
    for (const q of this.queues) while (q.length) q.shift()!.release()
  }
}
