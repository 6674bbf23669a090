/**
 * The CPU's native CPUID answers: exactly the features this interpreter implements
 * (Intel SDM vol. 2, "CPUID"; AMD APM vol. 3 for the 0x8000000x leaves). The hypervisor
 * layer adds its own leaves (0x40000000+), the hypervisor-present bit (leaf 1 ECX[31]),
 * the APIC bit/ID and, when it wants, OSXSAVE mirroring CR4.
 */

/** Leaf 1 EDX features. */
export const CPUID1_EDX = {
  FPU: 1 << 0, DE: 1 << 2, PSE: 1 << 3, TSC: 1 << 4, MSR: 1 << 5, PAE: 1 << 6, MCE: 1 << 7, CX8: 1 << 8,
  SEP: 1 << 11, MTRR: 1 << 12, PGE: 1 << 13, MCA: 1 << 14, CMOV: 1 << 15, PAT: 1 << 16, PSE36: 1 << 17,
  CLFSH: 1 << 19, MMX: 1 << 23, FXSR: 1 << 24, SSE: 1 << 25, SSE2: 1 << 26,
} as const

/** Leaf 1 ECX features. */
export const CPUID1_ECX = { PNI: 1 << 0, CX16: 1 << 13, PCID: 1 << 17, POPCNT: 1 << 23 } as const

/** Leaf 7 subleaf 0 EBX features. */
export const CPUID7_EBX = { INVPCID: 1 << 10 } as const

/**
 * Leaf 7 subleaf 0 EDX: the speculation controls (SPEC_CTRL with IBRS/STIBP/SSBD, PRED_CMD)
 * and IA32_ARCH_CAPABILITIES. The interpreter never speculates, so the controls have
 * nothing to restrict and ARCH_CAPABILITIES reports immunity (below).
 */
export const CPUID7_EDX = { IBRS_IBPB: 1 << 26, STIBP: 1 << 27, ARCH_CAPABILITIES: 1 << 29, SSBD: 1 << 31 } as const

/**
 * IA32_ARCH_CAPABILITIES (MSR 0x10A, Intel SDM vol. 4 table 2-2): every "not susceptible"
 * bit, true of a CPU with no speculative execution, no caches to sample and no TSX, plus
 * IBRS_ALL (enhanced IBRS: a single SPEC_CTRL write protects, as it trivially does here).
 * RDCL_NO 0, IBRS_ALL 1, SKIP_L1DFL_VMENTRY 3, SSB_NO 4, MDS_NO 5, IF_PSCHANGE_MC_NO 6,
 * TAA_NO 8, SBDR_SSDP_NO 13, FBSDP_NO 14, PSDP_NO 15, BHI_NO 20, PBRSB_NO 24, GDS_NO 26,
 * RFDS_NO 27; ITS_NO is bit 62 (high word bit 30).
 */
export const ARCH_CAPABILITIES_LO = (1 << 0 | 1 << 1 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 8 | 1 << 13 | 1 << 14 | 1 << 15 | 1 << 20 | 1 << 24 | 1 << 26 | 1 << 27) >>> 0
export const ARCH_CAPABILITIES_HI = (1 << 30) >>> 0

/** Leaf 0x80000001 EDX / ECX features. */
export const CPUID81_EDX = { SYSCALL: 1 << 11, NX: 1 << 20, PAGE1GB: 1 << 26, RDTSCP: 1 << 27, LM: 1 << 29 } as const
export const CPUID81_ECX = { LAHF_LM: 1 << 0 } as const

const LEAF1_EDX = Object.values(CPUID1_EDX).reduce((a, b) => a | b, 0)
const LEAF1_ECX = Object.values(CPUID1_ECX).reduce((a, b) => a | b, 0)
const LEAF7_EDX = Object.values(CPUID7_EDX).reduce((a, b) => a | b, 0)
const LEAF81_EDX = Object.values(CPUID81_EDX).reduce((a, b) => a | b, 0)
const LEAF81_ECX = Object.values(CPUID81_ECX).reduce((a, b) => a | b, 0)

/** MAXPHYADDR: entry bits from here to 51 are reserved (paging.ts's masks assume 40). */
export const PHYS_ADDR_BITS = 40

/** Family 6, model 0x3a, stepping 9 (a generic 64-bit Intel core signature). */
export const CPU_SIGNATURE = 0x000306a9

function str4(s: string, i: number): number {
  let v = 0
  for (let k = 0; k < 4; k++) v |= (s.charCodeAt(i + k) & 0xff) << (8 * k)
  return v
}

const BRAND = 'HV Manager virtual x64 CPU'.padEnd(47, ' ') + '\0'

/** Fill out[0..3] = EAX, EBX, ECX, EDX for CPUID(leaf, subleaf). */
export function nativeCpuid(leaf: number, subleaf: number, out: Uint32Array): void {
  out[0] = 0; out[1] = 0; out[2] = 0; out[3] = 0
  leaf >>>= 0
  switch (leaf) {
    case 0:
      out[0] = 7
      out[1] = str4('GenuineIntel', 0); out[3] = str4('GenuineIntel', 4); out[2] = str4('GenuineIntel', 8)
      return
    case 1:
      out[0] = CPU_SIGNATURE
      out[1] = (8 << 8) | (1 << 16) // CLFLUSH line 64 bytes, 1 logical processor, APIC ID 0
      out[2] = LEAF1_ECX
      out[3] = LEAF1_EDX >>> 0
      return
    case 7:
      if (subleaf === 0) { out[1] = CPUID7_EBX.INVPCID; out[3] = LEAF7_EDX >>> 0 } // subleaf 0: EAX = 0 (no further subleaves)
      return
    case 0x80000000: out[0] = 0x80000008; return
    case 0x80000001:
      out[2] = LEAF81_ECX
      out[3] = LEAF81_EDX >>> 0
      return
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const base = (leaf - 0x80000002) * 16
      for (let i = 0; i < 4; i++) out[i] = str4(BRAND, base + i * 4) >>> 0
      return
    }
    case 0x80000008: out[0] = (48 << 8) | PHYS_ADDR_BITS; return // physical and linear address bits
    default: return
  }
}
