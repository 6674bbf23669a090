/**
 * WHvGetVirtualProcessorState / WHvSetVirtualProcessorState (seed WHvSetVirtualProcessorState;
 * the user-mode face of the per-VP saved state of TLFS 17.1.5: SIM/SIEF pages, synthetic
 * timers, interrupt controller, XSAVE). Each state type has one fixed size: Set requires
 * exactly that size, Get accepts a larger buffer and reports the bytes written; an unknown
 * type is E_INVALIDARG. XsaveState is served here from the VP's FXSAVE image and YMM upper
 * halves. The SynIC (ch. 14) and APIC (ch. 13) types are served by providers those chapters
 * register with `registerVpStateProvider`; until then they answer E_INVALIDARG too.
 */
import type { VirtualProcessor } from '../hypervisor/virtual-processor'
import type { WHvPartition } from './whp-api'

export const WHvVirtualProcessorStateType = {
  WHvVirtualProcessorStateTypeSynicMessagePage: 0x00000000,
  WHvVirtualProcessorStateTypeSynicEventFlagPage: 0x00000001,
  WHvVirtualProcessorStateTypeSynicTimerState: 0x00000002,
  WHvVirtualProcessorStateTypeInterruptControllerState2: 0x00001000,
  WHvVirtualProcessorStateTypeXsaveState: 0x00001001,
  WHvVirtualProcessorStateTypeNestedState: 0x00001002,
} as const

/** HRESULTs these calls return. */
export const S_OK = 0
export const E_INVALIDARG = 0x80070057
/** WHV_E_INSUFFICIENT_BUFFER: Get with a buffer smaller than the state. */
export const WHV_E_INSUFFICIENT_BUFFER = 0x80370301
/** WHV_E_UNKNOWN_PROPERTY-style answer for a VP index with no VP. */
export const WHV_E_INVALID_VP_STATE = 0x80370303

/** A chapter's per-VP state behind one state type (SynIC pages, timers, APIC). */
export interface VpStateProvider {
  readonly size: number
  get(vp: VirtualProcessor, out: Uint8Array): void
  /** Apply `data` (exactly `size` bytes); false rejects it (E_INVALIDARG) without changes. */
  set(vp: VirtualProcessor, data: Uint8Array): boolean
}

const providers = new Map<number, VpStateProvider>()

/**
 * TODO(ch. 13/14 owners): register SynicMessagePage (4096 bytes), SynicEventFlagPage (4096),
 * SynicTimerState and InterruptControllerState2 providers here.
 */
export function registerVpStateProvider(stateType: number, provider: VpStateProvider): void {
  if (stateType === WHvVirtualProcessorStateType.WHvVirtualProcessorStateTypeXsaveState) throw new Error('XsaveState is built in')
  providers.set(stateType >>> 0, provider)
}

/** XSAVE standard format: legacy region (FXSAVE image), 64-byte header, AVX region (YMM_Hi128). */
const XSAVE_SIZE = 512 + 64 + 256
const XSTATE_BV_OFFSET = 512

const xsaveProvider: VpStateProvider = {
  size: XSAVE_SIZE,
  get(vp, out) {
    out.fill(0, 0, XSAVE_SIZE)
    out.set(vp.cpu.getFxState().subarray(0, 512), 0)
    // XSTATE_BV: x87 and SSE always present; AVX when any upper half is non-zero.
    const avx = vp.ymmHigh.some((b) => b !== 0)
    out[XSTATE_BV_OFFSET] = 3 | (avx ? 4 : 0)
    out.set(vp.ymmHigh, 576)
  },
  set(vp, data) {
    const bv = data[XSTATE_BV_OFFSET]
    // Components beyond x87/SSE/AVX and a compacted format (XCOMP_BV bit 63) are not ours.
    if ((bv & ~7) !== 0 || data.subarray(XSTATE_BV_OFFSET + 1, XSTATE_BV_OFFSET + 8).some((b) => b !== 0)) return false
    if (data[XSTATE_BV_OFFSET + 15] & 0x80) return false
    vp.cpu.setFxState(data.slice(0, 512))
    if (bv & 4) vp.ymmHigh.set(data.subarray(576, 576 + 256))
    else vp.ymmHigh.fill(0)
    return true
  },
}

function providerFor(stateType: number): VpStateProvider | undefined {
  if (stateType >>> 0 === WHvVirtualProcessorStateType.WHvVirtualProcessorStateTypeXsaveState) return xsaveProvider
  return providers.get(stateType >>> 0)
}

function vpOf(p: WHvPartition, vpIndex: number): VirtualProcessor | undefined {
  return p.hv.partition(p.id)?.vp(vpIndex)
}

/** Size of a state type (0 when the type is not available). */
export function WHvVirtualProcessorStateSize(stateType: number): number {
  return providerFor(stateType)?.size ?? 0
}

export function WHvGetVirtualProcessorState(
  p: WHvPartition, vpIndex: number, stateType: number, buffer: Uint8Array,
): { hr: number; bytesWritten: number } {
  const provider = providerFor(stateType)
  if (!provider) return { hr: E_INVALIDARG, bytesWritten: 0 }
  const vp = vpOf(p, vpIndex)
  if (!vp) return { hr: E_INVALIDARG, bytesWritten: 0 }
  if (buffer.length < provider.size) return { hr: WHV_E_INSUFFICIENT_BUFFER, bytesWritten: provider.size }
  provider.get(vp, buffer)
  return { hr: S_OK, bytesWritten: provider.size }
}

export function WHvSetVirtualProcessorState(p: WHvPartition, vpIndex: number, stateType: number, buffer: Uint8Array): number {
  const provider = providerFor(stateType)
  if (!provider) return E_INVALIDARG
  const vp = vpOf(p, vpIndex)
  if (!vp) return E_INVALIDARG
  if (buffer.length !== provider.size) return E_INVALIDARG // the seed: Set needs exactly the state's size
  return provider.set(vp, buffer) ? S_OK : E_INVALIDARG
}
