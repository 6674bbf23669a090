/**
 * Wrapper interface (TLFS "HvXxx" functions) for the hypercalls of chapters 19-23, as the
 * root — the host app — calls them, plus the host's polling API for live views: the stats
 * page of any object (`readStatsPage`, decoded with stats/stats-page.ts `decodeStatsPage`)
 * and mapped event-log buffers (`readEventLogBuffer`, decoded with event-log-decode.ts).
 * Each function lays out the native input block and dispatches through the same table and
 * handlers a guest VMCALL reaches. `new HvServicesWrapper(hv, partition)` calls as another
 * partition (tests use it for privilege checks).
 */
import { PAGE_SIZE } from '../../memory/guest-memory'
import { HV_STATUS_SUCCESS, type HvStatus } from '../hv-status'
import { HvCall } from '../hypercall-codes'
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import type { StatsObject } from '../stats/statistics'
import { HvStatsObjectType as T } from '../stats/stats-types'
import { HvCallGetSystemProperty } from './system-properties'

/** Identity of a stats object (HV_STATS_OBJECT_IDENTITY fields). */
export interface StatsObjectIds {
  partitionId?: bigint
  vpIndex?: number
  lpIndex?: number
  flags?: number
}

export class HvServicesWrapper {
  constructor(
    private readonly hv: Hypervisor,
    readonly caller: Partition = hv.root,
  ) {}

  private get in(): DataView {
    return this.hv.input()
  }
  private get out(): DataView {
    return this.hv.output()
  }
  private call(code: number, fast = false): HvStatus {
    return this.hv.callFromHost(this.caller, code, { fast }).status
  }
  private clear(n: number): void {
    for (let i = 0; i < n; i += 8) this.in.setBigUint64(i, 0n, true)
  }
  private identity(type: number, ids: StatsObjectIds): void {
    this.clear(32)
    this.in.setUint32(0, type >>> 0, true)
    if (type === T.HvStatsObjectLogicalProcessor) this.in.setUint32(8, ids.lpIndex ?? 0, true)
    if (type === T.HvStatsObjectPartition || type === T.HvStatsObjectVp) {
      this.in.setBigUint64(8, BigInt.asUintN(64, ids.partitionId ?? 0n), true)
      if (type === T.HvStatsObjectVp) this.in.setUint32(16, ids.vpIndex ?? 0, true)
      this.in.setUint16(20, ids.flags ?? 0, true)
    }
  }

  // ---------------------------------------------------------------- ch. 21

  HvMapStatsPage(type: number, ids: StatsObjectIds, targetGpaPage: bigint): HvStatus {
    this.identity(type, ids)
    this.in.setBigUint64(24, BigInt.asUintN(64, targetGpaPage), true)
    return this.call(HvCall.HvCallMapStatsPage)
  }
  HvUnmapStatsPage(type: number, ids: StatsObjectIds): HvStatus {
    this.identity(type, ids)
    return this.call(HvCall.HvCallUnmapStatsPage)
  }

  /** Host polling API: a fresh copy of the object's stats page, or undefined when the object does not exist. */
  readStatsPage(type: number, ids: StatsObjectIds = {}): Uint8Array | undefined {
    const hv = this.hv
    let obj: StatsObject | undefined
    if (type === T.HvStatsObjectHypervisor) obj = { type }
    else if (type === T.HvStatsObjectLogicalProcessor) {
      const lpIndex = ids.lpIndex ?? 0
      if (lpIndex < hv.config.logicalProcessorCount) obj = { type, lpIndex }
    } else if (type === T.HvStatsObjectPartition || type === T.HvStatsObjectVp) {
      const p = hv.partitions.get(ids.partitionId ?? 0n)
      if (p && type === T.HvStatsObjectPartition) obj = { type, partition: p }
      const vp = p?.vp(ids.vpIndex ?? 0)
      if (vp && type === T.HvStatsObjectVp) obj = { type, vp }
    }
    return obj ? hv.stats.readPage(obj) : undefined
  }

  /** Bytes of a root GPA page the hypervisor overlaid (stats page, event-log buffer page). */
  readRootPage(gpaPage: number): Uint8Array | undefined {
    return this.hv.rootOverlays.read(gpaPage)
  }

  // ---------------------------------------------------------------- ch. 19

