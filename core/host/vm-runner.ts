/**
 * How the host runs one VM's machine: a `VmRunner` hides whether the Machine lives in a
 * worker thread (the app; worker-runner.ts) or in this thread (unit tests and tools that run
 * TypeScript sources; `inProcessRunner` below). Either way the host sees the same events as
 * core/vmm's MachineEvents, and a runner never throws at the host for guest behavior.
 */
import type { MachineConfig, MachineFactory, MachineStop } from '../vmm/machine-api'

export interface VmRunnerEvents {
  serial(port: number, data: Uint8Array): void
  /** The machine stopped for good (guest power-off, error, or turned off). */
  stopped(stop: MachineStop): void
}

export interface VmRunner {
  /** Resolves when the machine is Running; rejects with an Error whose message is user-facing. */
  start(): Promise<void>
  /** Hard power off; resolves once the machine is Off (then `stopped` has fired). */
  turnOff(): Promise<void>
  sendSerial(port: number, data: Uint8Array): void
}

export type RunnerFactory = (config: MachineConfig, events: VmRunnerEvents) => VmRunner

/** Runs the Machine on the host's own thread; for unit tests (which run TS sources) and tools. */
export function inProcessRunner(createMachine: MachineFactory): RunnerFactory {
  return (config, events) => {
    let stopped = false
    const once = (stop: MachineStop): void => {
      if (stopped) return
      stopped = true
      events.stopped(stop)
    }
    const machine = createMachine(config, {
      serial: (port, data) => events.serial(port, data),
      stopped: once,
    })
    return {
      start: () => machine.start(),
      async turnOff() {
        await machine.turnOff()
        once({ kind: 'turned-off', message: 'Turned off' })
      },
      sendSerial: (port, data) => {
        if (!stopped) machine.sendSerial(port, data)
      },
    }
  }
}
