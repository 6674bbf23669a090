/**
 * What the root partition (the host app) does with the hypervisor's services for one VM:
 * maps the stats pages of the hypervisor, each LP, the child partition and each of its VPs
 * into its own GPA space with HvMapStatsPage and reads them (TLFS ch. 21, appendix J);
 * initializes the two event-log buffer groups, creates and maps their buffers, enables the
 * group sources, and drains Ready buffer lists into a decoded ring (ch. 19, appendix I); and
 * opens the child's debug session (ch. 20) by granting the Debugging privilege and a
 * DebugChannelId. One instance lives as long as the Machine (it survives resets, which
 * build a new Hypervisor: `attach` is called again).
 */
import type { Hypervisor } from '../hypervisor/hypervisor'
import { HV_STATUS_SUCCESS } from '../hypervisor/hv-status'
import { HvPartitionProperty } from '../hypervisor/partition-properties'
import { HvPrivilege } from '../hypervisor/privileges'
import { HvServicesWrapper } from '../hypervisor/system/services-wrapper'
import { decodeStatsPage } from '../hypervisor/stats/stats-page'
import { HvStatsObjectType as T } from '../hypervisor/stats/stats-types'
import { decodeEventLogBuffer, decodeEventLogHeader } from '../hypervisor/event-log/event-log-decode'
import {
  EventLogHeader, HV_EVENTLOG_BUFFER_INDEX_NONE, HV_EVENTLOG_ENABLE_SYSTEM_FAILURE, HV_EVENTLOG_ENABLE_SYSTEM_SUCCESS,
  HV_EVENTLOG_ENTRY_TIME_REFERENCE, HvEventLogBufferState, HvEventLogGroup as G, HvEventLogType,
} from '../hypervisor/event-log/event-log-types'
import type { DebugHostEnd } from '../hypervisor/debug/debug-session'
import type { HvEventLogRecord, HvStatsObject, HvStatsSnapshot } from './machine-api'

/** Buffers per group and pages per buffer: 8 KiB per buffer holds a few hundred events. */
const BUFFERS_PER_GROUP = 16
const BUFFER_PAGES = 2
/** Decoded entries kept for the UI (oldest dropped first). */
export const EVENT_RING_CAPACITY = 20_000

/**
 * Root GPA pages the root deposits into its own pool for the event-log infrastructure and
 * buffers (19.3: they come from the root's pool). DECISION: a range far above what core/whp
 * deposits for partitions (from page 0x100 up) and below the hypervisor-placed overlays
 * (allocated from the top of the root space down).
 */
const ROOT_DEPOSIT_BASE = 0x300000
const ROOT_DEPOSIT_PAGES = 2 * (1 + BUFFERS_PER_GROUP * BUFFER_PAGES)

/** LocalDiagnostics groups the manager watches: lifecycle, hypercalls, intercepts, TLB flushes. */
const DIAG_SOURCES = G.Hypercall | G.InterceptManager | G.ObjectManager | G.VirtualProcessorManager | G.AddressManagerGva

/** A circular buffer of records with increasing (not necessarily consecutive) seqs. */
class SeqRing {
  private readonly slots: Array<HvEventLogRecord | undefined> = new Array(EVENT_RING_CAPACITY)
  private head = 0
  count = 0

  push(rec: HvEventLogRecord): void {
    if (this.count < EVENT_RING_CAPACITY) {
      this.slots[(this.head + this.count) % EVENT_RING_CAPACITY] = rec
      this.count++
    } else {
      this.slots[this.head] = rec // overwrite the oldest
      this.head = (this.head + 1) % EVENT_RING_CAPACITY
    }
  }

  at(i: number): HvEventLogRecord {
    return this.slots[(this.head + i) % EVENT_RING_CAPACITY]!
  }

  /** Index of the first record with seq > cursor (binary search). */
  after(cursor: number): number {
    let lo = 0, hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.at(mid).seq <= cursor) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/**
 * Decoded event-log entries with a monotonically increasing sequence number (the cursor).
 * Per-instruction events (intercepts, hypercalls, TLB flushes) arrive thousands per second
 * and are kept in a ring of their own, so they never push out the rare lifecycle events
 * (partition and VP creation, scheduling) that a user opens the log to find.
 */
export class EventRing {
  private readonly frequent = new SeqRing()
  private readonly lifecycle = new SeqRing()
  private nextSeq = 1
  /** Events the hypervisor reported lost (EventsLost of each buffer header). */
  lost = 0

  push(e: Omit<HvEventLogRecord, 'seq'>): void {
    const rec = { ...e, seq: this.nextSeq++ }
    const frequent = e.name.startsWith('HV_TR_IM_') || e.name.startsWith('HV_TR_HC_') || e.name.startsWith('HV_TR_AM_')
    ;(frequent ? this.frequent : this.lifecycle).push(rec)
  }

