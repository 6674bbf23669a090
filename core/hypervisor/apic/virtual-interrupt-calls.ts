/**
 * HvAssertVirtualInterrupt and HvClearVirtualInterrupt (TLFS 13.5): a parent asserts
 * Fixed, LowestPriority, NMI, INIT, SIPI or ExtInt interrupts into a child's APICs.
 * DECISION 13.5: edge interrupts latch into the IRR at once (VECTOR_NONE cannot withdraw
 * them); a level-triggered Fixed/LowestPriority assertion can be replaced or withdrawn
 * until acknowledged; ExtInt has one slot that HvClearVirtualInterrupt clears after the
 * BSP acknowledged it (HV_STATUS_ACKNOWLEDGED / HV_STATUS_NOT_ACKNOWLEDGED).
 */
import {
  HV_STATUS_ACKNOWLEDGED, HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_VP_INDEX, HV_STATUS_NOT_ACKNOWLEDGED,
  HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionState as S } from '../partition'
import { resolveTarget, u64 } from '../calls/target'
import { DeliveryMode as D } from './apic-registers'
import { interruptsOf } from './partition-interrupts'

export const HV_INTERRUPT_VECTOR_NONE = 0xffffffff
export const HvInterruptType = {
  HvX64InterruptTypeFixed: 0, HvX64InterruptTypeLowestPriority: 1, HvX64InterruptTypeNmi: 4,
  HvX64InterruptTypeInit: 5, HvX64InterruptTypeSipi: 6, HvX64InterruptTypeExtInt: 7,
} as const

export function HvAssertVirtualInterrupt(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active])
  if (typeof t === 'number') return t
  const i = f.input
  const type = i.getUint32(8, true)
  const flags = i.getUint32(12, true)
  const dest = u64(i, 16)
  const vector = i.getUint32(24, true)
  const level = (flags & 1) !== 0
  const logical = (flags & 2) !== 0
  // DECISION 13.3: SMI (2), 3 and > 7 are rejected; reserved control bits too.
  if ((flags & ~3) !== 0 || type === 2 || type === 3 || type > 7) return HV_STATUS_INVALID_PARAMETER
  if (vector > 0xff && vector !== HV_INTERRUPT_VECTOR_NONE) return HV_STATUS_INVALID_PARAMETER
  if ((type === D.Nmi || type === D.Init) && vector !== 0) return HV_STATUS_INVALID_PARAMETER
  if (dest > 0xffffffffn) return HV_STATUS_INVALID_PARAMETER
  const pi = interruptsOf(f.hv, t)
  if (type === D.ExtInt) {
    if (dest !== 0n) return HV_STATUS_INVALID_PARAMETER // DECISION 13.5
    if (!t.vp(0)) return HV_STATUS_INVALID_VP_INDEX
    if (pi.extIntAcknowledged) return HV_STATUS_ACKNOWLEDGED
    if (vector === HV_INTERRUPT_VECTOR_NONE) {
      pi.assertedExtInt = -1 // withdraw before acknowledgement
      return HV_STATUS_SUCCESS
    }
    pi.request({ type, vector, destination: 0 })
    return HV_STATUS_SUCCESS
  }
  const targets = pi.targets(Number(dest), logical, 0xff)
  if (targets.length === 0) return logical ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_VP_INDEX
  if (vector === HV_INTERRUPT_VECTOR_NONE) {
    // Withdraw level assertions not yet acknowledged (edge ones stay latched).
    for (const s of targets) {
      for (const key of [...pi.levelAssertions.keys()]) {
        if (Math.floor(key / 256) !== s.vp.index) continue
        const v = key % 256
        if (!s.apic.isInService(v)) {
          s.apic.withdraw(v)
          pi.levelAssertions.delete(key)
        }
      }
    }
    return HV_STATUS_SUCCESS
  }
  if ((type === D.Fixed || type === D.LowestPriority) && vector < 16) return HV_STATUS_INVALID_PARAMETER
  if (level && (type === D.Fixed || type === D.LowestPriority)) {
    // A second level assertion before acknowledgement replaces the first.
    for (const s of targets) {
      for (const key of [...pi.levelAssertions.keys()]) {
        if (Math.floor(key / 256) === s.vp.index && !s.apic.isInService(key % 256)) {
          s.apic.withdraw(key % 256)
          pi.levelAssertions.delete(key)
        }
      }
    }
  }
  pi.request({ type, vector: vector & 0xff, destination: Number(dest), logical, level: level && (type === D.Fixed || type === D.LowestPriority) })
  return HV_STATUS_SUCCESS
}

export function HvClearVirtualInterrupt(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active])
  if (typeof t === 'number') return t
  const pi = interruptsOf(f.hv, t)
  if (!pi.extIntAcknowledged) return HV_STATUS_NOT_ACKNOWLEDGED
  pi.extIntAcknowledged = false
  pi.assertedExtInt = -1
  return HV_STATUS_SUCCESS
}
