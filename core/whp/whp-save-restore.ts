/**
 * Partition saved state for the VMM (TLFS 17.4 procedures over the wrapper interface):
 * `WHvSavePartitionState` suspends every VP explicitly, reads the hypervisor's stream until
 * HvStateComplete and lifts the suspension again (WHP semantics: a VP runs when the VMM runs
 * it); `WHvRestorePartitionState` does the same around HvRestorePartitionState and throws a
 * `WHvRestoreError` naming the HV_SAVE_RESTORE_STATE_RESULT when the stream does not restore.
 */
import { HV_STATUS_SUCCESS } from '../hypervisor/hv-status'
import { HvRegister } from '../hypervisor/register-names'
import {
  HvSaveRestoreStateResult as R, RESTORE_VP_CONTEXT_PAGES, restorePartitionStateAll, savePartitionStateAll, saveRestoreResultName,
} from '../hypervisor/save-restore'
import { deposit, WHvError, type WHvPartition } from './whp-api'

export class WHvRestoreError extends Error {
  constructor(readonly result: number) {
    super(`the saved hypervisor state does not restore here: ${saveRestoreResultName(result)}`)
  }
}

function suspendAll(p: WHvPartition, on: boolean): void {
  const part = p.hv.partition(p.id)
  if (!part) throw new WHvError('partition', 0x000d)
  for (const vp of part.liveVps()) {
    const s = p.root.HvSetVpRegisters(p.id, vp.index, [{ name: HvRegister.HvRegisterExplicitSuspend, value: on ? 1n : 0n }]).status
    if (s !== HV_STATUS_SUCCESS) throw new WHvError('HvSetVpRegisters', s)
  }
}

export function WHvSavePartitionState(p: WHvPartition): Uint8Array {
  suspendAll(p, true)
  try {
    const r = savePartitionStateAll(p.hv, p.hv.root, p.id)
    if (r.status !== HV_STATUS_SUCCESS) throw new WHvError('HvSavePartitionState', r.status)
    return r.stream
  } finally {
    suspendAll(p, false)
  }
}

/** Check `stream` against this partition without changing it (17.1.3 summary check); the result value. */
export function WHvCheckPartitionState(p: WHvPartition, stream: Uint8Array): number {
  const r = restorePartitionStateAll(p.hv, p.hv.root, p.id, stream, true)
  if (r.status !== HV_STATUS_SUCCESS) throw new WHvError('HvRestorePartitionState', r.status)
  return r.restoreState
}

export function WHvRestorePartitionState(p: WHvPartition, stream: Uint8Array): void {
  // The restore context costs pool pages per VP (ch. 7 / 17): deposit what the pool lacks.
  const part = p.hv.partition(p.id)
  const need = part ? part.liveVps().length * RESTORE_VP_CONTEXT_PAGES - part.pagesAvailable : 0
  if (need > 0) deposit(p, p.id, need)
  suspendAll(p, true)
  try {
    const r = restorePartitionStateAll(p.hv, p.hv.root, p.id, stream)
    if (r.status !== HV_STATUS_SUCCESS) throw new WHvError('HvRestorePartitionState', r.status)
    if (r.restoreState !== R.HvStateComplete) throw new WHvRestoreError(r.restoreState)
  } finally {
    suspendAll(p, false)
  }
}
