/**
 * Messages between the host and a VM worker thread (vm-worker.ts). The machine config goes
 * in `workerData`; byte payloads are transferred, not copied. Control requests carry a
 * sequence number the worker echoes, so each one gets its own answer or refusal.
 */
import type { MachineConfig, MachineStop } from '../vmm/machine-api'
import type { ControlOp, QueryOp } from './vm-runner'

export interface VmWorkerData {
  config: MachineConfig
}

export type ToWorker =
  | { type: 'start' }
  | { type: 'turnOff' }
  | { type: 'serial'; port: number; data: Uint8Array }
  | { type: 'control'; seq: number; op: ControlOp }
  | { type: 'save'; seq: number }
  | { type: 'query'; seq: number; op: QueryOp }
  | { type: 'debug'; data: Uint8Array }

export type FromWorker =
  | { type: 'started' }
  | { type: 'startFailed'; message: string }
  | { type: 'serial'; port: number; data: Uint8Array }
  | { type: 'stopped'; stop: MachineStop }
  | { type: 'turnedOff' }
  | { type: 'controlDone'; seq: number; error: { code: string; message: string } | null }
  | { type: 'stats'; instructions: number; busy: number }
  | { type: 'saved'; seq: number; data: Uint8Array }
  | { type: 'queryDone'; seq: number; value: unknown; error: { code: string; message: string } | null }
  | { type: 'debug'; data: Uint8Array }
