/**
 * HvStateProcessorInsufficientMemory (TLFS 17.2 result 10) through the ch. 7 pool: a full
 * restore holds RESTORE_VP_CONTEXT_PAGES of the target's pool per VP record until it ends. A
 * target whose pool cannot supply them gets result 10 and is left unchanged; after the parent
 * deposits more, a new START restores completely, and every page the restore held goes back
 * to the pool (whether the process completed, failed or was abandoned by START).
 */
import { describe, expect, it } from 'vitest'
import { HV_STATUS_SUCCESS } from '../../../../core/hypervisor/hv-status'
import {
  HV_SAVE_RESTORE_STATE_START, HvRestorePartitionState, HvSaveRestoreStateResult as R, RESTORE_VP_CONTEXT_PAGES,
  restorePartitionStateAll, savePartitionStateAll,
} from '../../../../core/hypervisor/save-restore'
import { deposit, WHvGetVirtualProcessorCpu } from '../../../../core/whp'
import { makeVm, suspendAll } from './helpers'

const CPUS = 3

function savedStream(): Uint8Array {
  const src = makeVm({}, CPUS)
  for (let i = 0; i < CPUS; i++) WHvGetVirtualProcessorCpu(src.p, i).setReg(3, 0x1000n + BigInt(i))
  suspendAll(src.p)
  const s = savePartitionStateAll(src.hv, src.hv.root, src.p.id)
  expect(s.saveState).toBe(R.HvStateComplete)
  return s.stream
}

describe('restore draws its context from the target pool', () => {
  it('an under-deposited target gets HvStateProcessorInsufficientMemory, unchanged, and its pages back', () => {
    const stream = savedStream()
    const { hv, p } = makeVm({}, CPUS)
    const part = hv.partition(p.id)!
    // Leave one page short of what the restore needs.
    const short = CPUS * RESTORE_VP_CONTEXT_PAGES - 1
    const spare = part.pagesAvailable - short
    expect(p.root.HvWithdrawMemory(p.id, spare).status).toBe(HV_STATUS_SUCCESS)
    expect(part.pagesAvailable).toBe(short)
    suspendAll(p)
    const r = restorePartitionStateAll(hv, hv.root, p.id, stream)
    expect(r.status).toBe(HV_STATUS_SUCCESS)
    expect(r.restoreState).toBe(R.HvStateProcessorInsufficientMemory)
    for (let i = 0; i < CPUS; i++) expect(WHvGetVirtualProcessorCpu(p, i).getReg(3)).toBe(0n)
    expect(part.pagesAvailable).toBe(short) // the failed process released what it drew

    // The parent deposits the missing page and starts over.
    deposit(p, p.id, 1)
    expect(restorePartitionStateAll(hv, hv.root, p.id, stream).restoreState).toBe(R.HvStateComplete)
    for (let i = 0; i < CPUS; i++) expect(WHvGetVirtualProcessorCpu(p, i).getReg(3)).toBe(0x1000n + BigInt(i))
    expect(part.pagesAvailable).toBe(short + 1) // the context is gone once the restore completed
  })

  it('a summary check draws nothing, and START releases the pages of an abandoned process', () => {
    const stream = savedStream()
    const { hv, p } = makeVm({}, CPUS)
    const part = hv.partition(p.id)!
    const free = part.pagesAvailable
    expect(p.root.HvWithdrawMemory(p.id, free).status).toBe(HV_STATUS_SUCCESS)
    suspendAll(p)
    // Compatibility only: no VP context, so an empty pool is enough.
    expect(restorePartitionStateAll(hv, hv.root, p.id, stream, true).restoreState).toBe(R.HvStateRestorable)
    deposit(p, p.id, free)
    // A first chunk holding VP records draws pages; a new START abandons it and gives them back.
    const first = HvRestorePartitionState(hv, hv.root, p.id, HV_SAVE_RESTORE_STATE_START, stream.subarray(0, 4080))
    expect(first.restoreState).toBe(R.HvStateIncomplete)
    expect(part.pagesAvailable).toBeLessThan(free)
    expect(restorePartitionStateAll(hv, hv.root, p.id, stream).restoreState).toBe(R.HvStateComplete)
    expect(part.pagesAvailable).toBe(free)
  })
})
