import { describe, expect, it } from 'vitest'
import {
  E_INVALIDARG, S_OK, WHV_E_INSUFFICIENT_BUFFER, WHvGetVirtualProcessorState, WHvSetVirtualProcessorState,
  WHvVirtualProcessorStateType as T,
} from '../../../core/whp'
import { makeVm } from '../hypervisor/save-restore/helpers'

describe('WHvGet/SetVirtualProcessorState', () => {
  it('XsaveState: exact size on set, larger buffer on get, round trip of XMM and YMM', () => {
    const { p } = makeVm()
    const buf = new Uint8Array(1000)
    const g = WHvGetVirtualProcessorState(p, 0, T.WHvVirtualProcessorStateTypeXsaveState, buf)
    expect(g.hr).toBe(S_OK)
    const size = g.bytesWritten
    const state = buf.slice(0, size)
    state[160] = 0xab // XMM0 low byte
    state[512] = 7 // XSTATE_BV with AVX
    state[576] = 0xcd // YMM0 high
    expect(WHvSetVirtualProcessorState(p, 0, T.WHvVirtualProcessorStateTypeXsaveState, state.subarray(0, size - 1))).toBe(E_INVALIDARG)
    expect(WHvSetVirtualProcessorState(p, 0, T.WHvVirtualProcessorStateTypeXsaveState, state)).toBe(S_OK)
    const again = new Uint8Array(size)
    WHvGetVirtualProcessorState(p, 0, T.WHvVirtualProcessorStateTypeXsaveState, again)
    expect(again[160]).toBe(0xab)
    expect(again[576]).toBe(0xcd)
    expect(WHvGetVirtualProcessorState(p, 0, T.WHvVirtualProcessorStateTypeXsaveState, new Uint8Array(10)).hr).toBe(WHV_E_INSUFFICIENT_BUFFER)
  })
  it('unknown and not-yet-provided types are E_INVALIDARG', () => {
    const { p } = makeVm()
    expect(WHvGetVirtualProcessorState(p, 0, 0x1234, new Uint8Array(8192)).hr).toBe(E_INVALIDARG)
    expect(WHvSetVirtualProcessorState(p, 0, T.WHvVirtualProcessorStateTypeSynicMessagePage, new Uint8Array(4096))).toBe(E_INVALIDARG)
    expect(WHvSetVirtualProcessorState(p, 5, T.WHvVirtualProcessorStateTypeXsaveState, new Uint8Array(832))).toBe(E_INVALIDARG)
  })
})
