/** Shared fixtures of the DOM component tests: a fresh Pinia and document per test, VM summaries. */
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import type { VmState, VmSummary } from '../../../contract'

/** A new active Pinia and an empty document body (call in beforeEach). */
export function freshPinia(): Pinia {
  const pinia = createPinia()
  setActivePinia(pinia)
  document.body.innerHTML = ''
  return pinia
}

/** A VM summary named after its id (upper case), 64 MB, the bundled hello guest. */
export function vmSummary(id: string, state: VmState): VmSummary {
  return {
    id, state, createdAt: 0, startedAt: null, cpuUsagePercent: null, instructionsPerSecond: null, assignedMemoryMiB: 0, status: '', lastStop: null,
    config: { name: id.toUpperCase(), memoryMiB: 64, cpus: 1, boot: { kind: 'bundled', guest: 'hello' }, clock: 'host', comPorts: 2, onTripleFault: 'stop', notes: '' },
  } as VmSummary
}
