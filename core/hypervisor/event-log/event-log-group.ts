/**
 * One event-log buffer group (TLFS 19.1-19.2): its geometry, its buffers and the buffer state
 * machine Standby → Free → InUse → Complete → Ready → Free (19.1.7), the free list, the
 * per-LP InUse buffer and pending list (local class) or the single ones (global class), lost
 * events, and appending entries. Buffer bytes are the real pages the root maps; headers are
 * written in HV_EVENTLOG_BUFFER_HEADER format, entries in HV_EVENTLOG_ENTRY_HEADER format
 * followed by u64 parameters (DECISION: appendix I defines no data layout).
 */
import { PAGE_SIZE } from '../../memory/guest-memory'
import {
  EVENTLOG_ENTRY_HEADER_SIZE, EventLogHeader as H, HV_EVENTLOG_BUFFER_INDEX_NONE, HvEventLogBufferState as S,
  HvEventLogType, type HvEventLogBufferState,
} from './event-log-types'

export class EventLogBuffer {
  state: HvEventLogBufferState = S.HvEventLogBufferStateStandby
  readonly bytes: Uint8Array
  readonly view: DataView
  /** Root GPA pages while mapped. */
  gpaPages: number[] = []
  /** Next free byte (mirrors NextBufferOffset while InUse). */
  offset: number = H.Size

  constructor(readonly type: number, readonly index: number, pages: number) {
    this.bytes = new Uint8Array(pages * PAGE_SIZE)
    this.view = new DataView(this.bytes.buffer)
    const v = this.view
    v.setUint32(H.BufferSize, this.bytes.length, true)
    v.setUint32(H.BufferIndex, index, true)
    v.setUint32(H.Type, type, true)
    v.setUint32(H.NextBufferIndex, HV_EVENTLOG_BUFFER_INDEX_NONE, true)
    this.setState(S.HvEventLogBufferStateStandby)
  }

  setState(s: HvEventLogBufferState): void {
    this.state = s
    this.view.setUint32(H.BufferState, s, true)
  }
}

export interface GroupGeometry {
  maximumBufferCount: number
  bufferPages: number
  threshold: number
  timeBasis: number
  systemTime: bigint
}

/** Called when a list of Ready buffers is handed to the root: (type, first index, LP). */
export type ReadyListSink = (type: number, firstIndex: number, lp: number) => void

export class EventLogGroup {
  readonly buffers: Array<EventLogBuffer | undefined>
  enableFlags = 0n
  private readonly free: number[] = []
  /** Per LP slot (one slot for the global class): the InUse buffer index or -1. */
  private readonly inUse: Int32Array
  private readonly pending: number[][]
  private readonly lost: Float64Array
  private readonly sequence: Float64Array
  readonly local: boolean

  constructor(readonly type: number, readonly geometry: GroupGeometry, lpCount: number, private readonly sink: ReadyListSink) {
    this.local = type === HvEventLogType.HvEventLogTypeLocalDiagnostics
    const slots = this.local ? lpCount : 1
    this.buffers = new Array<EventLogBuffer | undefined>(geometry.maximumBufferCount).fill(undefined)
    this.inUse = new Int32Array(slots).fill(-1)
    this.pending = Array.from({ length: slots }, () => [])
    this.lost = new Float64Array(slots)
    this.sequence = new Float64Array(slots)
  }

  get bufferCount(): number {
    let n = 0
    for (const b of this.buffers) if (b) n++
    return n
  }

  // ---------------------------------------------------------------- root operations (19.3)

  create(index: number): EventLogBuffer {
    const b = new EventLogBuffer(this.type, index, this.geometry.bufferPages)
    this.buffers[index] = b
    return b
  }

  remove(index: number): void {
    this.buffers[index] = undefined
  }

  /** Standby → Free: the buffer joins the free list. */
  mapped(b: EventLogBuffer, gpaPages: number[]): void {
    b.gpaPages = gpaPages
    b.setState(S.HvEventLogBufferStateFree)
    this.free.push(b.index)
  }

  /** Free or Ready → Standby. */
  unmapped(b: EventLogBuffer): void {
    const i = this.free.indexOf(b.index)
    if (i >= 0) this.free.splice(i, 1)
    b.gpaPages = []
    b.setState(S.HvEventLogBufferStateStandby)
  }

