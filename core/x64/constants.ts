/**
 * Architectural constants of the x64 "silicon": control-register and EFER bits, RFLAGS
 * bits, exception vectors and the indices of the MSRs the CPU owns (Intel SDM vol. 3,
 * ch. 2.5 "Control registers", ch. 6.3 "Sources of interrupts", ch. 2.2.1 "MSRs").
 */

export const CR0 = {
  PE: 0x1, MP: 0x2, EM: 0x4, TS: 0x8, ET: 0x10, NE: 0x20, WP: 0x10000, AM: 0x40000,
  NW: 0x20000000, CD: 0x40000000, PG: 0x80000000,
} as const

export const CR4 = {
  VME: 0x1, PVI: 0x2, TSD: 0x4, DE: 0x8, PSE: 0x10, PAE: 0x20, MCE: 0x40, PGE: 0x80,
  PCE: 0x100, OSFXSR: 0x200, OSXMMEXCPT: 0x400, FSGSBASE: 0x10000, PCIDE: 0x20000, OSXSAVE: 0x40000,
} as const

export const EFER = { SCE: 0x1, LME: 0x100, LMA: 0x400, NXE: 0x800 } as const

export const FLAGS = {
  CF: 0x1, PF: 0x4, AF: 0x10, ZF: 0x40, SF: 0x80, TF: 0x100, IF: 0x200, DF: 0x400, OF: 0x800,
  IOPL: 0x3000, NT: 0x4000, RF: 0x10000, VM: 0x20000, AC: 0x40000, VIF: 0x80000, VIP: 0x100000, ID: 0x200000,
} as const

/** The six arithmetic flags (those the lazy-flag machinery computes). */
export const ARITH_FLAGS = 0x8d5

export const Vector = {
  DE: 0, DB: 1, NMI: 2, BP: 3, OF: 4, BR: 5, UD: 6, NM: 7, DF: 8, TS: 10, NP: 11, SS: 12,
  GP: 13, PF: 14, MF: 16, AC: 17, MC: 18, XM: 19,
} as const

/** MSR indices owned by the CPU. */
export const MSR = {
  TSC: 0x10,
  APIC_BASE: 0x1b,
  SPEC_CTRL: 0x48, PRED_CMD: 0x49,
  ARCH_CAPABILITIES: 0x10a,
  MTRRCAP: 0xfe,
  SYSENTER_CS: 0x174, SYSENTER_ESP: 0x175, SYSENTER_EIP: 0x176,
  MCG_CAP: 0x179, MCG_STATUS: 0x17a, MCG_CTL: 0x17b,
  MISC_ENABLE: 0x1a0,
  PAT: 0x277,
  MTRR_DEF_TYPE: 0x2ff,
  EFER: 0xc0000080, STAR: 0xc0000081, LSTAR: 0xc0000082, CSTAR: 0xc0000083, SFMASK: 0xc0000084,
  FS_BASE: 0xc0000100, GS_BASE: 0xc0000101, KERNEL_GS_BASE: 0xc0000102, TSC_AUX: 0xc0000103,
} as const

/** Internal CPU modes (derived from CR0.PE, EFER.LMA, CS.L/D, RFLAGS.VM). */
export const Mode = { Real: 0, Prot16: 1, Prot32: 2, Long64: 3 } as const
