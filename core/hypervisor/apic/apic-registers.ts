/**
 * Register offsets and field layouts of the xAPIC MMIO page that each VP's local APIC
 * exposes (TLFS 13.1: "compatible with the P4/Xeon xAPIC"; Intel SDM vol. 3 ch. 10/11).
 * The x2APIC MSR interface maps MSR 0x800 + (offset >> 4) onto the same registers.
 */

export const APIC_BASE_DEFAULT = 0xfee00000
export const MSR_IA32_APIC_BASE = 0x1b
export const MSR_IA32_TSC_DEADLINE = 0x6e0
/** IA32_APIC_BASE bits: BSP (8), x2APIC enable (10), global enable (11). */
export const APIC_BASE_BSP = 0x100n
export const APIC_BASE_EXTD = 0x400n
export const APIC_BASE_ENABLE = 0x800n

export const ApicReg = {
  ID: 0x020,
  VERSION: 0x030,
  TPR: 0x080,
  APR: 0x090,
  PPR: 0x0a0,
  EOI: 0x0b0,
  RRD: 0x0c0,
  LDR: 0x0d0,
  DFR: 0x0e0,
  SVR: 0x0f0,
  ISR0: 0x100,
  TMR0: 0x180,
  IRR0: 0x200,
  ESR: 0x280,
  ICR_LO: 0x300,
  ICR_HI: 0x310,
  LVT_TIMER: 0x320,
  LVT_THERMAL: 0x330,
  LVT_PERF: 0x340,
  LVT_LINT0: 0x350,
  LVT_LINT1: 0x360,
  LVT_ERROR: 0x370,
  TIMER_INITIAL: 0x380,
  TIMER_CURRENT: 0x390,
  TIMER_DIVIDE: 0x3e0,
  /** x2APIC only (MSR 0x83F). */
  SELF_IPI: 0x3f0,
} as const

/** LVT entry index in `LocalApic.lvt` by register offset. */
export const LVT_OFFSETS = [ApicReg.LVT_TIMER, ApicReg.LVT_THERMAL, ApicReg.LVT_PERF, ApicReg.LVT_LINT0, ApicReg.LVT_LINT1, ApicReg.LVT_ERROR] as const
export const LVT_TIMER = 0
export const LVT_LINT0 = 3
export const LVT_LINT1 = 4
export const LVT_ERROR = 5

export const LVT_MASKED = 1 << 16
export const LVT_LEVEL = 1 << 15
export const LVT_DELIVERY_MODE_SHIFT = 8
/** LVT timer mode (bits 18:17). */
export const TimerMode = { OneShot: 0, Periodic: 1, TscDeadline: 2 } as const

/** ICR / LVT delivery modes (bits 10:8); equal to HV_INTERRUPT_TYPE values (13.3). */
export const DeliveryMode = { Fixed: 0, LowestPriority: 1, Smi: 2, Nmi: 4, Init: 5, StartUp: 6, ExtInt: 7 } as const

export const ICR_DEST_LOGICAL = 1 << 11
export const ICR_DELIVERY_PENDING = 1 << 12
export const ICR_LEVEL_ASSERT = 1 << 14
export const ICR_TRIGGER_LEVEL = 1 << 15
/** Destination shorthand (bits 19:18). */
export const Shorthand = { None: 0, Self: 1, AllIncludingSelf: 2, AllExcludingSelf: 3 } as const

export const SVR_ENABLE = 1 << 8
/** Version register: version 0x14, max LVT entry 5 (six LVTs), like a P4/Xeon. */
export const APIC_VERSION_VALUE = 0x00050014
/** ESR bit for an illegal vector (< 16) sent or received. */
export const ESR_SEND_ILLEGAL_VECTOR = 1 << 5
export const ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6

/** Nominal APIC timer input clock (bus clock): 100 MHz, one tick per 10 ns before the divider. */
export const APIC_TIMER_NS_PER_TICK = 10

/** Divide configuration (bits 0,1,3) → divisor. */
export function timerDivisor(divideConfig: number): number {
  const code = (divideConfig & 3) | ((divideConfig >> 1) & 4)
  return code === 7 ? 1 : 2 << code
}
