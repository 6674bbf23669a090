/**
 * Messages between the host and a VM worker thread (vm-worker.ts). The machine config goes
 * in `workerData`; byte payloads are transferred, not copied.
 */
import type { MachineConfig, MachineStop } from '../vmm/machine-api'

export interface VmWorkerData {
  config: MachineConfig
}

export type ToWorker =
  | { type: 'start' }
  | { type: 'turnOff' }
  | { type: 'serial'; port: number; data: Uint8Array }

export type FromWorker =
  | { type: 'started' }
  | { type: 'startFailed'; message: string }
  | { type: 'serial'; port: number; data: Uint8Array }
  | { type: 'stopped'; stop: MachineStop }
  | { type: 'turnedOff' }
