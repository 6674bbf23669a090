/**
 * Event-logging constants of TLFS ch. 19 and appendix I: log types and their classes,
 * enable flags, buffer states, time bases, the HV_EVENTLOG_BUFFER_HEADER and
 * HV_EVENTLOG_ENTRY_HEADER layouts, and the appendix I group masks and event numbers.
 */

export const HvEventLogType = {
  HvEventLogTypeGlobalSystemEvents: 0,
  HvEventLogTypeLocalDiagnostics: 1,
} as const

export const HV_EVENTLOG_ENABLE_DIAG_ADMIN = 0x1n
export const HV_EVENTLOG_ENABLE_DIAG_PERF_GENERAL = 0x100000000n
export const HV_EVENTLOG_ENABLE_SYSTEM_SUCCESS = 0x1n
export const HV_EVENTLOG_ENABLE_SYSTEM_FAILURE = 0x2n

export const HvEventLogBufferState = {
  HvEventLogBufferStateStandby: 0,
  HvEventLogBufferStateFree: 1,
  HvEventLogBufferStateInUse: 2,
  HvEventLogBufferStateComplete: 3,
  HvEventLogBufferStateReady: 4,
} as const
export type HvEventLogBufferState = (typeof HvEventLogBufferState)[keyof typeof HvEventLogBufferState]

export const HV_EVENTLOG_BUFFER_INDEX_NONE = 0xffffffff
export const HV_EVENTLOG_ENTRY_TIME_REFERENCE = 0
export const HV_EVENTLOG_ENTRY_TIME_TSC = 1

export const HV_EVENTLOG_MAX_BUFFER_COUNT = 512
export const HV_EVENTLOG_MAX_BUFFER_PAGES = 512

/** HV_EVENTLOG_BUFFER_HEADER field offsets (88 bytes, natural alignment). */
export const EventLogHeader = {
  BufferSize: 0,
  BufferIndex: 4,
  EventsLost: 8,
  ReferenceCounter: 12,
  TimeStamp: 16,
  LogicalProcessor: 40,
  BufferState: 44,
  NextBufferOffset: 48,
  Type: 56,
  NextBufferIndex: 60,
  Size: 88,
} as const

/** HV_EVENTLOG_ENTRY_HEADER: Context u32 | Size u16 | Type u16 | TimeStamp u64; then (DECISION) u64 parameters. */
export const EVENTLOG_ENTRY_HEADER_SIZE = 16

/** Appendix I group masks; in the LocalDiagnostics enable mask each bit enables its group (DECISION). */
export const HvEventLogGroup = {
  BootManager: 0x0000010000000000n,
  DispatchManager: 0x200n,
  Hypercall: 0x400n,
  InterceptManager: 0x800n,
  InstructionCompletion: 0x1000n,
  ObjectManager: 0x2000n,
  PartitionManager: 0x4000n,
  VirtualProcessorManager: 0x8000n,
  SyntheticInterruptController: 0x10000n,
  SyntheticTimers: 0x20000n,
  AddressManagerGva: 0x40000n,
  AddressManager: 0x80000n,
  VirtualAbstractionLayer: 0x100000n,
  VirtualizationManager: 0x200000n,
  Scheduler: 0x400000n,
  Threads: 0x800000n,
  Timers: 0x1000000n,
  Kernel: 0x2000000n,
  MemoryManager: 0x4000000n,
  Profiler: 0x8000000n,
} as const

/** Appendix I event numbers (the entry header's Type). */
export const HvTraceEvent = {
  HV_TR_HC_HYPERCALL: 0x1a,
  HV_TR_IM_GUEST_EXCEPTION: 0x20,
  HV_TR_IM_MSR_READ: 0x21,
  HV_TR_IM_MSR_WRITE: 0x22,
  HV_TR_IM_CR_READ: 0x23,
  HV_TR_IM_CR_WRITE: 0x24,
  HV_TR_IM_HLT_INSTRUCTION: 0x25,
  HV_TR_IM_MWAIT_INSTRUCTION: 0x26,
  HV_TR_IM_CPUID_INSTRUCTION: 0x27,
  HV_TR_IM_IO_PORT_READ: 0x28,
  HV_TR_IM_IO_PORT_WRITE: 0x29,
  HV_TR_IM_EXTERNAL_INTERRUPT: 0x2a,
  HV_TR_IM_INTERRUPT_PENDING: 0x2b,
  HV_TR_IM_GUEST_SHUTDOWN: 0x2c,
  HV_TR_IM_EMULATED_INSTRUCTION: 0x2d,
  HV_TR_IM_NMI_INTERRUPT: 0x2e,
  HV_TR_IM_INVLPG_INSTRUCTION: 0x2f,
  HV_TR_IM_IRET_INSTRUCTION: 0x30,
  HV_TR_IM_TASK_SWITCH: 0x31,
  HV_TR_IM_INVD_INSTRUCTION: 0x32,
  HV_TR_IM_DR_ACCESS: 0x33,
  HV_TR_IM_FERR_FREEZE: 0x34,
  HV_TR_IM_REAL_MODE_INTERRUPT: 0x35,
  HV_TR_IM_MEMORY_INTERCEPT: 0x36,
  HV_TR_IM_REFLECTED_EXCEPTION: 0x37,
  HV_TR_OB_CREATE_PARTITION: 0x40,
  HV_TR_OB_DELETE_PARTITION: 0x41,
  HV_TR_PT_REFERENCE_TIME: 0x46,
  HV_TR_VP_CREATE_VP: 0x4b,
  HV_TR_VP_DELETE_VP: 0x4c,
  HV_TR_AM_GVA_GROW_VIRTUAL_TLB: 0x70,
  HV_TR_AM_GVA_SHRINK_VIRTUAL_TLB: 0x71,
  HV_TR_AM_GVA_FLUSH_VIRTUAL_TLB: 0x72,
  HV_TR_SCH_CONTEXT_SWITCH: 0xb0,
  HV_TR_SCH_PROFILER_SAMPLE: 0xf0,
  HV_TR_PROFILER_HV_MODULE: 0xf1,
} as const

/** Names by event number, for decoders. */
export const HV_TRACE_EVENT_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(HvTraceEvent).map(([k, v]) => [v, k]),
)
