/** Shared fixtures of the DOM component tests: a fresh Pinia and document per test, VM summaries, a recording host. */
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import type { VmState, VmSummary } from '../../../contract'
import type { HvClient } from '../../../renderer/src/transport/hv-client'
import { useHostStore } from '../../../renderer/src/stores/hosts'

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

/**
 * Connects the host store to a client that records each command in `calls` and answers
 * from `answers` (an Error answer is thrown; a missing one is `{}`).
 */
export function recordingHost(calls: Array<[string, unknown]>, answers: Record<string, unknown>): void {
  const client = {
    invoke: async (channel: string, args: unknown) => {
      calls.push([channel, args])
      const a = answers[channel]
      if (a instanceof Error) throw a
      return a ?? {}
    },
    on: () => () => {},
    onConnection: () => () => {},
  } as unknown as HvClient
  useHostStore().init(client, () => ({ client, close: () => {} }))
}
