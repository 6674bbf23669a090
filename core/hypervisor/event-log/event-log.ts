/**
 * The hypervisor's event-logging service (TLFS ch. 19, appendix I): the two buffer groups
 * (GlobalSystemEvents, LocalDiagnostics), the enable masks the hot path tests cheaply, the
 * "buffers ready" message to the root (HvMessageTypeEventLogBuffersComplete, 16.5.10), and
 * the events the hypervisor logs as partitions and VPs do things. The root's SynIC message
 * queue (ch. 14) is not wired yet: the message is handed to subscribers of
 * `onBuffersReady` as the 256-byte HV_MESSAGE the root's SINT0 would receive.
 */
import type { Hypervisor } from '../hypervisor'
import type { VirtualProcessor } from '../virtual-processor'
import { HvMessageType } from '../virtual-processor'
import { EventLogGroup } from './event-log-group'
import {
  HV_EVENTLOG_ENABLE_DIAG_ADMIN, HV_EVENTLOG_ENABLE_SYSTEM_FAILURE, HV_EVENTLOG_ENABLE_SYSTEM_SUCCESS,
  HV_EVENTLOG_ENTRY_TIME_TSC, HvEventLogGroup as G, HvEventLogType, HvTraceEvent as E,
} from './event-log-types'

export const HV_MESSAGE_SIZE = 256

export interface BuffersReadyInfo {
  type: number
  firstIndex: number
  /** The LP whose list became ready (0 for the global class); its root VP gets the message. */
  logicalProcessor: number
}
export type BuffersReadyListener = (message: Uint8Array, info: BuffersReadyInfo) => void

export class HvEventLog {
  readonly groups: Array<EventLogGroup | undefined> = [undefined, undefined]
  /** Low and high 32 bits of the LocalDiagnostics enable mask (0 while the group is not initialized). */
  diagLo = 0
  diagHi = 0
  /** GlobalSystemEvents enable mask (SUCCESS = 1, FAILURE = 2). */
  system = 0
  private readonly listeners = new Set<BuffersReadyListener>()
  private readonly params: bigint[] = [0n, 0n, 0n, 0n]

  constructor(private readonly hv: Hypervisor) {}

  /** Subscribe to "buffers ready" messages; returns the unsubscribe function. */
  onBuffersReady(listener: BuffersReadyListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Build the HV_MESSAGE (header + {EventLogType u32, BufferIndex u32}) and hand it to the root. */
  postBuffersReady(type: number, firstIndex: number, lp: number): void {
    const msg = new Uint8Array(HV_MESSAGE_SIZE)
    const v = new DataView(msg.buffer)
    v.setUint32(0, HvMessageType.HvMessageTypeEventLogBuffersComplete, true)
    v.setUint8(7, 8) // PayloadSize (DECISION: the payload table is lost; Type + first index)
    v.setUint32(16, type, true)
    v.setUint32(20, firstIndex, true)
    const info = { type, firstIndex, logicalProcessor: lp }
    for (const l of this.listeners) l(msg, info)
  }

  /** Recompute the hot-path masks after a group or its sources change. */
  syncMasks(): void {
    const d = this.groups[HvEventLogType.HvEventLogTypeLocalDiagnostics]
    const m = d ? d.enableFlags : 0n
    this.diagLo = Number(m & 0xffffffffn)
    this.diagHi = Number(m >> 32n)
    const s = this.groups[HvEventLogType.HvEventLogTypeGlobalSystemEvents]
    this.system = s ? Number(s.enableFlags & 3n) : 0
  }

  /** True when any LocalDiagnostics group bit of `group` (an appendix I mask below 2^32) is enabled. */
  diagEnabled(group: bigint): boolean {
    return (this.diagLo & Number(group)) !== 0
  }

  /** Append an event with up to four u64 parameters (set in `p` first) to group `type`. */
  private emit(type: number, vp: VirtualProcessor | null, eventType: number, n: number): void {
    const g = this.groups[type]
    if (!g) return
    const ref = this.hv.referenceTime()
    const stamp = g.geometry.timeBasis === HV_EVENTLOG_ENTRY_TIME_TSC && vp ? BigInt(Math.floor(vp.cpu.readTsc())) : BigInt(Math.floor(ref))
    g.append(vp ? this.hv.stats.lpOf(vp) : 0, stamp, ref, eventType, this.params, n)
  }

  /** A LocalDiagnostics event if its group is enabled. Parameters are numbers or bigints. */
  diag(group: bigint, vp: VirtualProcessor | null, eventType: number, a?: bigint | number, b?: bigint | number, c?: bigint | number): void {
    if (!this.diagEnabled(group)) return
    const p = this.params
    let n = 0
    if (a !== undefined) p[n++] = BigInt(a)
    if (b !== undefined) p[n++] = BigInt(b)
    if (c !== undefined) p[n++] = BigInt(c)
    this.emit(HvEventLogType.HvEventLogTypeLocalDiagnostics, vp, eventType, n)
  }

  /**
   * An object-lifecycle event (appendix I, Object Manager / VP Manager): logged as a system
   * event (success or failure per the status) and as a diagnostic event when its group is on.
   * DECISION: DIAG_ADMIN also enables these diagnostic events; "thread ID" is the VP index.
   */
  lifecycle(eventType: number, partitionId: bigint, vpIndex: number | null, status: number): void {
    const vpEvent = eventType === E.HV_TR_VP_CREATE_VP || eventType === E.HV_TR_VP_DELETE_VP
    const p = this.params
    const fill = (): number => {
      let n = 0
      p[n++] = partitionId
      if (vpIndex !== null) p[n++] = BigInt(vpIndex)
      p[n++] = BigInt(status)
      return n
    }
    const sysBit = status === 0 ? Number(HV_EVENTLOG_ENABLE_SYSTEM_SUCCESS) : Number(HV_EVENTLOG_ENABLE_SYSTEM_FAILURE)
    if (this.system & sysBit) this.emit(HvEventLogType.HvEventLogTypeGlobalSystemEvents, null, eventType, fill())
    const group = vpEvent ? G.VirtualProcessorManager : G.ObjectManager
    if (this.diagEnabled(group) || (this.diagLo & Number(HV_EVENTLOG_ENABLE_DIAG_ADMIN)) !== 0) {
      this.emit(HvEventLogType.HvEventLogTypeLocalDiagnostics, null, eventType, fill())
    }
  }
}
