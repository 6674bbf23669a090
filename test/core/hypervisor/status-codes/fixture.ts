/**
 * Shared setup for the per-hypercall status-code tests (issue 5 bar: "every hypercall of
 * ch. 4-12 with tests of its status codes"; issue 6 for ch. 13-16). A world has the root,
 * an Active child C (RAM mapped, VP 0), an Uninitialized child U and a Finalized child F;
 * `call` lays a raw input block out and dispatches it as any partition, so each case
 * provokes exactly one fault. `expectCoverage` checks a file's cases against SPEC_STATUSES.
 */
import { expect } from 'vitest'
import type { Hypervisor, HypervisorOptions } from '../../../../core/hypervisor/hypervisor'
import { hvStatusName } from '../../../../core/hypervisor/hv-status'
import type { Partition } from '../../../../core/hypervisor/partition'
import { makeChild, makeHv, rootPages } from '../helpers'
import { SPEC_STATUSES, type HypercallName } from './spec-statuses'

export interface World {
  hv: Hypervisor
  root: Partition
  /** Active child with 64 pages of RAM mapped R/W/X and VP 0. */
  c: Partition
  /** Uninitialized child (empty pool). */
  u: Partition
  /** Finalized child (pool withdrawn). */
  f: Partition
}

export function world(opts: Partial<HypervisorOptions> = {}): World {
  const { hv } = makeHv(opts)
  const w = hv.wrapper()
  const cId = makeChild(hv, 64 * 4096, 32)
  w.HvMapGpaPages(cId, 0, 7, rootPages(64))
  w.HvCreateVp(cId, 0)
  const fId = makeChild(hv, 16 * 4096, 8)
  w.HvFinalizePartition(fId)
  w.HvWithdrawMemory(fId, 8)
  w.HvDepositMemory(hv.root.id, rootPages(1))
  const uId = w.HvCreatePartition().newPartitionId
  return { hv, root: hv.root, c: hv.partition(cId)!, u: hv.partition(uId)!, f: hv.partition(fId)! }
}

/** Dispatch `code` as `caller` with an input block filled by `fill` (zeroed first). */
export function call(hv: Hypervisor, caller: Partition, code: number, fill: (v: DataView) => void, opts: { repCount?: number; fast?: boolean } = {}): number {
  const v = hv.input()
  new Uint8Array(v.buffer, v.byteOffset, 8192).fill(0)
  fill(v)
  return hv.callFromHost(caller, code, opts).status
}

export interface StatusCase {
  call: HypercallName
  status: number
  what: string
  run: () => number
}

/** Every spec status of every hypercall in `names` has at least one case. */
export function expectCoverage(cases: readonly StatusCase[], names: readonly HypercallName[]): void {
  const missing: string[] = []
  for (const name of names) {
    for (const st of SPEC_STATUSES[name].codes) {
      if (!cases.some((c) => c.call === name && c.status === st)) missing.push(`${name}: ${hvStatusName(st)}`)
    }
  }
  expect(missing).toEqual([])
}

export const id = (p: Partition): bigint => p.id
export const UNKNOWN_ID = 0x7777n
