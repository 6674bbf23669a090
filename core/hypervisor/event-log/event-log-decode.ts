/**
 * Decoder of an event-log buffer (TLFS 19.2, appendix I) for the UI: the buffer header and the
 * complete entries below NextBufferOffset. Malformed bytes (a Size below 16, not a multiple of
 * 8, or running past the buffer) stop decoding instead of throwing.
 */
import { EVENTLOG_ENTRY_HEADER_SIZE, EventLogHeader as H, HV_TRACE_EVENT_NAMES } from './event-log-types'

export interface EventLogBufferHeader {
  bufferSize: number
  bufferIndex: number
  eventsLost: number
  referenceCounter: number
  timeStamp: bigint
  logicalProcessor: number
  bufferState: number
  nextBufferOffset: number
  type: number
  nextBufferIndex: number
}

export interface EventLogEntry {
  context: number
  size: number
  /** Appendix I event number and its name (e.g. "HV_TR_OB_CREATE_PARTITION"). */
  type: number
  name: string
  timeStamp: bigint
  params: bigint[]
}

export function decodeEventLogHeader(bytes: Uint8Array): EventLogBufferHeader | null {
  if (bytes.byteLength < H.Size) return null
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return {
    bufferSize: v.getUint32(H.BufferSize, true),
    bufferIndex: v.getUint32(H.BufferIndex, true),
    eventsLost: v.getUint32(H.EventsLost, true),
    referenceCounter: v.getUint32(H.ReferenceCounter, true),
    timeStamp: v.getBigUint64(H.TimeStamp, true),
    logicalProcessor: v.getUint32(H.LogicalProcessor, true),
    bufferState: v.getUint32(H.BufferState, true),
    nextBufferOffset: Number(v.getBigUint64(H.NextBufferOffset, true) & 0xffffffffn),
    type: v.getUint32(H.Type, true),
    nextBufferIndex: v.getUint32(H.NextBufferIndex, true),
  }
}

/** The entries of one buffer (all its pages concatenated). */
export function decodeEventLogBuffer(bytes: Uint8Array): EventLogEntry[] {
  const h = decodeEventLogHeader(bytes)
  if (!h) return []
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = Math.min(h.nextBufferOffset, bytes.byteLength)
  const out: EventLogEntry[] = []
  let at: number = H.Size
  while (at + EVENTLOG_ENTRY_HEADER_SIZE <= end) {
    const size = v.getUint16(at + 4, true)
    if (size < EVENTLOG_ENTRY_HEADER_SIZE || size % 8 !== 0 || at + size > end) break
    const type = v.getUint16(at + 6, true)
    const params: bigint[] = []
    for (let p = at + EVENTLOG_ENTRY_HEADER_SIZE; p < at + size; p += 8) params.push(v.getBigUint64(p, true))
    out.push({
      context: v.getUint32(at, true), size, type, name: HV_TRACE_EVENT_NAMES[type] ?? `event 0x${type.toString(16)}`,
      timeStamp: v.getBigUint64(at + 8, true), params,
    })
    at += size
  }
  return out
}
