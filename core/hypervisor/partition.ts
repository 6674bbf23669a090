/**
 * A partition (TLFS ch. 5): identity, place in the hierarchy, state machine
 * (Uninitialized → Active → Finalizing → Finalized), privilege mask, properties, memory
 * pool (ch. 7), GPA space (ch. 8), installed intercepts (ch. 9), VPs (ch. 10) and the
 * partition-wide synthetic MSRs (GUEST_OS_ID, HYPERCALL). Later chapters hang their
 * per-partition state on `features` instead of growing this class.
 */
import type { GuestMemory } from '../memory/guest-memory'
import { ChildGpaSpace, type GpaSpace } from './gpa-space'
import { InterceptTable } from './intercepts'
import { HvPartitionProperty as P, VIRTUAL_TLB_PAGE_COUNT_DEFAULT } from './partition-properties'
import type { VirtualProcessor } from './virtual-processor'

export const HvPartitionState = {
  Uninitialized: 'Uninitialized',
  Active: 'Active',
  Finalizing: 'Finalizing',
  Finalized: 'Finalized',
} as const
export type HvPartitionState = (typeof HvPartitionState)[keyof typeof HvPartitionState]

/** HV_PARTITION_ID_INVALID (5.1). */
export const HV_PARTITION_ID_INVALID = 0n

/** Per-partition state of a later chapter (SynIC, timers, APIC…), keyed by name. */
export interface PartitionFeature {
  /** Called when a VP of the partition is created or deleted. */
  onVpCreated?(vp: VirtualProcessor): void
  onVpDeleted?(vp: VirtualProcessor): void
  /** Called when the partition is finalized (its resources go away). */
  onFinalize?(): void
}

export class Partition {
  state: HvPartitionState = HvPartitionState.Uninitialized
  privileges: bigint
  readonly children: Partition[] = []
  readonly properties = new Map<number, bigint>()
  /** Pages deposited into this partition's pool, as page numbers of the depositor's GPA space. */
  readonly pool: number[] = []
  /** Pool pages the hypervisor uses for this partition's structures (7.1). */
  pagesInUse = 0
  /** Which partition's GPA space the pool pages belong to (the parent, or itself for the root). */
  poolOwner: Partition
  readonly intercepts = new InterceptTable()
  readonly vps: Array<VirtualProcessor | undefined> = []
  /** Synthetic MSR HV_X64_MSR_GUEST_OS_ID (partition-wide, 3.5). */
  guestOsId = 0n
  /** Synthetic MSR HV_X64_MSR_HYPERCALL (partition-wide, 4.9). */
  hypercallMsr = 0n
  readonly features = new Map<string, PartitionFeature>()
  space: GpaSpace | null
  /** Knobs for tests (4.6 DECISION): reps done per invocation before continuing. */
  maxRepsPerInvocation = Infinity

  constructor(
    readonly id: bigint,
    readonly parent: Partition | null,
    readonly creationFlags: bigint,
    privileges: bigint,
    space: GpaSpace | null,
  ) {
    this.privileges = privileges
    this.space = space
    this.poolOwner = parent ?? this
    this.properties.set(P.HvPartitionPropertyPrivilegeFlags, privileges)
    this.properties.set(P.HvPartitionPropertyCpuReserve, 0n)
    this.properties.set(P.HvPartitionPropertyCpuCap, 0x10000n)
    this.properties.set(P.HvPartitionPropertyCpuWeight, 0x64n)
    this.properties.set(P.HvPartitionPropertyEmulatedTimerPeriod, 0n)
    this.properties.set(P.HvPartitionPropertyEmulatedTimerControl, 0n)
    this.properties.set(P.HvPartitionPropertyPmTimerAssist, 0n)
    this.properties.set(P.HvPartitionPropertyDebugChannelId, 0n)
    this.properties.set(P.HvPartitionPropertyVirtualTlbPageCount, VIRTUAL_TLB_PAGE_COUNT_DEFAULT)
  }

  get isRoot(): boolean {
    return this.parent === null
  }

  get depth(): number {
    return this.parent ? this.parent.depth + 1 : 1
  }

  get pagesAvailable(): number {
    return this.pool.length - this.pagesInUse
  }

  /** Draw `n` pages from the pool for hypervisor structures; false when too few are free. */
  allocate(n: number): boolean {
    if (this.pagesAvailable < n) return false
    this.pagesInUse += n
    return true
  }

  release(n: number): void {
    this.pagesInUse = Math.max(0, this.pagesInUse - n)
  }

  /** The child's RAM (null for the root, which runs no x86 code). */
  get memory(): GuestMemory | null {
    return this.space instanceof ChildGpaSpace ? this.space.memory : null
  }

  isParentOf(other: Partition): boolean {
    return other.parent === this
  }

  vp(index: number): VirtualProcessor | undefined {
    return index >= 0 && index < this.vps.length ? this.vps[index] : undefined
  }

  liveVps(): VirtualProcessor[] {
    return this.vps.filter((v): v is VirtualProcessor => v !== undefined)
  }
}
