/**
 * HV_PARTITION_PROCESSOR_FEATURES (TLFS 5.2.11) mapped onto the CPUID bits it stands for, so a
 * partition's HvPartitionPropertyProcessorFeatures really de-features what its guest sees:
 * the hypervisor clears, in native leaves 1 and 0x80000001, every bit whose feature the
 * partition's property lacks. The root's own value is what the silicon reports
 * (`processorFeaturesFromCpuid`), so a child that inherits it sees its CPU unchanged, and a
 * child set to HV_PARTITION_PROCESSOR_FEATURES_*_COMPATIBILITY_MODE sees only that subset.
 */
import type { NativeCpuid } from './cpuid-leaves'

/** One HV_PARTITION_PROCESSOR_FEATURES bit and where CPUID reports it (leaf, register 0-3 = EAX-EDX, bit). */
interface FeatureBit {
  readonly bit: number
  readonly leaf: number
  readonly reg: 2 | 3
  readonly cpuidBit: number
}

// Intel SDM vol. 2 CPUID / AMD APM vol. 3 for the 0x80000001 bits.
const FEATURE_BITS: readonly FeatureBit[] = [
  { bit: 0, leaf: 1, reg: 2, cpuidBit: 0 }, // Sse3Support
  { bit: 1, leaf: 0x80000001, reg: 2, cpuidBit: 0 }, // LahfSahfSupport
  { bit: 2, leaf: 1, reg: 2, cpuidBit: 9 }, // Ssse3Support
  { bit: 3, leaf: 1, reg: 2, cpuidBit: 19 }, // Sse4_1Support
  { bit: 4, leaf: 1, reg: 2, cpuidBit: 20 }, // Sse4_2Support
  { bit: 5, leaf: 0x80000001, reg: 2, cpuidBit: 6 }, // Sse4aSupport
  { bit: 6, leaf: 0x80000001, reg: 2, cpuidBit: 11 }, // Sse5Support (XOP)
  { bit: 7, leaf: 1, reg: 2, cpuidBit: 23 }, // PopCntSupport
  { bit: 8, leaf: 1, reg: 2, cpuidBit: 13 }, // Cmpxchg16bSupport
  { bit: 9, leaf: 0x80000001, reg: 2, cpuidBit: 4 }, // Altmovcr8Support
  { bit: 10, leaf: 0x80000001, reg: 2, cpuidBit: 5 }, // LzcntSupport (ABM)
  { bit: 11, leaf: 0x80000001, reg: 2, cpuidBit: 7 }, // MisAlignSseSupport
  { bit: 12, leaf: 0x80000001, reg: 3, cpuidBit: 22 }, // MmxExtSupport
  { bit: 13, leaf: 0x80000001, reg: 3, cpuidBit: 31 }, // Amd3DNowSupport
  { bit: 14, leaf: 0x80000001, reg: 3, cpuidBit: 30 }, // ExtendedAmd3DNowSupport
  { bit: 15, leaf: 0x80000001, reg: 3, cpuidBit: 26 }, // Page1GBSupport
]

/** HV_PARTITION_PROCESSOR_XSAVE_FEATURES bits in leaf 1 ECX: XSAVE (26, with OSXSAVE 27) and AVX (28). */
const XSAVE_SUPPORT = 1
const AVX_SUPPORT = 4

/** The features word the silicon (`native`) reports: the root partition's value. */
export function processorFeaturesFromCpuid(native: NativeCpuid): bigint {
  const r1 = new Uint32Array(4)
  const r81 = new Uint32Array(4)
  native(1, 0, r1)
  native(0x80000001, 0, r81)
  let v = 0n
  for (const f of FEATURE_BITS) {
    const regs = f.leaf === 1 ? r1 : r81
    if ((regs[f.reg]! >>> f.cpuidBit) & 1) v |= 1n << BigInt(f.bit)
  }
  return v
}

/** The XSAVE features word the silicon reports (XSAVE, XSAVEOPT from leaf 0xD.1, AVX). */
export function xsaveFeaturesFromCpuid(native: NativeCpuid): bigint {
  const r = new Uint32Array(4)
  native(1, 0, r)
  const ecx = r[2]!
  let v = 0n
  if ((ecx >>> 26) & 1) {
    v |= BigInt(XSAVE_SUPPORT)
    native(0xd, 1, r)
    if (r[0]! & 1) v |= 2n
  }
  if ((ecx >>> 28) & 1) v |= BigInt(AVX_SUPPORT)
  return v
}

/**
 * Clears from `out` (a native leaf's EAX-EDX) the bits of features `features`/`xsave` lack.
 * Only leaves 1 and 0x80000001 carry such bits; `features` is the low 16 bits as a number
 * (callers convert the property once, not per CPUID).
 */
export function maskCpuidFeatures(leaf: number, out: Uint32Array, features: number, xsave: number): void {
  if (leaf !== 1 && leaf !== 0x80000001) return
  for (const f of FEATURE_BITS) {
    if (f.leaf === leaf && !((features >>> f.bit) & 1)) out[f.reg] = (out[f.reg]! & ~(1 << f.cpuidBit)) >>> 0
  }
  if (leaf === 1) {
    if (!(xsave & XSAVE_SUPPORT)) out[2] = (out[2]! & ~((1 << 26) | (1 << 27))) >>> 0
    if (!(xsave & AVX_SUPPORT)) out[2] = (out[2]! & ~(1 << 28)) >>> 0
  }
}
