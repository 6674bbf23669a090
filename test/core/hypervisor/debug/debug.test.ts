import { describe, expect, it } from 'vitest'
import * as S from '../../../../core/hypervisor/hv-status'
import { HvPartitionProperty as P } from '../../../../core/hypervisor/partition-properties'
import { HvServicesWrapper } from '../../../../core/hypervisor/system/services-wrapper'
import { makeChild, makeHv } from '../helpers'

function setup(available = true) {
  const { hv } = makeHv({ features: { miscFeatures: available ? 2 : 0 } })
  const c = makeChild(hv)
  const root = hv.wrapper()
  root.HvSetPartitionProperty(c, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn | (1n << 43n))
  root.HvSetPartitionProperty(c, P.HvPartitionPropertyDebugChannelId, 7n)
  const guest = new HvServicesWrapper(hv, hv.partition(c)!)
  return { hv, c, guest, host: hv.debug.host(c)! }
}

describe('guest debugging (TLFS ch. 20)', () => {
  it('applies the common checks in order (ideas 55-57)', () => {
    expect(setup(false).guest.HvPostDebugData(new Uint8Array(1)).status).toBe(S.HV_STATUS_FEATURE_UNAVAILABLE)
    const { hv, c, guest } = setup()
    hv.wrapper().HvSetPartitionProperty(c, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn)
    expect(guest.HvRetrieveDebugData(10).status).toBe(S.HV_STATUS_ACCESS_DENIED)
    hv.wrapper().HvSetPartitionProperty(c, P.HvPartitionPropertyPrivilegeFlags, 0x5ffn | (1n << 43n))
    hv.wrapper().HvSetPartitionProperty(c, P.HvPartitionPropertyDebugChannelId, 0n)
    expect(guest.HvResetDebugSession(1)).toBe(S.HV_STATUS_OPERATION_DENIED)
  })

  it('posts all or nothing and reports pending bytes until the host listens (ideas 58-60)', () => {
    const { guest, host } = setup()
    expect(guest.HvPostDebugData(new Uint8Array(0), 0, 4089).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(guest.HvPostDebugData(new Uint8Array(1), 2).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(guest.HvPostDebugData(new Uint8Array(4088).fill(1)).pendingCount).toBe(4088)
    expect(guest.HvPostDebugData(new Uint8Array(4088).fill(2)).pendingCount).toBe(8176)
    expect(guest.HvPostDebugData(new Uint8Array([3])).status).toBe(S.HV_STATUS_INSUFFICIENT_BUFFERS)
    expect(guest.HvPostDebugData(new Uint8Array(0)).pendingCount).toBe(8176)
    const got: number[] = []
    host.onData((b) => got.push(b.length, b[0], b[b.length - 1]))
    expect(got).toEqual([8176, 1, 2])
    expect(guest.HvPostDebugData(new TextEncoder().encode('hi')).pendingCount).toBe(0)
    expect(got.slice(3)).toEqual([2, 0x68, 0x69])
  })

  it('retrieves with NO_DATA, partial counts and activity sensing (ideas 61, 62)', () => {
    const { guest, host } = setup()
    expect(guest.HvRetrieveDebugData(10).status).toBe(S.HV_STATUS_NO_DATA)
    host.write(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    let r = guest.HvRetrieveDebugData(0)
    expect([r.status, r.data.length, r.remainingCount]).toEqual([S.HV_STATUS_SUCCESS, 0, 10])
    r = guest.HvRetrieveDebugData(4)
    expect([...r.data, r.remainingCount]).toEqual([1, 2, 3, 4, 6])
    expect(guest.HvRetrieveDebugData(4, 2).status).toBe(S.HV_STATUS_INACTIVE) // data buffered, but nothing new
    host.write(new Uint8Array([11]))
    expect(guest.HvRetrieveDebugData(100, 2).data.length).toBe(7)
    expect(guest.HvRetrieveDebugData(1, 4).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
  })

  it('resets with purge flags (idea 64) and discards data on finalize (idea 65)', () => {
    const { hv, c, guest, host } = setup()
    expect(guest.HvResetDebugSession(0)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(guest.HvResetDebugSession(4)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(guest.HvResetDebugSession(1)).toBe(S.HV_STATUS_NO_DATA)
    host.write(new Uint8Array([1]))
    expect(guest.HvResetDebugSession(1)).toBe(S.HV_STATUS_SUCCESS)
    expect(guest.HvRetrieveDebugData(1).status).toBe(S.HV_STATUS_NO_DATA)
    guest.HvPostDebugData(new Uint8Array([9]))
    expect(host.pendingOutgoing).toBe(1)
    hv.wrapper().HvFinalizePartition(c)
    expect(host.pendingOutgoing).toBe(0)
  })
})
