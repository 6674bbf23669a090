/**
 * Monitored notifications (TLFS 14.2 "monitored notification facility", 14.9 monitor ports;
 * inventory 4.7): a monitor port (recipient, GPA Ar) and its monitor connection (originator,
 * GPA Ao) share ONE hypervisor page, shown in each child as a 4 KiB MMIO overlay over its
 * RAM (so both see every write at once; the root, which runs no x86 code, reads and writes
 * `bytes` directly). HV_MONITOR_PAGE: TriggerState u32 at 0 (GroupEnable 3:0,
 * MonitorDisabled 4), TriggerGroup[4] {Pending u32, Armed u32} at 8, Latency[4][32] u16 at
 * 576, Parameter[4][32] {ConnectionId u32, FlagNumber u16, Rsvd u16} at 1088. Polling
 * (DECISION 4.7): for each enabled group, each set Pending bit is cleared and
 * HvSignalEvent(Parameter) runs on behalf of the originator; errors are discarded. The
 * page is polled at every run slice of the originator and, while a trigger is pending, a
 * deadline no later than its Latency hint is reported so a halted partition still wakes.
 */
import { PAGE_SIZE, type GuestMemory } from '../../memory/guest-memory'
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'

export const MONITOR_TRIGGER_STATE = 0
export const MONITOR_TRIGGER_GROUPS = 8
export const MONITOR_LATENCY = 576
export const MONITOR_PARAMETER = 1088
export const MONITOR_GROUP_COUNT = 4
/** A pending trigger without a Latency hint is serviced within this many 100 ns units (DECISION). */
export const MONITOR_DEFAULT_LATENCY = 10

/** Signals an event connection of `originator` (port-calls.ts signalEvent); returns an HV_STATUS. */
export type MonitorSignal = (originator: Partition, connectionId: number, flag: number) => number

export class MonitorPage {
  readonly bytes = new Uint8Array(PAGE_SIZE)
  readonly view = new DataView(this.bytes.buffer)
  private readonly mappings: Array<{ memory: GuestMemory; name: string }> = []
  /** Triggers signalled so far (statistics / tests). */
  signalled = 0

  constructor(readonly name: string) {}

  /** Show the page at `gpa` in `memory` (an MMIO overlay over RAM). False when the range is taken. */
  map(memory: GuestMemory, gpa: number, side: string): boolean {
    const name = `${this.name} ${side}`
    try {
      memory.addMmio(name, gpa, PAGE_SIZE, {
        read: (o, size) => this.read(o, size),
        write: (o, size, value) => this.write(o, size, value),
      })
    } catch {
      return false
    }
    this.mappings.push({ memory, name })
    return true
  }

  /** Remove the page from one partition's GPA space. */
  unmap(memory: GuestMemory): void {
    for (let i = this.mappings.length - 1; i >= 0; i--) {
      if (this.mappings[i].memory !== memory) continue
      memory.removeMmio(this.mappings[i].name)
      this.mappings.splice(i, 1)
    }
  }

  unmapAll(): void {
    for (const m of this.mappings) m.memory.removeMmio(m.name)
    this.mappings.length = 0
  }

  private read(o: number, size: number): number {
    if (o + size > PAGE_SIZE) return 0
    return size === 4 ? this.view.getUint32(o, true) : size === 2 ? this.view.getUint16(o, true) : this.bytes[o]
  }

  private write(o: number, size: number, value: number): void {
    if (o + size > PAGE_SIZE) return
    if (size === 4) this.view.setUint32(o, value >>> 0, true)
    else if (size === 2) this.view.setUint16(o, value & 0xffff, true)
    else this.bytes[o] = value & 0xff
  }

  get groupEnable(): number {
    return this.view.getUint32(MONITOR_TRIGGER_STATE, true) & 0xf
  }

  pending(group: number): number {
    return this.view.getUint32(MONITOR_TRIGGER_GROUPS + group * 8, true)
  }

  /** Lowest Latency hint (100 ns units) among pending triggers of enabled groups; Infinity when none. */
  pendingLatency(): number {
    let best = Infinity
    const enabled = this.groupEnable
    for (let g = 0; g < MONITOR_GROUP_COUNT; g++) {
      if (!((enabled >> g) & 1)) continue
      let bits = this.pending(g)
      while (bits !== 0) {
        const n = 31 - Math.clz32(bits)
        bits &= ~(1 << n)
        const hint = this.view.getUint16(MONITOR_LATENCY + 2 * (32 * g + n), true)
        best = Math.min(best, hint === 0 ? MONITOR_DEFAULT_LATENCY : hint)
      }
    }
    return best
  }

  /** Service every pending trigger of the enabled groups on behalf of `originator`. */
  poll(originator: Partition, signal: MonitorSignal): void {
    const enabled = this.groupEnable
    if (enabled === 0) return
    for (let g = 0; g < MONITOR_GROUP_COUNT; g++) {
      if (!((enabled >> g) & 1)) continue
      const at = MONITOR_TRIGGER_GROUPS + g * 8
      let bits = this.view.getUint32(at, true)
      while (bits !== 0) {
        const n = 31 - Math.clz32(bits)
        bits &= ~(1 << n)
        // Clear first (the guest may set it again while we signal), then signal.
        this.view.setUint32(at, this.view.getUint32(at, true) & ~(1 << n), true)
        const p = MONITOR_PARAMETER + 8 * (32 * g + n)
        signal(originator, this.view.getUint32(p, true), this.view.getUint16(p + 4, true))
        this.signalled++
      }
    }
  }
}

/** The monitor pages a partition originates (polled with its run slices). */
export class MonitorSet {
  readonly pages = new Set<MonitorPage>()
  constructor(readonly hv: Hypervisor, readonly originator: Partition, private readonly signal: MonitorSignal) {}

  poll(): void {
    for (const m of this.pages) m.poll(this.originator, this.signal)
  }

  /** Earliest latency (100 ns units from now) among pending triggers, Infinity when none. */
  nextLatency(): number {
    let best = Infinity
    for (const m of this.pages) best = Math.min(best, m.pendingLatency())
    return best
  }
}
