/**
 * HvPostDebugData, HvRetrieveDebugData and HvResetDebugSession (TLFS 20.3). Common checks in
 * the DECISION order of inventory §7.3: FEATURE_UNAVAILABLE (no debugging support), then
 * ACCESS_DENIED (no Debugging privilege), then OPERATION_DENIED (DebugChannelId 0), then the
 * parameters. DECISION: the data blocks are a full page (8 + 4088 bytes) in the table, so a
 * native caller passes page-aligned input/output GPAs; RETRIEVE_LOOP and POST_LOOP return at
 * once (the spec allows it).
 */
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_FEATURE_UNAVAILABLE, HV_STATUS_INACTIVE, HV_STATUS_INSUFFICIENT_BUFFERS,
  HV_STATUS_INVALID_PARAMETER, HV_STATUS_NO_DATA, HV_STATUS_OPERATION_DENIED, HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionProperty as P } from '../partition-properties'
import { hasPrivilege, HvPrivilege } from '../privileges'
import {
  HV_DEBUG_MAXIMUM_DATA_SIZE, HV_DEBUG_POST_LOOP, HV_DEBUG_PURGE_INCOMING_DATA, HV_DEBUG_PURGE_OUTGOING_DATA,
  HV_DEBUG_RETRIEVE_LOOP, HV_DEBUG_RETRIEVE_TEST_ACTIVITY, type DebugSession,
} from './debug-session'

function sessionOf(f: HypercallFrame): DebugSession | HvStatus {
  if (!f.hv.debug.available) return HV_STATUS_FEATURE_UNAVAILABLE
  if (!hasPrivilege(f.caller.privileges, HvPrivilege.Debugging)) return HV_STATUS_ACCESS_DENIED
  if ((f.caller.properties.get(P.HvPartitionPropertyDebugChannelId) ?? 0n) === 0n) return HV_STATUS_OPERATION_DENIED
  return f.hv.debug.session(f.caller)
}

/** Input: 0 Count u32 | 4 Options u32 | 8 Data[Count]. Output: 0 PendingCount u32. */
export function HvPostDebugData(f: HypercallFrame): HvStatus {
  const s = sessionOf(f)
  if (typeof s === 'number') return s
  const count = f.input.getUint32(0, true)
  const options = f.input.getUint32(4, true)
  if (count > HV_DEBUG_MAXIMUM_DATA_SIZE || (options & ~HV_DEBUG_POST_LOOP) !== 0) return HV_STATUS_INVALID_PARAMETER
  if (s.outgoing.free < count) return HV_STATUS_INSUFFICIENT_BUFFERS // all or nothing (20.1.3)
  if (count > 0) {
    s.outgoing.push(new Uint8Array(f.input.buffer, f.input.byteOffset + 8, count))
    s.drain()
  }
  f.output.setUint32(0, s.outgoing.length, true)
  f.output.setUint32(4, 0, true)
  return HV_STATUS_SUCCESS
}

/** Input: 0 Count u32 | 4 Options u32 | 8 Timeout u64. Output: 0 RetrievedCount | 4 RemainingCount | 8 Data. */
export function HvRetrieveDebugData(f: HypercallFrame): HvStatus {
  const s = sessionOf(f)
  if (typeof s === 'number') return s
  const count = f.input.getUint32(0, true)
  const options = f.input.getUint32(4, true)
  if (count > HV_DEBUG_MAXIMUM_DATA_SIZE || (options & ~(HV_DEBUG_RETRIEVE_LOOP | HV_DEBUG_RETRIEVE_TEST_ACTIVITY)) !== 0) {
    return HV_STATUS_INVALID_PARAMETER
  }
  const debug = f.hv.debug
  const active = s.seenReceived !== debug.received
  s.seenReceived = debug.received
  // 20.3.2: the activity test comes before anything else.
  if ((options & HV_DEBUG_RETRIEVE_TEST_ACTIVITY) !== 0 && !active) return HV_STATUS_INACTIVE
  if (s.incoming.length === 0) return HV_STATUS_NO_DATA
  const data = s.incoming.take(count)
  f.output.setUint32(0, data.length, true)
  f.output.setUint32(4, s.incoming.length, true)
  for (let i = 0; i < data.length; i++) f.output.setUint8(8 + i, data[i])
  return HV_STATUS_SUCCESS
}

/** Input: 0 Options u32 | 4 pad. */
export function HvResetDebugSession(f: HypercallFrame): HvStatus {
  const s = sessionOf(f)
  if (typeof s === 'number') return s
  const options = f.input.getUint32(0, true)
  const all = HV_DEBUG_PURGE_INCOMING_DATA | HV_DEBUG_PURGE_OUTGOING_DATA
  if (options === 0 || (options & ~all) !== 0) return HV_STATUS_INVALID_PARAMETER
  let purged = 0
  if (options & HV_DEBUG_PURGE_INCOMING_DATA) {
    purged += s.incoming.length
    s.incoming.clear()
  }
  if (options & HV_DEBUG_PURGE_OUTGOING_DATA) {
    purged += s.outgoing.length
    s.outgoing.clear()
  }
  return purged === 0 ? HV_STATUS_NO_DATA : HV_STATUS_SUCCESS
}
