/**
 * Virtual processor hypercalls (TLFS 10.5): HvCreateVp, HvDeleteVp, HvGetVpRegisters,
 * HvSetVpRegisters. Register semantics live in vp-registers.ts.
 */
import {
  HV_STATUS_INSUFFICIENT_MEMORY, HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_VP_INDEX,
  HV_STATUS_NO_RESOURCES, HV_STATUS_OPERATION_DENIED, HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionState as S } from '../partition'
import { HvPartitionProperty as P, HV_CPU_FRACTION_ONE } from '../partition-properties'
import { getVpRegister, isSuspendRegister, setVpRegister } from '../vp-registers'
import { checkProximity, resolveTarget, u64 } from './target'

export function HvCreateVp(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active])
  if (typeof t === 'number') return t
  const index = f.input.getUint32(8, true)
  if (u64(f.input, 24) !== 0n) return HV_STATUS_INVALID_PARAMETER
  const prox = checkProximity(f.input, 16)
  if (prox) return prox
  if (index >= f.hv.config.maxVpsPerPartition || t.vp(index)) return HV_STATUS_INVALID_VP_INDEX
  // 10.5.1: adding a VP must keep total per-VP reserves within the LPs.
  const reserve = t.properties.get(P.HvPartitionPropertyCpuReserve)!
  if (reserve > 0n && reserve * BigInt(t.liveVps().length + 1) > HV_CPU_FRACTION_ONE * BigInt(f.hv.config.logicalProcessorCount)) {
    return HV_STATUS_OPERATION_DENIED
  }
  if (!t.allocate(f.hv.config.costs.createVp)) return HV_STATUS_INSUFFICIENT_MEMORY
  let total = 0
  for (const p of f.hv.partitions.values()) total += p.liveVps().length
  if (total >= f.hv.config.limits.maxTotalVps) {
    t.release(f.hv.config.costs.createVp)
    return HV_STATUS_NO_RESOURCES // 10.5.1: an implementation limit
  }
  f.hv.createVpObject(t, index)
  return HV_STATUS_SUCCESS
}

export function HvDeleteVp(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active])
  if (typeof t === 'number') return t
  const vp = t.vp(f.input.getUint32(8, true))
  if (!vp) return HV_STATUS_INVALID_VP_INDEX
  f.hv.deleteVpObject(vp)
  t.release(f.hv.config.costs.createVp)
  return HV_STATUS_SUCCESS
}

export function HvGetVpRegisters(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent-or-self', [S.Active])
  if (typeof t === 'number') return t
  const vp = t.vp(f.input.getUint32(8, true))
  if (!vp) return HV_STATUS_INVALID_VP_INDEX
  const self = t === f.caller
  for (let i = f.repStart; i < f.repLimit; i++) {
    f.repsCompleted = i
    const name = f.input.getUint32(16 + 4 * i, true)
    // 10.3.1 / U42: a partition cannot see its own suspend registers.
    if (self && isSuspendRegister(name)) return HV_STATUS_INVALID_PARAMETER
    const v = getVpRegister(vp, name, f.hv.msrs)
    if (!v) return HV_STATUS_INVALID_PARAMETER
    f.output.setBigUint64(16 * i, v.lo, true)
    f.output.setBigUint64(16 * i + 8, v.hi, true)
  }
  f.repsCompleted = f.repLimit
  return HV_STATUS_SUCCESS
}

export function HvSetVpRegisters(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active])
  if (typeof t === 'number') return t
  const vp = t.vp(f.input.getUint32(8, true))
  if (!vp) return HV_STATUS_INVALID_VP_INDEX
  if (f.input.getUint32(12, true) !== 0) return HV_STATUS_INVALID_PARAMETER // RsvdZ (DECISION)
  for (let i = f.repStart; i < f.repLimit; i++) {
    f.repsCompleted = i
    const off = 16 + 32 * i
    const name = f.input.getUint32(off, true)
    const st = setVpRegister(vp, name, { lo: f.input.getBigUint64(off + 16, true), hi: f.input.getBigUint64(off + 24, true) }, f.hv.msrs)
    if (st !== HV_STATUS_SUCCESS) return st
    vp.registersSet = true // 10.5.4: combinations are checked when the VP resumes
  }
  f.repsCompleted = f.repLimit
  return HV_STATUS_SUCCESS
}

