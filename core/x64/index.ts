/**
 * core/x64 public surface: the X64Cpu factory, the api types and the native CPUID model.
 */
import type { GuestMemory } from '../memory/guest-memory'
import type { X64Cpu } from './api'
import { Cpu, type CpuOptions } from './cpu'

export * from './api'
export { nativeCpuid, CPU_SIGNATURE } from './cpuid-model'

export type { CpuOptions }

export function createX64Cpu(memory: GuestMemory, options?: CpuOptions): X64Cpu {
  return new Cpu(memory, options)
}