  HvInitializeEventLogBufferGroup(type: number, maximumBufferCount: number, bufferPages: number, threshold: number, timeBasis: number, systemTime = 0n): HvStatus {
    this.clear(32)
    const v = this.in
    v.setUint32(0, type >>> 0, true)
    v.setUint32(4, maximumBufferCount >>> 0, true)
    v.setUint32(8, bufferPages >>> 0, true)
    v.setUint32(12, threshold >>> 0, true)
    v.setUint32(16, timeBasis >>> 0, true)
    v.setBigUint64(24, BigInt.asUintN(64, systemTime), true)
    return this.call(HvCall.HvCallInitializeEventLogBufferGroup)
  }
  private typeIndex(code: number, type: number, index: number): HvStatus {
    this.clear(16)
    this.in.setUint32(0, type >>> 0, true)
    this.in.setUint32(4, index >>> 0, true)
    return this.call(code)
  }
  HvFinalizeEventLogBufferGroup(type: number): HvStatus {
    return this.typeIndex(HvCall.HvCallFinalizeEventLogBufferGroup, type, 0)
  }
  HvCreateEventLogBuffer(type: number, bufferIndex: number, proximity = { id: 0, flags: 0 }): HvStatus {
    this.clear(16)
    this.in.setUint32(0, type >>> 0, true)
    this.in.setUint32(4, bufferIndex >>> 0, true)
    this.in.setUint32(8, proximity.id >>> 0, true)
    this.in.setUint32(12, proximity.flags >>> 0, true)
    return this.call(HvCall.HvCallCreateEventLogBuffer)
  }
  HvDeleteEventLogBuffer(type: number, bufferIndex: number): HvStatus {
    return this.typeIndex(HvCall.HvCallDeleteEventLogBuffer, type, bufferIndex)
  }
  HvMapEventLogBuffer(type: number, bufferIndex: number): { status: HvStatus; gpaPages: number[] } {
    const status = this.typeIndex(HvCall.HvCallMapEventLogBuffer, type, bufferIndex)
    const gpaPages: number[] = []
    if (status === HV_STATUS_SUCCESS) {
      const n = this.hv.eventLog.groups[type]!.geometry.bufferPages
      for (let i = 0; i < n; i++) gpaPages.push(Number(this.out.getBigUint64(i * 8, true)))
    }
    return { status, gpaPages }
  }
  HvUnmapEventLogBuffer(type: number, bufferIndex: number): HvStatus {
    return this.typeIndex(HvCall.HvCallUnmapEventLogBuffer, type, bufferIndex)
  }
  HvSetEventLogGroupSources(type: number, enableFlags: bigint): HvStatus {
    this.clear(16)
    this.in.setUint32(0, type >>> 0, true)
    this.in.setBigUint64(8, BigInt.asUintN(64, enableFlags), true)
    return this.call(HvCall.HvCallSetEventLogGroupSources)
  }
  HvReleaseEventLogBuffer(type: number, bufferIndex: number): HvStatus {
    return this.typeIndex(HvCall.HvCallReleaseEventLogBuffer, type, bufferIndex)
  }
  HvFlushEventLogBuffer(type: number, bufferIndex: number): HvStatus {
    return this.typeIndex(HvCall.HvCallFlushEventLogBuffer, type, bufferIndex)
  }

  /** Host API: the whole mapped buffer (its pages concatenated), for decodeEventLogBuffer. */
  readEventLogBuffer(gpaPages: number[]): Uint8Array {
    const out = new Uint8Array(gpaPages.length * PAGE_SIZE)
    gpaPages.forEach((g, i) => {
      const page = this.hv.rootOverlays.read(g)
      if (page) out.set(page, i * PAGE_SIZE)
    })
    return out
  }

  // ---------------------------------------------------------------- ch. 20

  HvPostDebugData(data: Uint8Array, options = 0, count = data.length): { status: HvStatus; pendingCount: number } {
    this.in.setUint32(0, count >>> 0, true)
    this.in.setUint32(4, options >>> 0, true)
    for (let i = 0; i < Math.min(data.length, 4088); i++) this.in.setUint8(8 + i, data[i])
    const status = this.call(HvCall.HvCallPostDebugData)
    return { status, pendingCount: status === HV_STATUS_SUCCESS ? this.out.getUint32(0, true) : 0 }
  }
  HvRetrieveDebugData(count: number, options = 0, timeout = 0n): { status: HvStatus; data: Uint8Array; remainingCount: number } {
    this.in.setUint32(0, count >>> 0, true)
    this.in.setUint32(4, options >>> 0, true)
    this.in.setBigUint64(8, BigInt.asUintN(64, timeout), true)
    const status = this.call(HvCall.HvCallRetrieveDebugData)
    if (status !== HV_STATUS_SUCCESS) return { status, data: new Uint8Array(0), remainingCount: 0 }
    const n = this.out.getUint32(0, true)
    const data = new Uint8Array(n)
    for (let i = 0; i < n; i++) data[i] = this.out.getUint8(8 + i)
    return { status, data, remainingCount: this.out.getUint32(4, true) }
  }
  HvResetDebugSession(options: number): HvStatus {
    this.clear(8)
    this.in.setUint32(0, options >>> 0, true)
    return this.call(HvCall.HvCallResetDebugSession)
  }

  // ---------------------------------------------------------------- ch. 23

  HvSetSystemProperty(propertyCode: number, profileSource: number, period: bigint, reserved = 0): HvStatus {
    this.clear(24)
    this.in.setUint32(0, propertyCode >>> 0, true)
    this.in.setUint32(8, profileSource >>> 0, true)
    this.in.setUint32(12, reserved >>> 0, true)
    this.in.setBigUint64(16, BigInt.asUintN(64, period), true)
    return this.call(HvCall.HvCallSetSystemProperty)
  }
  HvGetSystemProperty(propertyCode: number): { status: HvStatus; profileSource: number; period: bigint } {
    this.clear(8)
    this.in.setUint32(0, propertyCode >>> 0, true)
    const status = this.call(HvCallGetSystemProperty)
    const ok = status === HV_STATUS_SUCCESS
    return { status, profileSource: ok ? this.out.getUint32(0, true) : 0, period: ok ? this.out.getBigUint64(8, true) : 0n }
  }
}
