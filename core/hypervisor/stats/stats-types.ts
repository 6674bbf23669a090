/**
 * Statistics constants of TLFS ch. 21 and appendix J: stats object types, group IDs and
 * versions, and the counter names of every architected and release-specific group, in
 * page order (counter i of a group is the u64 at groupStart + 8*i; index 0 is the header).
 * Counters named "…/sec" hold cumulative event counts; the reader derives rates.
 */

/** HV_STATS_OBJECT_TYPE (21.2). */
export const HvStatsObjectType = {
  HvStatsObjectHypervisor: 0x00000001,
  HvStatsObjectLogicalProcessor: 0x00000002,
  HvStatsObjectPartition: 0x00010001,
  HvStatsObjectVp: 0x00010002,
} as const
export type HvStatsObjectType = (typeof HvStatsObjectType)[keyof typeof HvStatsObjectType]

/** HV_STATS_OBJECT_FLAG. */
export const HvStatsObjectSelfStats = 0x0001

export const HV_STATISTICS_TYPE_END_OF_LIST = 0
export const HV_STATISTICS_TYPE_END_OF_PAGE = 1
export const HV_STATISTICS_TYPE_HCA_ID = 2
export const HV_STATISTICS_TYPE_LPA_ID = 2
export const HV_STATISTICS_TYPE_LPV_ID = 3
export const HV_STATISTICS_TYPE_PA_ID = 2
/** DECISION (inventory §8.2): App. J names HV_STATISTICS_TYPE_PV_ID without defining it; 3 like LPV/VPV. */
export const HV_STATISTICS_TYPE_PV_ID = 3
export const HV_STATISTICS_TYPE_VPA_ID = 2
export const HV_STATISTICS_TYPE_VPV_ID = 3
/** Version 1.0: major in the high 16 bits, minor in the low 16 bits. */
export const HV_STATISTICS_VERSION_1_0 = 0x00010000

export const HCA_COUNTERS = [
  'Logical Processors', 'Partitions', 'Total Pages', 'Virtual Processors', 'Monitored Notifications',
] as const

export const LPA_COUNTERS = [
  'Global Time', 'Total Run Time', 'Hypervisor Run Time', 'Hardware Interrupts/sec', 'Context Switches/sec',
  'Inter-Processor Interrupts/sec', 'Scheduler Interrupts/sec', 'Timer Interrupts/sec',
  'Inter-Processor Interrupts Sent/sec', 'Processor Halts/sec', 'Monitor Transition Cost', 'Context Switch Time',
  'C1 Transitions/sec', '% C1 Time', 'C2 Transitions/sec', '% C2 Time', 'C3 Transitions/sec', '% C3 Time',
] as const

export const PA_COUNTERS = ['Virtual Processors'] as const

export const PV_COUNTERS = [
  'Virtual TLB Pages', 'Address Spaces', 'Deposited Pages', 'GPA Pages', 'GPA Space Modifications/sec',
  'Virtual TLB Flush Entries/sec', 'Recommended Virtual TLB Size',
] as const

export const VPA_COUNTERS = ['Total Run Time', 'Hypervisor Run Time'] as const

