/**
 * The event-logging hypercalls 0x0060-0x0068 (TLFS 19.3): root-only management of buffer
 * groups and buffers. Pages come from the root's pool: DECISION: one infrastructure page per
 * group, BufferPages per buffer. Mapped buffers become overlay pages of the root's GPA space
 * at hypervisor-chosen GPAs (system/root-overlays.ts), returned by HvMapEventLogBuffer.
 * DECISION (inventory §6.5): SystemTime of HvInitializeEventLogBufferGroup sits at offset 24
 * (natural alignment); Threshold must be 1..MaximumBufferCount.
 */
import { PAGE_SIZE } from '../../memory/guest-memory'
import { checkProximity } from '../calls/target'
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_INSUFFICIENT_MEMORY, HV_STATUS_INVALID_PARAMETER, HV_STATUS_OBJECT_IN_USE,
  HV_STATUS_OPERATION_DENIED, HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { EventLogGroup, type EventLogBuffer } from './event-log-group'
import {
  HV_EVENTLOG_ENTRY_TIME_TSC, HV_EVENTLOG_MAX_BUFFER_COUNT, HV_EVENTLOG_MAX_BUFFER_PAGES, HvEventLogBufferState as S,
} from './event-log-types'

const INFRASTRUCTURE_PAGES = 1

/** Root check and Type check shared by every call: the group (may be undefined) or a status. */
function groupOf(f: HypercallFrame): { group: EventLogGroup | undefined } | HvStatus {
  if (!f.caller.isRoot) return HV_STATUS_ACCESS_DENIED
  const type = f.input.getUint32(0, true)
  if (type > 1) return HV_STATUS_INVALID_PARAMETER
  return { group: f.hv.eventLog.groups[type] }
}

/** Group must be initialized and the buffer must exist. */
function bufferOf(f: HypercallFrame): { group: EventLogGroup; buffer: EventLogBuffer } | HvStatus {
  const g = groupOf(f)
  if (typeof g === 'number') return g
  if (!g.group) return HV_STATUS_OPERATION_DENIED
  const index = f.input.getUint32(4, true)
  const buffer = index < g.group.buffers.length ? g.group.buffers[index] : undefined
  if (!buffer) return HV_STATUS_INVALID_PARAMETER
  return { group: g.group, buffer }
}

export function HvInitializeEventLogBufferGroup(f: HypercallFrame): HvStatus {
  const g = groupOf(f)
  if (typeof g === 'number') return g
  const v = f.input
  const type = v.getUint32(0, true)
  const maximumBufferCount = v.getUint32(4, true)
  const bufferPages = v.getUint32(8, true)
  const threshold = v.getUint32(12, true)
  const timeBasis = v.getUint32(16, true)
  if (maximumBufferCount < 1 || maximumBufferCount > HV_EVENTLOG_MAX_BUFFER_COUNT) return HV_STATUS_INVALID_PARAMETER
  if (bufferPages < 1 || bufferPages > HV_EVENTLOG_MAX_BUFFER_PAGES) return HV_STATUS_INVALID_PARAMETER
  if (threshold < 1 || threshold > maximumBufferCount || timeBasis > HV_EVENTLOG_ENTRY_TIME_TSC) return HV_STATUS_INVALID_PARAMETER
  if (g.group) return HV_STATUS_OBJECT_IN_USE
  if (!f.hv.root.allocate(INFRASTRUCTURE_PAGES)) return HV_STATUS_INSUFFICIENT_MEMORY
  const log = f.hv.eventLog
  log.groups[type] = new EventLogGroup(
    type, { maximumBufferCount, bufferPages, threshold, timeBasis, systemTime: v.getBigUint64(24, true) },
    f.hv.config.logicalProcessorCount, (t, i, lp) => log.postBuffersReady(t, i, lp),
  )
  log.syncMasks()
  return HV_STATUS_SUCCESS
}

