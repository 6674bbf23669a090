/**
 * Synthetic MSRs (TLFS 3.5, 4.9, 6.2, 6.4, 10.2 and appendix H): MSR numbers and the per-VP
 * dispatch table. Each entry names the privilege bit that gates it (11.10: without it the
 * access is intercepted if the parent installed an MSR intercept, else #GP) and read/write
 * functions that return `MSR_FAULT` to ask for #GP. Later chapters (SynIC, timers, APIC)
 * add entries with `registerSyntheticMsr`.
 */
import type { HvPrivilegeBit } from './privileges'
import type { VirtualProcessor } from './virtual-processor'

export const HV_X64_MSR_GUEST_OS_ID = 0x40000000
export const HV_X64_MSR_HYPERCALL = 0x40000001
export const HV_X64_MSR_VP_INDEX = 0x40000002
export const HV_X64_MSR_RESET = 0x40000003
export const HV_X64_MSR_VP_RUNTIME = 0x40000010
export const HV_X64_MSR_TIME_REF_COUNT = 0x40000020
export const HV_X64_MSR_REFERENCE_TSC = 0x40000021
export const HV_X64_MSR_EOI = 0x40000070
export const HV_X64_MSR_ICR = 0x40000071
export const HV_X64_MSR_TPR = 0x40000072
export const HV_X64_MSR_APIC_ASSIST_PAGE = 0x40000073
export const HV_X64_MSR_SCONTROL = 0x40000080
export const HV_X64_MSR_SVERSION = 0x40000081
export const HV_X64_MSR_SIEFP = 0x40000082
export const HV_X64_MSR_SIMP = 0x40000083
export const HV_X64_MSR_EOM = 0x40000084
export const HV_X64_MSR_SINT0 = 0x40000090
export const HV_X64_MSR_STIMER0_CONFIG = 0x400000b0
export const HV_X64_MSR_POWER_STATE_TRIGGER_C1 = 0x400000c1
export const HV_X64_MSR_POWER_STATE_TRIGGER_C2 = 0x400000c2
export const HV_X64_MSR_POWER_STATE_TRIGGER_C3 = 0x400000c3
export const HV_X64_MSR_POWER_STATE_CONFIG_C1 = 0x400000d1
export const HV_X64_MSR_POWER_STATE_CONFIG_C2 = 0x400000d2
export const HV_X64_MSR_POWER_STATE_CONFIG_C3 = 0x400000d3
export const HV_X64_MSR_STATS_PARTITION_RETAIL_PAGE = 0x400000e0
export const HV_X64_MSR_STATS_PARTITION_INTERNAL_PAGE = 0x400000e1
export const HV_X64_MSR_STATS_VP_RETAIL_PAGE = 0x400000e2
export const HV_X64_MSR_STATS_VP_INTERNAL_PAGE = 0x400000e3
export const HV_X64_MSR_GUEST_IDLE = 0x400000f0

/** Returned by a read or write function to raise #GP in the guest. */
export const MSR_FAULT = Symbol('MSR_FAULT')
export type MsrResult = bigint | typeof MSR_FAULT

/** Outcome of a write besides success/fault: ask the run loop to leave with an exit. */
export const MSR_WRITE_OK = 0n

export interface SyntheticMsr {
  readonly index: number
  readonly name: string
  readonly privilege: HvPrivilegeBit
  read(vp: VirtualProcessor): MsrResult
  /** Returns MSR_WRITE_OK (0n) or MSR_FAULT. */
  write(vp: VirtualProcessor, value: bigint): MsrResult
}

export class SyntheticMsrTable {
  private readonly byIndex = new Map<number, SyntheticMsr>()

  register(msr: SyntheticMsr): void {
    this.byIndex.set(msr.index >>> 0, msr)
  }

  get(index: number): SyntheticMsr | undefined {
    return this.byIndex.get(index >>> 0)
  }

  all(): SyntheticMsr[] {
    return [...this.byIndex.values()]
  }
}