export const VPV_COUNTERS = [
  'Hypercalls/sec', 'Hypercalls Cost', 'Page Invalidations/sec', 'Page Invalidations Cost',
  'Control Register Accesses/sec', 'Control Register Accesses Cost', 'IO Instructions/sec', 'IO Instructions Cost',
  'HLT Instructions/sec', 'HLT Instructions Cost', 'MWAIT Instructions/sec', 'MWAIT Instructions Cost',
  'CPUID Instructions/sec', 'CPUID Instructions Cost', 'MSR Accesses/sec', 'MSR Accesses Cost',
  'Other Intercepts/sec', 'Other Intercepts Cost', 'External Interrupts/sec', 'External Interrupts Cost',
  'Pending Interrupts/sec', 'Pending Interrupts Cost', 'Emulated Instructions/sec', 'Emulated Instructions Cost',
  'Debug Register Accesses/sec', 'Debug Register Accesses Cost', 'Page Fault Intercepts/sec', 'Page Fault Intercepts Cost',
  'Guest Page Table Maps/sec', 'Large Page TLB Fills/sec', 'Small Page TLB Fills/sec', 'Reflected Guest Page Faults/sec',
  'APIC MMIO Accesses/sec', 'IO Intercept Messages/sec', 'Memory Intercept Messages/sec', 'APIC EOI Accesses/sec',
  'Other Messages/sec', 'Page Table Allocations/sec', 'Logical Processor Migrations/sec', 'Address Space Evictions/sec',
  'Address Space Switches/sec', 'Address Domain Flushes/sec', 'Address Space Flushes/sec', 'Global GVA Range Flushes/sec',
  'Local Flushed GVA Ranges/sec', 'Page Table Evictions/sec', 'Page Table Reclamations/sec', 'Page Table Resets/sec',
  'Page Table Validations/sec', 'APIC TPR Accesses/sec', 'Page Table Write Intercepts/sec', 'Synthetic Interrupts/sec',
  'Virtual Interrupts/sec', 'APIC IPIs Sent/sec', 'APIC Self IPIs Sent/sec', 'GPA Space Hypercalls/sec',
  'Logical Processor Hypercalls/sec', 'Long Spin Wait Hypercalls/sec', 'Other Hypercalls/sec',
  'Synthetic Interrupt Hypercalls/sec', 'Virtual Interrupt Hypercalls/sec', 'Virtual MMU Hypercalls/sec',
  'Virtual Processor Hypercalls/sec',
] as const

/**
 * Slots of `VirtualProcessor.counters` (a Float64Array(64)): slot i (1-63) is VPV counter i;
 * slot 0 counts hypervisor entries (exits the hypervisor handled), which feeds the modelled
 * hypervisor run time.
 */
export const VpCounter = {
  HypervisorEntries: 0,
  Hypercalls: 1,
  PageInvalidations: 3,
  ControlRegisterAccesses: 5,
  IoInstructions: 7,
  HltInstructions: 9,
  MwaitInstructions: 11,
  CpuidInstructions: 13,
  MsrAccesses: 15,
  OtherIntercepts: 17,
  ExternalInterrupts: 19,
  PendingInterrupts: 21,
  EmulatedInstructions: 23,
  PageFaultIntercepts: 27,
  IoInterceptMessages: 34,
  MemoryInterceptMessages: 35,
  OtherMessages: 37,
  AddressSpaceSwitches: 41,
  AddressDomainFlushes: 42,
  AddressSpaceFlushes: 43,
  GlobalGvaRangeFlushes: 44,
  LocalFlushedGvaRanges: 45,
  SyntheticInterrupts: 52,
  VirtualInterrupts: 53,
  GpaSpaceHypercalls: 56,
  LogicalProcessorHypercalls: 57,
  LongSpinWaitHypercalls: 58,
  OtherHypercalls: 59,
  SyntheticInterruptHypercalls: 60,
  VirtualInterruptHypercalls: 61,
  VirtualMmuHypercalls: 62,
  VirtualProcessorHypercalls: 63,
} as const
export const VP_COUNTER_SLOTS = 64

/** Slots of the per-LP counter block: slot i (1-18) is LPA counter i. */
export const LpCounter = {
  ContextSwitches: 5,
  ProcessorHalts: 10,
  C1Transitions: 13,
  /** Idle time of the LP in 100 ns units (rendered, not counted; statistics.ts). */
  C1Time: 14,
  C2Transitions: 15,
  C3Transitions: 17,
} as const
export const LP_COUNTER_SLOTS = 20

/**
 * DECISION: hypervisor time is modelled, not measured: each hypervisor entry costs 10 units
 * of 100 ns (1 µs, the order of a real VM exit) of hypervisor run time, taken out of the VP's
 * run time (statistics.ts hypervisorRunTime).
 */
export const HV_ENTRY_COST_100NS = 10
