/**
 * Wrapper-interface functions for chapter 17 (TLFS 17.3 "Wrapper Interface"): how the root
 * (the host app) calls HvSavePartitionState / HvRestorePartitionState, laying out the same
 * input block a guest would and dispatching through the hypercall table. Plus the 17.4
 * procedures as helpers: `savePartitionStateAll` (loop until complete) and
 * `restorePartitionStateAll` (present chunks, re-presenting unconsumed bytes).
 */
import { HV_STATUS_SUCCESS, type HvStatus } from '../hv-status'
import { HvCall } from '../hypercall-codes'
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import {
  HV_SAVE_RESTORE_MAX_CHUNK, HV_SAVE_RESTORE_STATE_START, HV_SAVE_RESTORE_STATE_SUMMARY, HvSaveRestoreStateResult as R,
} from './save-restore-types'

export interface SaveChunk { status: HvStatus; saveState: number; data: Uint8Array }
export interface RestoreChunk { status: HvStatus; restoreState: number; consumed: number }

export function HvSavePartitionState(hv: Hypervisor, caller: Partition, partitionId: bigint, flags: number): SaveChunk {
  const input = hv.input()
  input.setBigUint64(0, BigInt.asUintN(64, partitionId), true)
  input.setUint32(8, flags >>> 0, true)
  input.setUint32(12, 0, true)
  const { status } = hv.callFromHost(caller, HvCall.HvCallSavePartitionState, {})
  if (status !== HV_STATUS_SUCCESS) return { status, saveState: 0, data: new Uint8Array(0) }
  const out = hv.output()
  const n = Math.min(out.getUint32(4, true), HV_SAVE_RESTORE_MAX_CHUNK)
  return { status, saveState: out.getUint32(0, true), data: new Uint8Array(out.buffer, out.byteOffset + 8, n).slice() }
}

export function HvRestorePartitionState(hv: Hypervisor, caller: Partition, partitionId: bigint, flags: number, data: Uint8Array): RestoreChunk {
  const input = hv.input()
  input.setBigUint64(0, BigInt.asUintN(64, partitionId), true)
  input.setUint32(8, flags >>> 0, true)
  input.setUint32(12, data.length >>> 0, true)
  new Uint8Array(input.buffer, input.byteOffset + 16, Math.min(data.length, HV_SAVE_RESTORE_MAX_CHUNK)).set(data.subarray(0, HV_SAVE_RESTORE_MAX_CHUNK))
  const { status } = hv.callFromHost(caller, HvCall.HvCallRestorePartitionState, {})
  if (status !== HV_STATUS_SUCCESS) return { status, restoreState: 0, consumed: 0 }
  const out = hv.output()
  return { status, restoreState: out.getUint32(0, true), consumed: out.getUint32(4, true) }
}

export interface WholeSave { status: HvStatus; saveState: number; stream: Uint8Array }

/** 17.4 save procedure step 3: call until the stream is complete (VPs must already be suspended). */
export function savePartitionStateAll(hv: Hypervisor, caller: Partition, partitionId: bigint, summary = false): WholeSave {
  const parts: Uint8Array[] = []
  let flags = HV_SAVE_RESTORE_STATE_START | (summary ? HV_SAVE_RESTORE_STATE_SUMMARY : 0)
  for (;;) {
    const r = HvSavePartitionState(hv, caller, partitionId, flags)
    if (r.status !== HV_STATUS_SUCCESS) return { status: r.status, saveState: r.saveState, stream: new Uint8Array(0) }
    parts.push(r.data)
    if (r.saveState !== R.HvStateIncomplete) {
      const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
      let o = 0
      for (const p of parts) (stream.set(p, o), (o += p.length))
      return { status: r.status, saveState: r.saveState, stream }
    }
    flags = summary ? HV_SAVE_RESTORE_STATE_SUMMARY : 0
  }
}

export interface WholeRestore { status: HvStatus; restoreState: number; calls: number }

/**
 * 17.4 restore step 6: present `stream` in chunks of at most `chunk` bytes, starting each
 * chunk at the first byte not consumed, until the result is not HvStateIncomplete.
 */
export function restorePartitionStateAll(
  hv: Hypervisor, caller: Partition, partitionId: bigint, stream: Uint8Array, summary = false, chunk = HV_SAVE_RESTORE_MAX_CHUNK,
): WholeRestore {
  let at = 0
  let calls = 0
  let flags = HV_SAVE_RESTORE_STATE_START | (summary ? HV_SAVE_RESTORE_STATE_SUMMARY : 0)
  for (;;) {
    const r = HvRestorePartitionState(hv, caller, partitionId, flags, stream.subarray(at, at + chunk))
    calls++
    if (r.status !== HV_STATUS_SUCCESS || r.restoreState !== R.HvStateIncomplete) return { status: r.status, restoreState: r.restoreState, calls }
    // No progress: the stream ended inside a frame (truncated), or a frame is larger than a chunk can carry.
    if (r.consumed === 0) return { status: r.status, restoreState: R.HvStateCorruptData, calls }
    at += r.consumed
    flags = summary ? HV_SAVE_RESTORE_STATE_SUMMARY : 0
  }
}
