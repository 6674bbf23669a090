/**
 * Entry point of a VM worker thread: constructs `new Machine(config, events)` from
 * core/vmm/machine.ts with the config in `workerData`, and relays serial bytes and the stop
 * event to the host by messages (protocol in worker-protocol.ts). Anything the machine
 * throws becomes a message, so the host always learns why its VM stopped.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'
import { HvError } from '../../contract'
import { Machine } from '../vmm/machine'
import type { MachineControl, MachineStop } from '../vmm/machine-api'
import { answerQuery, applyControl, saveMachine, sendDebugTo, STATS_INTERVAL_MS } from './vm-runner'
import type { FromWorker, ToWorker, VmWorkerData } from './worker-protocol'

const port = parentPort
if (!port) throw new Error('vm-worker.ts must run in a worker thread')

const send = (msg: FromWorker): void => {
  if (msg.type === 'serial' || msg.type === 'saved' || msg.type === 'debug') port.postMessage(msg, [msg.data.buffer as ArrayBuffer])
  else port.postMessage(msg)
}

async function save(seq: number): Promise<void> {
  try {
    if (!machine || stopped) throw new Error('the machine is not running')
    const bytes = await saveMachine(machine)
    if (statsTimer) clearInterval(statsTimer)
    // A copy we own, so transferring it cannot detach the machine's buffer.
    send({ type: 'saved', seq, data: bytes.slice() })
  } catch (e) {
    const code = e instanceof HvError ? e.code : 'MACHINE'
    send({ type: 'controlDone', seq, error: { code, message: (e as Error).message ?? String(e) } })
  }
}

let machine: MachineControl | null = null
let stopped = false
let statsTimer: ReturnType<typeof setInterval> | null = null

function stop(s: MachineStop): void {
  if (stopped) return
  stopped = true
  if (statsTimer) clearInterval(statsTimer)
  send({ type: 'stopped', stop: s })
}

/** Samples instructions retired and this thread's busy share (event loop utilization) once a second. */
function startStats(m: MachineControl): void {
  let last: EventLoopUtilization = performance.eventLoopUtilization()
  statsTimer = setInterval(() => {
    const now = performance.eventLoopUtilization()
    const busy = performance.eventLoopUtilization(now, last).utilization
    last = now
    send({ type: 'stats', instructions: m.stats?.instructions ?? 0, busy: Number.isFinite(busy) ? busy : 0 })
  }, STATS_INTERVAL_MS)
}

async function start(): Promise<void> {
  const { config } = workerData as VmWorkerData
  try {
    const m: MachineControl = new Machine(config, {
      // Copy: the machine may reuse its buffer, and ours is transferred away.
      serial: (p: number, data: Uint8Array) => send({ type: 'serial', port: p, data: data.slice() }),
      debug: (data: Uint8Array) => send({ type: 'debug', data: data.slice() }),
      stopped: stop,
    })
    machine = m
    await m.start()
    send({ type: 'started' })
    startStats(m)
  } catch (e) {
    send({ type: 'startFailed', message: `The machine could not start: ${(e as Error).message ?? String(e)}` })
  }
}

async function turnOff(): Promise<void> {
  try {
    if (machine && !stopped) await machine.turnOff()
  } catch {
    // Turning off must always succeed from the user's point of view; the host terminates us.
  }
  send({ type: 'turnedOff' })
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'start':
      void start()
      break
    case 'turnOff':
      void turnOff()
      break
    case 'save':
      void save(msg.seq)
      break
    case 'control':
      try {
        if (!machine || stopped) throw new Error('the machine is not running')
        applyControl(machine, msg.op)
        send({ type: 'controlDone', seq: msg.seq, error: null })
      } catch (e) {
        const code = e instanceof HvError ? e.code : 'MACHINE'
        send({ type: 'controlDone', seq: msg.seq, error: { code, message: (e as Error).message ?? String(e) } })
      }
      break
    case 'query':
      try {
        if (!machine || stopped) throw new Error('the machine is not running')
        let value = answerQuery(machine, msg.op)
        // A copy we own: the machine's buffers must not travel.
        if (value instanceof Uint8Array) value = value.slice()
        send({ type: 'queryDone', seq: msg.seq, value, error: null })
      } catch (e) {
        const code = e instanceof HvError ? e.code : 'MACHINE'
        send({ type: 'queryDone', seq: msg.seq, value: null, error: { code, message: (e as Error).message ?? String(e) } })
      }
      break
    case 'debug':
      if (machine && !stopped) sendDebugTo(machine, msg.data)
      break
    case 'serial':
      try {
        if (machine && !stopped) machine.sendSerial(msg.port, msg.data)
      } catch (e) {
        stop({ kind: 'error', message: `Serial input failed: ${(e as Error).message}` })
      }
      break
  }
})