  /** Ready → Free. */
  release(b: EventLogBuffer): void {
    b.setState(S.HvEventLogBufferStateFree)
    this.free.push(b.index)
  }

  /** InUse → Complete, then the LP's pending list → Ready with a message regardless of the threshold. */
  flush(b: EventLogBuffer): void {
    const slot = this.slotOf(b)
    if (slot < 0) return
    this.complete(slot)
    this.readyList(slot)
  }

  private slotOf(b: EventLogBuffer): number {
    for (let s = 0; s < this.inUse.length; s++) if (this.inUse[s] === b.index) return s
    return -1
  }

  // ---------------------------------------------------------------- logging

  /**
   * Append an entry from LP `lp`: event number `eventType`, `n` u64 parameters in `params`.
   * Returns false when the event was lost (no free buffer).
   */
  append(lp: number, timeStamp: bigint, referenceTime: number, eventType: number, params: ArrayLike<bigint>, n: number): boolean {
    const slot = this.local ? lp : 0
    const size = EVENTLOG_ENTRY_HEADER_SIZE + 8 * n
    let b = this.current(slot)
    if (b && b.offset + size > b.bytes.length) {
      this.complete(slot)
      if (this.pending[slot].length >= this.geometry.threshold) this.readyList(slot)
      b = undefined
    }
    if (!b) b = this.take(slot, lp, referenceTime)
    if (!b || b.offset + size > b.bytes.length) {
      this.lost[slot]++
      return false
    }
    const v = b.view
    const at = b.offset
    v.setUint32(at, 0, true) // Context: defined by the type; none here
    v.setUint16(at + 4, size, true)
    v.setUint16(at + 6, eventType, true)
    v.setBigUint64(at + 8, timeStamp, true)
    for (let i = 0; i < n; i++) v.setBigUint64(at + 16 + 8 * i, BigInt.asUintN(64, params[i]), true)
    b.offset = at + size
    // 19.2: NextBufferOffset moves only after the entry is complete.
    v.setBigUint64(H.NextBufferOffset, BigInt(b.offset), true)
    this.sequence[slot]++
    return true
  }

  private current(slot: number): EventLogBuffer | undefined {
    const i = this.inUse[slot]
    return i < 0 ? undefined : this.buffers[i]
  }

  /** Free → InUse for `slot`. */
  private take(slot: number, lp: number, referenceTime: number): EventLogBuffer | undefined {
    const index = this.free.shift()
    if (index === undefined) return undefined
    const b = this.buffers[index]!
    const v = b.view
    b.offset = H.Size
    v.setUint32(H.EventsLost, Math.min(this.lost[slot], 0xffffffff), true)
    this.lost[slot] = 0
    v.setUint32(H.ReferenceCounter, this.sequence[slot] % 0x100000000, true) // DECISION: the "EventCount" of 19.2
    v.setBigUint64(H.TimeStamp, BigInt(Math.floor(referenceTime)), true)
    v.setUint32(H.LogicalProcessor, this.local ? lp : 0, true)
    v.setBigUint64(H.NextBufferOffset, BigInt(H.Size), true)
    v.setUint32(H.NextBufferIndex, HV_EVENTLOG_BUFFER_INDEX_NONE, true)
    b.setState(S.HvEventLogBufferStateInUse)
    this.inUse[slot] = index
    return b
  }

  /** The slot's InUse buffer → Complete, appended to its pending list. */
  private complete(slot: number): void {
    const b = this.current(slot)
    if (!b) return
    this.inUse[slot] = -1
    b.setState(S.HvEventLogBufferStateComplete)
    this.pending[slot].push(b.index)
  }

  /** Every pending buffer of `slot` → Ready, linked through NextBufferIndex; one message names the first. */
  private readyList(slot: number): void {
    const list = this.pending[slot]
    if (list.length === 0) return
    for (let i = 0; i < list.length; i++) {
      const b = this.buffers[list[i]]!
      b.view.setUint32(H.NextBufferIndex, i + 1 < list.length ? list[i + 1] : HV_EVENTLOG_BUFFER_INDEX_NONE, true)
      b.setState(S.HvEventLogBufferStateReady)
    }
    const first = list[0]
    this.pending[slot] = []
    this.sink(this.type, first, slot)
  }
}
