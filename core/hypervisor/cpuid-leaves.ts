/**
 * CPUID as a child sees it (TLFS ch. 3 and appendix D): native leaves from the CPU model with
 * CPUID.1:ECX[31] ("hypervisor present") forced on, plus the hypervisor leaves
 * 0x40000000-0x40000006 computed per partition (privileges, version, limits). Leaves above
 * the reported maximum up to 0x400000FF read as zeros (DECISION 3.3).
 */
import type { Partition } from './partition'

export const HV_CPUID_MAX_LEAF = 0x40000006
/** "Microsoft Hv" split over EBX, ECX, EDX. */
export const HV_CPUID_VENDOR = [0x7263694d, 0x666f736f, 0x76482074] as const
/** "Hv#1". */
export const HV_CPUID_INTERFACE_SIGNATURE = 0x31237648

/** Values of leaf 0x40000002 (DECISION U44: build 6002, version 6.0, SP 2). */
export interface HvVersionInfo {
  build: number
  major: number
  minor: number
  servicePack: number
  serviceBranch: number
  serviceNumber: number
}

/** Leaf 0x40000003 EDX / 0x40000004 / 0x40000006 choices of this implementation. */
export interface HvCpuidFeatures {
  /** 0x40000003 ECX[3:0]: highest processor power state. */
  maxPowerState: number
  /** 0x40000003 EDX: bit 0 MWAIT, 1 guest debugging, 2 perf monitor, 3 dynamic partitioning, 4 XMM input, 5 guest idle. */
  miscFeatures: number
  /** 0x40000004 EAX recommendations. */
  recommendations: number
  /** 0x40000004 EBX spinlock retries (0xFFFFFFFF = never notify). */
  spinlockRetries: number
  /** 0x40000005 EAX / EBX. */
  maxVps: number
  maxLps: number
  /** 0x40000006 EAX hardware features in use. */
  hardwareFeatures: number
}

export type NativeCpuid = (leaf: number, subleaf: number, out: Uint32Array) => void

/** Fill `out` (EAX, EBX, ECX, EDX) with what CPUID(leaf, subleaf) returns in partition `p`. */
export function partitionCpuid(
  p: Partition,
  leaf: number,
  subleaf: number,
  out: Uint32Array,
  native: NativeCpuid,
  version: HvVersionInfo,
  features: HvCpuidFeatures,
): void {
  leaf >>>= 0
  if (leaf >= 0x40000000 && leaf <= 0x400000ff) {
    out.fill(0)
    switch (leaf) {
      case 0x40000000:
        out[0] = HV_CPUID_MAX_LEAF
        out[1] = HV_CPUID_VENDOR[0]
        out[2] = HV_CPUID_VENDOR[1]
        out[3] = HV_CPUID_VENDOR[2]
        break
      case 0x40000001:
        out[0] = HV_CPUID_INTERFACE_SIGNATURE
        break
      case 0x40000002:
        // 3.3: all zero until the guest has identified itself through GUEST_OS_ID.
        if (p.guestOsId !== 0n) {
          out[0] = version.build >>> 0
          out[1] = ((version.major & 0xffff) << 16) | (version.minor & 0xffff)
          out[2] = version.servicePack >>> 0
          out[3] = ((version.serviceBranch & 0xff) << 24) | (version.serviceNumber & 0xffffff)
        }
        break
      case 0x40000003:
        // EAX = privilege mask 31:0 (DECISION U6), EBX = mask 63:32 (DECISION U5).
        out[0] = Number(p.privileges & 0xffffffffn) >>> 0
        out[1] = Number((p.privileges >> 32n) & 0xffffffffn) >>> 0
        out[2] = features.maxPowerState & 0xf
        out[3] = features.miscFeatures >>> 0
        break
      case 0x40000004:
        out[0] = features.recommendations >>> 0
        out[1] = features.spinlockRetries >>> 0
        break
      case 0x40000005:
        out[0] = features.maxVps >>> 0
        out[1] = features.maxLps >>> 0
        break
      case 0x40000006:
        out[0] = features.hardwareFeatures >>> 0
        break
      default:
        break
    }
    return
  }
  native(leaf, subleaf, out)
  if (leaf === 1) out[2] = (out[2] | 0x80000000) >>> 0 // 3.2: hypervisor present
}
