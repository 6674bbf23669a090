/**
 * HV_PARTITION_PRIVILEGE_MASK (TLFS 5.2.3): bit numbers, the default masks of the root and of
 * a new child, and the read-only view the guest gets through CPUID 0x40000003 EAX/EBX.
 * Bit numbers above 31 are kept as numbers; the mask itself is a bigint (slow path only).
 */

export const HvPrivilege = {
  AccessVpRunTimeMsr: 0,
  AccessPartitionReferenceCounter: 1,
  AccessSynicMsrs: 2,
  AccessSyntheticTimerMsrs: 3,
  AccessApicMsrs: 4,
  AccessHypercallMsrs: 5,
  AccessVpIndex: 6,
  AccessResetMsr: 7,
  AccessStatsMsr: 8,
  AccessPartitionReferenceTsc: 9,
  AccessGuestIdleMsr: 10,
  CreatePartitions: 32,
  AccessPartitionId: 33,
  AccessMemoryPool: 34,
  AdjustMessageBuffers: 35,
  PostMessages: 36,
  SignalEvents: 37,
  CreatePort: 38,
  ConnectPort: 39,
  AccessStats: 40,
  Debugging: 43,
  CpuPowerManagement: 44,
  ConfigureProfiler: 45,
} as const
export type HvPrivilegeBit = (typeof HvPrivilege)[keyof typeof HvPrivilege]

/** Every defined privilege bit: 0-10, 32-40, 43-45 (the root's mask; DECISION in §5.3). */
export const HV_PRIVILEGE_ALL_DEFINED = Object.values(HvPrivilege).reduce((m, b) => m | (1n << BigInt(b)), 0n)
/** Default mask of a new child partition (TLFS 5.2.3: 0x5FF). */
export const HV_PRIVILEGE_CHILD_DEFAULT = 0x5ffn

export function hasPrivilege(mask: bigint, bit: HvPrivilegeBit): boolean {
  return ((mask >> BigInt(bit)) & 1n) === 1n
}