  /** Entries with seq > cursor, at most `limit` of them (the oldest first). */
  since(cursor: number, limit: number): { entries: HvEventLogRecord[]; cursor: number } {
    const out: HvEventLogRecord[] = []
    const a = this.frequent, b = this.lifecycle
    let i = a.after(cursor), j = b.after(cursor)
    while (out.length < limit && (i < a.count || j < b.count)) {
      if (j >= b.count || (i < a.count && a.at(i).seq < b.at(j).seq)) out.push(a.at(i++))
      else out.push(b.at(j++))
    }
    return { entries: out, cursor: out.length ? out[out.length - 1].seq : Math.max(cursor, 0) }
  }
}

export interface RootServicesOptions {
  debug: boolean
  onDebugData(bytes: Uint8Array): void
}

export class RootServices {
  private hv: Hypervisor | null = null
  private wrapper: HvServicesWrapper | null = null
  private partitionId = 0n
  private cpus = 0
  /** Root GPA page of each mapped stats object, keyed like `statsKeys`. */
  private readonly statsPages = new Map<string, number>()
  /** Ready lists announced by the buffers-ready message, waiting to be read (type, first index). */
  private readonly readyLists: Array<[number, number]> = []
  /** Root GPA pages of each event-log buffer, from HvMapEventLogBuffer's output, by `type:index`. */
  private readonly bufferPages = new Map<string, number[]>()
  private debugEnd: DebugHostEnd | undefined
  private unsubscribe: Array<() => void> = []
  readonly events = new EventRing()

  constructor(private readonly opts: RootServicesOptions) {}

  /**
   * Before the child partition exists: the event-log groups, so its creation is logged too.
   * Failures only cost the feature (a status, not an exception).
   */
  prepare(hv: Hypervisor): void {
    this.detach()
    this.hv = hv
    const w = (this.wrapper = new HvServicesWrapper(hv))
    const pages = Array.from({ length: ROOT_DEPOSIT_PAGES }, (_, i) => ROOT_DEPOSIT_BASE + i)
    if (ROOT_DEPOSIT_BASE + ROOT_DEPOSIT_PAGES <= (hv.root.space?.pageCount ?? 0)) hv.wrapper().HvDepositMemory(hv.root.id, pages)
    this.unsubscribe.push(hv.eventLog.onBuffersReady((_msg, info) => this.readyLists.push([info.type, info.firstIndex])))
    for (const type of [HvEventLogType.HvEventLogTypeGlobalSystemEvents, HvEventLogType.HvEventLogTypeLocalDiagnostics]) {
      // Threshold 1: every completed buffer is handed over at once (19.1.7).
      if (w.HvInitializeEventLogBufferGroup(type, BUFFERS_PER_GROUP, BUFFER_PAGES, 1, HV_EVENTLOG_ENTRY_TIME_REFERENCE) !== HV_STATUS_SUCCESS) continue
      for (let i = 0; i < BUFFERS_PER_GROUP; i++) {
        if (w.HvCreateEventLogBuffer(type, i) !== HV_STATUS_SUCCESS) break
        const mapped = w.HvMapEventLogBuffer(type, i)
        if (mapped.status === HV_STATUS_SUCCESS) this.bufferPages.set(`${type}:${i}`, mapped.gpaPages)
      }
      const sources = type === HvEventLogType.HvEventLogTypeLocalDiagnostics ? DIAG_SOURCES : HV_EVENTLOG_ENABLE_SYSTEM_SUCCESS | HV_EVENTLOG_ENABLE_SYSTEM_FAILURE
      w.HvSetEventLogGroupSources(type, sources)
    }
  }

  /** After the child partition and its VPs exist: stats pages and the debug session. */
  attach(partitionId: bigint, cpus: number): void {
    const hv = this.hv
    const w = this.wrapper
    if (!hv || !w) return
    this.partitionId = partitionId
    this.cpus = cpus
    this.statsPages.clear()
    for (const [key, type, ids] of this.statsObjects()) {
      const [page] = hv.rootOverlays.allocate(1)
      if (page === undefined) continue
      if (w.HvMapStatsPage(type, ids, BigInt(page)) === HV_STATUS_SUCCESS) this.statsPages.set(key, page)
    }
    if (this.opts.debug) {
      const root = hv.wrapper()
      const part = hv.partitions.get(partitionId)
      if (part) {
        root.HvSetPartitionProperty(partitionId, HvPartitionProperty.HvPartitionPropertyPrivilegeFlags, part.privileges | (1n << BigInt(HvPrivilege.Debugging)))
        root.HvSetPartitionProperty(partitionId, HvPartitionProperty.HvPartitionPropertyDebugChannelId, 1n)
      }
      this.debugEnd = hv.debug.host(partitionId)
      if (this.debugEnd) this.unsubscribe.push(this.debugEnd.onData((b) => this.opts.onDebugData(b.slice())))
    }
  }

  /** Forget the hypervisor instance (teardown); the event ring stays. */
  detach(): void {
    this.pump()
    for (const u of this.unsubscribe.splice(0)) u()
    this.hv = null
    this.wrapper = null
    this.debugEnd = undefined
    this.statsPages.clear()
    this.bufferPages.clear()
    this.readyLists.length = 0
  }

