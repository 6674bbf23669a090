/**
 * Runs a VM's machine in a `worker_threads` Worker (the built vm-worker.js beside the
 * bundle), so a busy guest never blocks the host's event loop, and a crashing machine
 * takes down only its worker: the host turns a worker error or exit into a `stopped` event.
 */
import { Worker } from 'node:worker_threads'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { MachineStop } from '../vmm/machine-api'
import { ErrorCode, HvError, isErrorCode } from '../../contract'
import type { EventLogAnswer, QueryOp, RunnerFactory } from './vm-runner'
import type { HvStatsSnapshot } from '../vmm/machine-api'
import type { FromWorker, ToWorker, VmWorkerData } from './worker-protocol'

/** How long a worker gets to turn its machine off before it is terminated. */
const TURN_OFF_GRACE_MS = 3000

/** The worker script beside the running bundle (out/cli/vm-worker.js or out/main/vm-worker.js). */
export function defaultWorkerPath(): string | null {
  const path = fileURLToPath(new URL('./vm-worker.js', import.meta.url))
  return existsSync(path) ? path : null
}

export function workerRunner(workerPath: string): RunnerFactory {
  return (config, events) => {
    const data: VmWorkerData = { config }
    let worker: Worker | null = null
    let done = false
    let onStart: { resolve(): void; reject(e: Error): void } | null = null
    const turnOffWaiters: (() => void)[] = []
    const controls = new Map<number, { resolve(data?: Uint8Array): void; reject(e: Error): void }>()
    const queries = new Map<number, { resolve(value: unknown): void; reject(e: Error): void }>()
    let nextSeq = 1

    const finish = (stop: MachineStop): void => {
      if (done) return
      done = true
      onStart?.reject(new Error(stop.message))
      onStart = null
      events.stopped(stop)
      for (const w of turnOffWaiters.splice(0)) w()
      for (const c of controls.values()) c.reject(new HvError(ErrorCode.INVALID_STATE, `The machine stopped: ${stop.message}`))
      controls.clear()
      for (const q of queries.values()) q.reject(new HvError(ErrorCode.INVALID_STATE, `The machine stopped: ${stop.message}`))
      queries.clear()
      void worker?.terminate()
    }

    const request = (make: (seq: number) => ToWorker): Promise<Uint8Array | undefined> => {
      if (done || !worker) return Promise.reject(new HvError(ErrorCode.INVALID_STATE, 'The machine is not running'))
      const seq = nextSeq++
      return new Promise<Uint8Array | undefined>((resolve, reject) => {
        controls.set(seq, { resolve, reject })
        post(make(seq))
      })
    }

    const query = (op: QueryOp): Promise<unknown> => {
      if (done || !worker) return Promise.reject(new HvError(ErrorCode.INVALID_STATE, 'The machine is not running'))
      const seq = nextSeq++
      return new Promise<unknown>((resolve, reject) => {
        queries.set(seq, { resolve, reject })
        post({ type: 'query', seq, op })
      })
    }

    const post = (msg: ToWorker): void => {
      if (!worker || done) return
      if (msg.type === 'serial' || msg.type === 'debug') worker.postMessage(msg, [msg.data.buffer as ArrayBuffer])
      else worker.postMessage(msg)
    }

    const onMessage = (msg: FromWorker): void => {
      switch (msg.type) {
        case 'started':
          onStart?.resolve()
          onStart = null
          break
        case 'startFailed':
          finish({ kind: 'error', message: msg.message })
          break
        case 'serial':
          if (!done) events.serial(msg.port, msg.data)
          break
        case 'stopped':
          finish(msg.stop)
          break
        case 'turnedOff':
          finish({ kind: 'turned-off', message: 'Turned off' })
          break
        case 'controlDone': {
          const c = controls.get(msg.seq)
          controls.delete(msg.seq)
          if (!c) break
          if (!msg.error) c.resolve()
          else c.reject(new HvError(isErrorCode(msg.error.code) ? msg.error.code : ErrorCode.MACHINE, msg.error.message))
          break
        }
        case 'stats':
          if (!done) events.stats?.({ instructions: msg.instructions, busy: msg.busy })
          break
        case 'debug':
          if (!done) events.debug?.(msg.data)
          break
        case 'queryDone': {
          const q = queries.get(msg.seq)
          queries.delete(msg.seq)
          if (!q) break
          if (!msg.error) q.resolve(msg.value)
          else q.reject(new HvError(isErrorCode(msg.error.code) ? msg.error.code : ErrorCode.MACHINE, msg.error.message))
          break
        }
        case 'saved': {
          const c = controls.get(msg.seq)
          controls.delete(msg.seq)
          c?.resolve(msg.data)
          break
        }
      }
    }

    return {
      start() {
        return new Promise<void>((resolve, reject) => {
          onStart = { resolve, reject }
          try {
            worker = new Worker(workerPath, { workerData: data })
          } catch (e) {
            finish({ kind: 'error', message: `Could not start the VM worker: ${(e as Error).message}` })
            return
          }
          worker.on('message', onMessage)
          worker.on('error', (e) => finish({ kind: 'error', message: `VM worker failed: ${e.message}` }))
          worker.on('exit', (code) => finish({ kind: 'error', message: `VM worker exited unexpectedly (code ${code})` }))
          post({ type: 'start' })
        })
      },
      turnOff() {
        if (done) return Promise.resolve()
        return new Promise<void>((resolve) => {
          turnOffWaiters.push(resolve)
          post({ type: 'turnOff' })
          const timer = setTimeout(() => finish({ kind: 'turned-off', message: 'Turned off (worker terminated)' }), TURN_OFF_GRACE_MS)
          turnOffWaiters.push(() => clearTimeout(timer))
        })
      },
      async control(op) {
        await request((seq) => ({ type: 'control', seq, op }))
      },
      async save() {
        const data = await request((seq) => ({ type: 'save', seq }))
        if (!data) throw new HvError(ErrorCode.MACHINE, 'The worker answered Save without a saved state')
        return data
      },
      hvStats: async () => (await query({ kind: 'hvStats' })) as HvStatsSnapshot,
      eventLog: async (cursor) => (await query({ kind: 'eventLog', cursor })) as EventLogAnswer,
      capture: async () => (await query({ kind: 'capture' })) as Uint8Array,
      sendDebug(bytes) {
        post({ type: 'debug', data: bytes.slice() })
      },
      sendSerial(port, bytes) {
        // Copy: the buffer is transferred and the caller may still hold it.
        post({ type: 'serial', port, data: bytes.slice() })
      },
    }
  }
}
