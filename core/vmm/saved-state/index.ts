/** Public surface of VM saved state: the container, the machine image and checkpoints. */
import type { MachineConfig } from '../machine-api'
import { decodeMachineImage } from './machine-image'

export * from './container'
export * from './machine-image'
export * from './checkpoint-tree'

/** The MachineConfig that restores `bytes` (its own hardware, kernel and boot settings). Throws SavedStateError. */
export function savedStateConfig(bytes: Uint8Array): MachineConfig {
  const img = decodeMachineImage(bytes)
  return { ...img.config, kernel: img.kernel, initrd: img.initrd, restoreFrom: bytes }
}