  private statsObjects(): Array<[string, number, { partitionId?: bigint; vpIndex?: number; lpIndex?: number }]> {
    const out: Array<[string, number, { partitionId?: bigint; vpIndex?: number; lpIndex?: number }]> = [['hypervisor:0', T.HvStatsObjectHypervisor, {}]]
    const lps = this.hv?.config.logicalProcessorCount ?? 0
    for (let i = 0; i < lps; i++) out.push([`lp:${i}`, T.HvStatsObjectLogicalProcessor, { lpIndex: i }])
    out.push(['partition:0', T.HvStatsObjectPartition, { partitionId: this.partitionId }])
    for (let i = 0; i < this.cpus; i++) out.push([`vp:${i}`, T.HvStatsObjectVp, { partitionId: this.partitionId, vpIndex: i }])
    return out
  }

  /** Reads every mapped stats page now (the root reading its own GPA pages). */
  stats(): HvStatsSnapshot {
    const objects: HvStatsObject[] = []
    const w = this.wrapper
    if (w) {
      for (const [key, type] of this.statsObjects()) {
        const page = this.statsPages.get(key)
        const bytes = page === undefined ? undefined : w.readRootPage(page)
        if (!bytes) continue
        const [kind, index] = key.split(':') as [HvStatsObject['kind'], string]
        objects.push({ kind, index: Number(index), counters: decodeStatsPage(type, bytes.slice()) })
      }
    }
    return { partitionId: this.partitionId.toString(), objects }
  }

  /** Read and release every Ready buffer list announced so far. Call outside hypercalls. */
  pump(): void {
    const w = this.wrapper
    const hv = this.hv
    while (w && hv && this.readyLists.length) {
      const [type, first] = this.readyLists.shift()!
      let index = first
      for (let guard = 0; index !== HV_EVENTLOG_BUFFER_INDEX_NONE && guard < BUFFERS_PER_GROUP; guard++) {
        const pages = this.bufferPages.get(`${type}:${index}`)
        if (!pages) break
        const bytes = w.readEventLogBuffer(pages)
        this.collect(type, bytes)
        const next = decodeEventLogHeader(bytes)?.nextBufferIndex ?? HV_EVENTLOG_BUFFER_INDEX_NONE
        w.HvReleaseEventLogBuffer(type, index)
        index = next
      }
    }
  }

  /** Hand over partially filled buffers too (HvFlushEventLogBuffer), then read them. */
  flush(): void {
    const w = this.wrapper
    const hv = this.hv
    if (!w || !hv) return
    this.pump()
    for (const type of [HvEventLogType.HvEventLogTypeGlobalSystemEvents, HvEventLogType.HvEventLogTypeLocalDiagnostics]) {
      for (let i = 0; i < BUFFERS_PER_GROUP; i++) {
        const pages = this.bufferPages.get(`${type}:${i}`)
        const page = pages && w.readRootPage(pages[0])
        if (!page) continue
        // The root sees each buffer's state in its header (19.2) and flushes the one in use.
        const state = new DataView(page.buffer, page.byteOffset).getUint32(EventLogHeader.BufferState, true)
        if (state === HvEventLogBufferState.HvEventLogBufferStateInUse) w.HvFlushEventLogBuffer(type, i)
      }
    }
    this.pump()
  }

  private collect(type: number, bytes: Uint8Array): void {
    const header = decodeEventLogHeader(bytes)
    if (!header) return
    this.events.lost += header.eventsLost
    const diagnostic = type === HvEventLogType.HvEventLogTypeLocalDiagnostics
    for (const e of decodeEventLogBuffer(bytes)) {
      // Object/VP Manager events carry the partition id (and VP index) as parameters; other
      // diagnostic events come from this VM's own partition, on LP n = VP n (one LP per VP).
      const lifecycle = e.name.startsWith('HV_TR_OB_') || e.name.startsWith('HV_TR_VP_')
      const partitionId = lifecycle && e.params.length ? e.params[0].toString() : this.partitionId.toString()
      const vp = e.name.startsWith('HV_TR_VP_') && e.params.length > 1 ? Number(e.params[1]) : diagnostic && !lifecycle ? header.logicalProcessor : null
      this.events.push({
        log: diagnostic ? 'LocalDiagnostics' : 'GlobalSystemEvents',
        type: e.type, name: e.name, timeStamp: Number(e.timeStamp), lp: header.logicalProcessor,
        partitionId, vp, params: e.params.map((p) => '0x' + p.toString(16)),
      })
    }
  }

  /** Bytes to the guest's debug session; 0 when debugging is off. */
  sendDebug(bytes: Uint8Array): number {
    return this.debugEnd ? this.debugEnd.write(bytes) : 0
  }

  get debugEnabled(): boolean {
    return this.debugEnd !== undefined
  }
}
