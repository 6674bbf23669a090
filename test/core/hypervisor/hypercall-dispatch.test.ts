import { describe, expect, it } from 'vitest'
import * as S from '../../../core/hypervisor/hv-status'
import { HvCall } from '../../../core/hypervisor/hypercall-codes'
import { checkControl } from '../../../core/hypervisor/hypercall-dispatch'
import { makeHypercallInput, parseHypercallInput, type HypercallControl } from '../../../core/hypervisor/hypercall-input'
import { HYPERCALL_TABLE } from '../../../core/hypervisor/hypercall-table'

function check(v: bigint): number {
  const ctl: HypercallControl = { code: 0, fast: false, repCount: 0, repStart: 0, reservedBitsSet: false }
  parseHypercallInput(Number(v & 0xffffffffn), Number(v >> 32n), ctl)
  const r = checkControl(ctl)
  return typeof r === 'number' ? r : -1
}

describe('hypercall input value and common checks (TLFS 4.2, 4.8)', () => {
  it('lists every appendix B code exactly once, in ascending order', () => {
    const codes = HYPERCALL_TABLE.map((d) => d.code)
    expect(codes).toEqual([...new Set(codes)].sort((a, b) => a - b))
    expect(codes).toEqual(Object.values(HvCall).sort((a, b) => a - b))
    expect(codes.length).toBe(56) // appendix B's 55 plus HvGetSystemProperty (23.4.2)
  })

  it('rejects reserved and unknown call codes with INVALID_HYPERCALL_CODE (test idea 20)', () => {
    for (const code of [0x0000, 0x0005, 0x0007, 0x000a, 0x003f, 0x0072, 0xffff]) {
      expect(check(makeHypercallInput(code))).toBe(S.HV_STATUS_INVALID_HYPERCALL_CODE)
    }
  })

  it('rejects reserved input bits 17, 44 and 60 (test idea 21)', () => {
    for (const bit of [17n, 31n, 44n, 47n, 60n, 63n]) {
      expect(check(makeHypercallInput(HvCall.HvCallGetPartitionId) | (1n << bit))).toBe(S.HV_STATUS_INVALID_HYPERCALL_INPUT)
    }
  })

  it('checks rep count and start index against the class (ideas 22-25)', () => {
    expect(check(makeHypercallInput(HvCall.HvCallGetPartitionId, { repCount: 1 }))).toBe(S.HV_STATUS_INVALID_HYPERCALL_INPUT)
    expect(check(makeHypercallInput(HvCall.HvCallDepositMemory, { repCount: 0 }))).toBe(S.HV_STATUS_INVALID_HYPERCALL_INPUT)
    expect(check(makeHypercallInput(HvCall.HvCallDepositMemory, { repCount: 3, repStart: 3 }))).toBe(S.HV_STATUS_INVALID_HYPERCALL_INPUT)
    expect(check(makeHypercallInput(HvCall.HvCallDeletePartition, { fast: true, repCount: 1 }))).toBe(S.HV_STATUS_INVALID_HYPERCALL_INPUT)
    // Fast on a call without [fast] (DECISION U26).
    expect(check(makeHypercallInput(HvCall.HvCallCreatePartition, { fast: true }))).toBe(S.HV_STATUS_INVALID_HYPERCALL_INPUT)
    expect(check(makeHypercallInput(HvCall.HvCallDeletePartition, { fast: true }))).toBe(-1)
    expect(check(makeHypercallInput(HvCall.HvCallDepositMemory, { repCount: 10, repStart: 5 }))).toBe(-1)
  })

  it('gives every defined call code a handler (no call answers "not implemented")', () => {
    expect(HYPERCALL_TABLE.filter((d) => !d.handler).map((d) => d.name)).toEqual([])
  })
})
