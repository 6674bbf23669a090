/**
 * HV_PARTITION_PROPERTY_CODE values and defaults (TLFS 5.2, 5.6, 18). Properties are UINT64;
 * this module also holds the processor-feature constants of 5.6.
 */

export const HvPartitionProperty = {
  HvPartitionPropertyPrivilegeFlags: 0x00010000,
  HvPartitionPropertyCpuReserve: 0x00020001,
  HvPartitionPropertyCpuCap: 0x00020002,
  HvPartitionPropertyCpuWeight: 0x00020003,
  HvPartitionPropertyEmulatedTimerPeriod: 0x00030000,
  HvPartitionPropertyEmulatedTimerControl: 0x00030001,
  HvPartitionPropertyPmTimerAssist: 0x00030002,
  HvPartitionPropertyDebugChannelId: 0x00040000,
  HvPartitionPropertyVirtualTlbPageCount: 0x00050000,
  HvPartitionPropertyProcessorVendor: 0x00060000,
  HvPartitionPropertyProcessorFeatures: 0x00060001,
  HvPartitionPropertyProcessorXsaveFeatures: 0x00060002,
  HvPartitionPropertyProcessorCLFlushSize: 0x00060003,
} as const

export const HvProcessorVendor = { HvProcessorVendorAmd: 0, HvProcessorVendorIntel: 1 } as const

/** HV_PARTITION_PROCESSOR_FEATURES compatibility-mode values (5.6). */
export const HV_PARTITION_PROCESSOR_FEATURES_INTEL_COMPAT = 0x0103n
export const HV_PARTITION_PROCESSOR_FEATURES_AMD_COMPAT = 0x1303n
export const HV_PARTITION_CL_FLUSHSIZE_COMPAT = 8n

/** 0x10000 = one whole LP (ch. 18). */
export const HV_CPU_FRACTION_ONE = 0x10000n

/** DECISION (5.2): virtual TLB page count limits; out-of-range values are clamped. */
export const VIRTUAL_TLB_PAGE_COUNT_MIN = 16n
export const VIRTUAL_TLB_PAGE_COUNT_MAX = 4096n
export const VIRTUAL_TLB_PAGE_COUNT_DEFAULT = 64n

export function isKnownProperty(code: number): boolean {
  for (const v of Object.values(HvPartitionProperty)) if (v === code) return true
  return false
}
