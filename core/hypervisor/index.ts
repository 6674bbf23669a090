/**
 * Public surface of core/hypervisor: the Hypervisor (TLFS 2.0 partitions, VPs, hypercalls),
 * its wrapper interface and the spec constants others need.
 */
export { Hypervisor, type HypervisorOptions, type PoolCosts } from './hypervisor'
export { HvWrapper, type ProximityDomainInfo } from './wrapper'
export { runVp } from './run-vp'
export * from './hv-status'
export { HvCall } from './hypercall-codes'
export { HYPERCALL_TABLE } from './hypercall-table'
export { makeHypercallInput, makeHypercallResult } from './hypercall-input'
export { HvPrivilege, HV_PRIVILEGE_ALL_DEFINED, HV_PRIVILEGE_CHILD_DEFAULT } from './privileges'
export { HvPartitionProperty, HvProcessorVendor } from './partition-properties'
export { Partition, HvPartitionState, type PartitionFeature } from './partition'
export { VirtualProcessor, VpExitKind, HvMessageType } from './virtual-processor'
export { HvRegister } from './register-names'
export { HvInterceptType } from './intercepts'
export * from './synthetic-msrs'
export { hypercallPageImage, HYPERCALL_PAGE_STUB } from './hypercall-page'
export type { NativeCpuid } from './cpuid-leaves'
