/**
 * Validation and effect of HvSetPartitionProperty per property code (TLFS 5.2, 5.6, 18):
 * read-only properties, CPU reserve/cap invariants, DebugChannelId uniqueness,
 * VirtualTlbPageCount clamping and the privilege-mask rules.
 */
import {
  HV_STATUS_INSUFFICIENT_MEMORY, HV_STATUS_INVALID_PARAMETER, HV_STATUS_OBJECT_IN_USE, HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import {
  HV_CPU_FRACTION_ONE, HvPartitionProperty as P, VIRTUAL_TLB_PAGE_COUNT_MAX, VIRTUAL_TLB_PAGE_COUNT_MIN,
} from '../partition-properties'
import { HV_PRIVILEGE_ALL_DEFINED, HvPrivilege } from '../privileges'

export function validatePropertyWrite(hv: Hypervisor, t: Partition, code: number, value: bigint): HvStatus {
  switch (code) {
    case P.HvPartitionPropertyPrivilegeFlags: {
      if ((value & ~HV_PRIVILEGE_ALL_DEFINED) !== 0n) return HV_STATUS_INVALID_PARAMETER
      // 5.2: the root's privileges are read-only; CpuPowerManagement is reserved for the root.
      if (t.isRoot && value !== t.privileges) return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE
      if (!t.isRoot && (value >> BigInt(HvPrivilege.CpuPowerManagement)) & 1n) return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE
      t.privileges = value
      break
    }
    case P.HvPartitionPropertyCpuReserve: {
      if (value > HV_CPU_FRACTION_ONE) return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE
      if (value > t.properties.get(P.HvPartitionPropertyCpuCap)!) return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE
      // ch. 18: total reserves over all VPs must not exceed the number of LPs.
      let total = value * BigInt(Math.max(1, t.liveVps().length))
      for (const p of hv.partitions.values()) {
        if (p !== t) total += p.properties.get(P.HvPartitionPropertyCpuReserve)! * BigInt(Math.max(1, p.liveVps().length))
      }
      if (total > HV_CPU_FRACTION_ONE * BigInt(hv.config.logicalProcessorCount)) return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE
      break
    }
    case P.HvPartitionPropertyCpuCap:
      if (value > HV_CPU_FRACTION_ONE) return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE
      if (value < t.properties.get(P.HvPartitionPropertyCpuReserve)!) return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE
      break
    case P.HvPartitionPropertyCpuWeight:
      if (value < 1n || value > 10000n) return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE
      break
    case P.HvPartitionPropertyDebugChannelId:
      if (value !== 0n) {
        for (const p of hv.partitions.values()) {
          if (p !== t && p.properties.get(P.HvPartitionPropertyDebugChannelId) === value) return HV_STATUS_OBJECT_IN_USE
        }
      }
      break
    case P.HvPartitionPropertyVirtualTlbPageCount:
      // 5.2: out-of-range values are clamped, not rejected.
      value = value < VIRTUAL_TLB_PAGE_COUNT_MIN ? VIRTUAL_TLB_PAGE_COUNT_MIN : value > VIRTUAL_TLB_PAGE_COUNT_MAX ? VIRTUAL_TLB_PAGE_COUNT_MAX : value
      if (!chargeVirtualTlb(hv, t, Number(value) - Number(t.properties.get(code) ?? value))) return HV_STATUS_INSUFFICIENT_MEMORY
      break
    case P.HvPartitionPropertyProcessorVendor:
      return HV_STATUS_INVALID_PARAMETER // read-only (DECISION 5.2)
    case P.HvPartitionPropertyProcessorFeatures:
    case P.HvPartitionPropertyProcessorXsaveFeatures: {
      if (t.isRoot) return HV_STATUS_INVALID_PARAMETER
      // DECISION (U33): a child may only get a subset of the root's features.
      const rootValue = hv.readProperty(hv.root, code)
      if ((value & ~rootValue) !== 0n) return HV_STATUS_INVALID_PARAMETER
      break
    }
    case P.HvPartitionPropertyProcessorCLFlushSize:
      if (t.isRoot) return HV_STATUS_INVALID_PARAMETER
      if (value === 0n || value > 255n) return HV_STATUS_INVALID_PARAMETER
      break
    default:
      break // timer assists: stored; chapter 15 gives them meaning
  }
  t.properties.set(code, value)
  return HV_STATUS_SUCCESS
}

/** 5.2: raising VirtualTlbPageCount draws `costs.virtualTlbPage` pool pages per added page; lowering returns them. */
function chargeVirtualTlb(hv: Hypervisor, t: Partition, delta: number): boolean {
  const pages = delta * hv.config.costs.virtualTlbPage
  if (pages > 0) return t.allocate(pages)
  t.release(-pages)
  return true
}