export function HvFinalizeEventLogBufferGroup(f: HypercallFrame): HvStatus {
  const g = groupOf(f)
  if (typeof g === 'number') return g
  if (!g.group || g.group.bufferCount > 0 || g.group.enableFlags !== 0n) return HV_STATUS_OPERATION_DENIED
  f.hv.eventLog.groups[g.group.type] = undefined
  f.hv.root.release(INFRASTRUCTURE_PAGES)
  f.hv.eventLog.syncMasks()
  return HV_STATUS_SUCCESS
}

export function HvCreateEventLogBuffer(f: HypercallFrame): HvStatus {
  const g = groupOf(f)
  if (typeof g === 'number') return g
  if (checkProximity(f.input, 8) !== 0) return HV_STATUS_INVALID_PARAMETER
  if (!g.group) return HV_STATUS_OPERATION_DENIED
  const index = f.input.getUint32(4, true)
  if (index >= g.group.buffers.length || g.group.buffers[index]) return HV_STATUS_INVALID_PARAMETER
  if (!f.hv.root.allocate(g.group.geometry.bufferPages)) return HV_STATUS_INSUFFICIENT_MEMORY
  g.group.create(index)
  return HV_STATUS_SUCCESS
}

export function HvDeleteEventLogBuffer(f: HypercallFrame): HvStatus {
  const r = bufferOf(f)
  if (typeof r === 'number') return r
  if (r.buffer.state !== S.HvEventLogBufferStateStandby) return HV_STATUS_OPERATION_DENIED
  r.group.remove(r.buffer.index)
  f.hv.root.release(r.group.geometry.bufferPages)
  return HV_STATUS_SUCCESS
}

/** Output: GpaPages[BufferPages] (u64 root GPA page numbers). */
export function HvMapEventLogBuffer(f: HypercallFrame): HvStatus {
  const r = bufferOf(f)
  if (typeof r === 'number') return r
  if (r.buffer.state !== S.HvEventLogBufferStateStandby) return HV_STATUS_OPERATION_DENIED
  const overlays = f.hv.rootOverlays
  const pages = overlays.allocate(r.group.geometry.bufferPages)
  if (pages.length < r.group.geometry.bufferPages) return HV_STATUS_INSUFFICIENT_MEMORY
  pages.forEach((gpa, i) => {
    overlays.map(gpa, r.buffer.bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE))
    f.output.setBigUint64(i * 8, BigInt(gpa), true)
  })
  r.group.mapped(r.buffer, pages)
  return HV_STATUS_SUCCESS
}

export function HvUnmapEventLogBuffer(f: HypercallFrame): HvStatus {
  const r = bufferOf(f)
  if (typeof r === 'number') return r
  const s = r.buffer.state
  // 19.3.6 lists ACCESS_DENIED (not OPERATION_DENIED) for a buffer outside Free/Ready.
  if (s !== S.HvEventLogBufferStateFree && s !== S.HvEventLogBufferStateReady) return HV_STATUS_ACCESS_DENIED
  for (const gpa of r.buffer.gpaPages) f.hv.rootOverlays.unmap(gpa)
  r.group.unmapped(r.buffer)
  return HV_STATUS_SUCCESS
}

export function HvSetEventLogGroupSources(f: HypercallFrame): HvStatus {
  const g = groupOf(f)
  if (typeof g === 'number') return g
  if (!g.group) return HV_STATUS_OPERATION_DENIED
  g.group.enableFlags = f.input.getBigUint64(8, true)
  f.hv.eventLog.syncMasks()
  return HV_STATUS_SUCCESS
}

export function HvReleaseEventLogBuffer(f: HypercallFrame): HvStatus {
  const r = bufferOf(f)
  if (typeof r === 'number') return r
  if (r.buffer.state !== S.HvEventLogBufferStateReady) return HV_STATUS_OPERATION_DENIED
  r.group.release(r.buffer)
  return HV_STATUS_SUCCESS
}

export function HvFlushEventLogBuffer(f: HypercallFrame): HvStatus {
  const r = bufferOf(f)
  if (typeof r === 'number') return r
  if (r.buffer.state !== S.HvEventLogBufferStateInUse) return HV_STATUS_OPERATION_DENIED
  r.group.flush(r.buffer)
  return HV_STATUS_SUCCESS
}
