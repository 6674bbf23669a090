/**
 * HvSavePartitionState (0x005E) and HvRestorePartitionState (0x005F), TLFS 17.3. Each call
 * moves at most 4080 bytes; a process begins with HV_SAVE_RESTORE_STATE_START (which also
 * abandons a process in flight, releasing its context) and continues until the result is
 * no longer HvStateIncomplete; after that, or without a START, a continuation call fails
 * with HV_STATUS_INVALID_SAVE_RESTORE_STATE. The HV_STATUS reports the call; the result
 * field reports the save or restore (17.2). Check order (DECISION, inventory 3.6):
 * privilege (restore) → partition id → parentage → state → flags → suspension → session.
 * PartitionId 0 names the system and is allowed only with SUMMARY (DECISION).
 */
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_SAVE_RESTORE_STATE,
  HV_STATUS_OPERATION_DENIED, HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { Hypervisor } from '../hypervisor'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionState, type Partition } from '../partition'
import { hasPrivilege, HvPrivilege } from '../privileges'
import { resolveTarget, u64 } from '../calls/target'
import { RestoreSession } from './restore-session'
import {
  HV_SAVE_RESTORE_MAX_CHUNK, HV_SAVE_RESTORE_STATE_FLAGS_VALID, HV_SAVE_RESTORE_STATE_START, HV_SAVE_RESTORE_STATE_SUMMARY,
  HvSaveRestoreStateResult as R,
} from './save-restore-types'
import { buildSaveStream } from './stream-save'
// Sections this chapter owns (stats-page MSRs and counters; RAM beneath GPA overlays; run-time phase).
import './stats-section'
import './underlay-section'
import './vp-runtime-section'

interface SaveProcess { stream: Uint8Array; at: number; summary: boolean }

/** Save/restore contexts the hypervisor keeps between calls, per caller and target. */
const saves = new WeakMap<Hypervisor, Map<string, SaveProcess>>()
const restores = new WeakMap<Hypervisor, Map<string, RestoreSession>>()

function table<T>(m: WeakMap<Hypervisor, Map<string, T>>, hv: Hypervisor): Map<string, T> {
  let t = m.get(hv)
  if (!t) m.set(hv, (t = new Map()))
  return t
}

/** Target check shared by both calls; null target = the system (PartitionId 0 with SUMMARY). */
function target(f: HypercallFrame, id: bigint, flags: number): Partition | null | HvStatus {
  if (id === 0n) {
    if ((flags & HV_SAVE_RESTORE_STATE_SUMMARY) === 0) return HV_STATUS_INVALID_PARTITION_ID
    if ((flags & ~HV_SAVE_RESTORE_STATE_FLAGS_VALID) !== 0) return HV_STATUS_INVALID_PARAMETER
    return null
  }
  const t = resolveTarget(f, id, 'parent', [HvPartitionState.Active])
  if (typeof t === 'number') return t
  if ((flags & ~HV_SAVE_RESTORE_STATE_FLAGS_VALID) !== 0) return HV_STATUS_INVALID_PARAMETER
  return t
}

function allSuspended(p: Partition): boolean {
  return p.liveVps().every((vp) => vp.explicitSuspend)
}

export function HvSavePartitionState(f: HypercallFrame): HvStatus {
  const id = u64(f.input, 0)
  const flags = f.input.getUint32(8, true)
  const t = target(f, id, flags)
  if (typeof t === 'number') return t
  const sessions = table(saves, f.hv)
  const key = `${f.caller.id}/${id}`
  const start = (flags & HV_SAVE_RESTORE_STATE_START) !== 0
  // A continuation keeps the kind (full or summary) its START chose.
  const summary = start ? (flags & HV_SAVE_RESTORE_STATE_SUMMARY) !== 0 : (sessions.get(key)?.summary ?? true)
  // 17.3.1: a full save needs every VP explicitly suspended; a summary does not.
  if (t && !summary && !allSuspended(t)) return HV_STATUS_OPERATION_DENIED
  if (start) sessions.set(key, { stream: buildSaveStream(f.hv, t, summary), at: 0, summary })
  const s = sessions.get(key)
  if (!s) return HV_STATUS_INVALID_SAVE_RESTORE_STATE
  const n = Math.min(HV_SAVE_RESTORE_MAX_CHUNK, s.stream.length - s.at)
  for (let i = 0; i < n; i++) f.output.setUint8(8 + i, s.stream[s.at + i])
  s.at += n
  const done = s.at >= s.stream.length
  if (done) sessions.delete(key)
  f.output.setUint32(0, done ? R.HvStateComplete : R.HvStateIncomplete, true)
  f.output.setUint32(4, n, true)
  return HV_STATUS_SUCCESS
}

export function HvRestorePartitionState(f: HypercallFrame): HvStatus {
  if (!hasPrivilege(f.caller.privileges, HvPrivilege.CreatePartitions)) return HV_STATUS_ACCESS_DENIED
  const id = u64(f.input, 0)
  const flags = f.input.getUint32(8, true)
  const count = f.input.getUint32(12, true)
  const t = target(f, id, flags)
  if (typeof t === 'number') return t
  if (count > HV_SAVE_RESTORE_MAX_CHUNK) return HV_STATUS_INVALID_PARAMETER // DECISION: beyond one page of input
  const sessions = table(restores, f.hv)
  const key = `${f.caller.id}/${id}`
  const start = (flags & HV_SAVE_RESTORE_STATE_START) !== 0
  const summary = start ? (flags & HV_SAVE_RESTORE_STATE_SUMMARY) !== 0 : (sessions.get(key)?.summary ?? true)
  if (t && !summary && !allSuspended(t)) return HV_STATUS_OPERATION_DENIED
  if (start) {
    sessions.get(key)?.dispose() // 17.2: START releases the context of a process in flight
    sessions.set(key, new RestoreSession(f.hv, t, summary))
  }
  const s = sessions.get(key)
  if (!s) return HV_STATUS_INVALID_SAVE_RESTORE_STATE
  const data = new Uint8Array(count)
  for (let i = 0; i < count; i++) data[i] = f.input.getUint8(16 + i)
  const { result, consumed } = s.feed(data)
  if (result !== R.HvStateIncomplete) {
    s.dispose()
    sessions.delete(key)
  }
  f.output.setUint32(0, result, true)
  f.output.setUint32(4, consumed, true)
  return HV_STATUS_SUCCESS
}
