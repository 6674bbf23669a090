/**
 * Model-specific registers the VMM answers for the virtual platform, after the CPU (its
 * architectural MSRs) and the hypervisor (the synthetic 0x40000000 range, APIC) declined.
 * Today only IA32_BIOS_SIGN_ID (0x8B, Intel SDM vol. 4 table 2-2): guests write 0 to it,
 * execute CPUID and read the microcode revision from EDX:EAX bits 63:32. There is no
 * microcode in a virtual CPU, so writes are accepted and ignored and reads return 0 (what
 * hypervisors report). Every other MSR is unknown and the caller raises #GP.
 */

export const IA32_BIOS_SIGN_ID = 0x8b

/** Outcome of an MSR access the VMM handles: the value read (0 for writes), or 'gp'. */
export type PlatformMsrResult = bigint | 'gp'

/** `index` from the exit; for a write the caller completes the instruction, for a read it returns the value. */
export function platformMsrAccess(index: number): PlatformMsrResult {
  switch (index >>> 0) {
    case IA32_BIOS_SIGN_ID:
      return 0n // write: no microcode update to trigger; read: revision 0
    default:
      return 'gp'
  }
}
