/**
 * Entry point of a VM worker thread: constructs `new Machine(config, events)` from
 * core/vmm/machine.ts with the config in `workerData`, and relays serial bytes and the stop
 * event to the host by messages (protocol in worker-protocol.ts). Anything the machine
 * throws becomes a message, so the host always learns why its VM stopped.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Machine } from '../vmm/machine'
import type { MachineControl, MachineStop } from '../vmm/machine-api'
import type { FromWorker, ToWorker, VmWorkerData } from './worker-protocol'

const port = parentPort
if (!port) throw new Error('vm-worker.ts must run in a worker thread')

const send = (msg: FromWorker): void => {
  if (msg.type === 'serial') port.postMessage(msg, [msg.data.buffer as ArrayBuffer])
  else port.postMessage(msg)
}

let machine: MachineControl | null = null
let stopped = false

function stop(s: MachineStop): void {
  if (stopped) return
  stopped = true
  send({ type: 'stopped', stop: s })
}

async function start(): Promise<void> {
  const { config } = workerData as VmWorkerData
  try {
    const m: MachineControl = new Machine(config, {
      // Copy: the machine may reuse its buffer, and ours is transferred away.
      serial: (p: number, data: Uint8Array) => send({ type: 'serial', port: p, data: data.slice() }),
      stopped: stop,
    })
    machine = m
    await m.start()
    send({ type: 'started' })
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
    case 'serial':
      try {
        if (machine && !stopped) machine.sendSerial(msg.port, msg.data)
      } catch (e) {
        stop({ kind: 'error', message: `Serial input failed: ${(e as Error).message}` })
      }
      break
  }
})
