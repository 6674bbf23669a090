/**
 * How the host runs one VM's machine: a `VmRunner` hides whether the Machine lives in a
 * worker thread (the app; worker-runner.ts) or in this thread (unit tests and tools that run
 * TypeScript sources; `inProcessRunner` below). Either way the host sees the same events as
 * core/vmm's MachineEvents, and a runner never throws at the host for guest behavior.
 */
import { ErrorCode, HvError } from '../../contract'
import type {
  HvEventLogRecord, HvStatsSnapshot, MachineConfig, MachineControl, MachineFactory, MachineHvServices, MachineStop,
} from '../vmm/machine-api'

/** One activity sample: instructions retired so far and the share of time the VM's thread was busy. */
export interface RunnerStats {
  instructions: number
  /** 0..1, or null when the runner cannot measure it (in-process). */
  busy: number | null
}

export interface VmRunnerEvents {
  serial(port: number, data: Uint8Array): void
  /** The machine stopped for good (guest power-off, error, or turned off). */
  stopped(stop: MachineStop): void
  /** About once a second while running. */
  stats?(sample: RunnerStats): void
  /** Bytes the guest posted to its hypervisor debug session. */
  debug?(data: Uint8Array): void
}

/** Questions to the machine's hypervisor services (MachineHvServices) and checkpoint captures. */
export type QueryOp = { kind: 'hvStats' } | { kind: 'eventLog'; cursor: number } | { kind: 'capture' }

export interface EventLogAnswer {
  entries: HvEventLogRecord[]
  cursor: number
  lost: number
}

export type ControlOp = 'pause' | 'resume' | 'reset' | 'shutDown'

export interface VmRunner {
  /** Resolves when the machine is Running; rejects with an Error whose message is user-facing. */
  start(): Promise<void>
  /** Hard power off; resolves once the machine is Off (then `stopped` has fired). */
  turnOff(): Promise<void>
  /** Pause, Resume, Reset, or a guest-visible Shut Down request; rejects with an HvError. */
  control(op: ControlOp): Promise<void>
  /** Saves the machine (core/vmm/saved-state container); the machine then holds no guest. */
  save(): Promise<Uint8Array>
  sendSerial(port: number, data: Uint8Array): void
  /** Stats pages now; rejects NOT_AVAILABLE when the machine has no hypervisor services. */
  hvStats?(): Promise<HvStatsSnapshot>
  eventLog?(cursor: number): Promise<EventLogAnswer>
  /** The saved-state container of the running VM without stopping it (checkpoints). */
  capture?(): Promise<Uint8Array>
  sendDebug?(data: Uint8Array): void
}

export type RunnerFactory = (config: MachineConfig, events: VmRunnerEvents) => VmRunner

export const STATS_INTERVAL_MS = 1000

/** Applies a control op to a machine; shared by the in-process runner and the VM worker. */
export function applyControl(machine: MachineControl, op: ControlOp): void {
  switch (op) {
    case 'pause':
      return machine.pause()
    case 'resume':
      return machine.resume()
    case 'reset':
      return machine.reset()
    case 'shutDown':
      return machine.shutDown()
  }
}

/** Saves a machine; NOT_AVAILABLE when this MachineControl cannot save. */
export async function saveMachine(machine: MachineControl): Promise<Uint8Array> {
  if (!machine.save) throw new HvError(ErrorCode.NOT_AVAILABLE, 'Save is not available: this machine cannot save its state.')
  return machine.save()
}

function services(machine: MachineControl): MachineHvServices & { captureSavedState?(): Uint8Array } {
  return machine as unknown as MachineHvServices & { captureSavedState?(): Uint8Array }
}

/** Answers a query on a machine; shared by the in-process runner and the VM worker. */
export function answerQuery(machine: MachineControl, op: QueryOp): unknown {
  const m = services(machine)
  switch (op.kind) {
    case 'hvStats':
      if (typeof m.hvStats !== 'function') throw new HvError(ErrorCode.NOT_AVAILABLE, 'This machine has no hypervisor statistics.')
      return m.hvStats()
    case 'eventLog':
      if (typeof m.eventLog !== 'function') throw new HvError(ErrorCode.NOT_AVAILABLE, 'This machine has no hypervisor event log.')
      return m.eventLog(op.cursor)
    case 'capture':
      if (typeof m.captureSavedState !== 'function') throw new HvError(ErrorCode.NOT_AVAILABLE, 'This machine cannot take checkpoints.')
      return m.captureSavedState()
  }
}

/** Bytes to a machine's debug session, when it has one. */
export function sendDebugTo(machine: MachineControl, data: Uint8Array): void {
  const m = services(machine)
  if (typeof m.sendDebug === 'function') m.sendDebug(data)
}

/** Runs the Machine on the host's own thread; for unit tests (which run TS sources) and tools. */
export function inProcessRunner(createMachine: MachineFactory): RunnerFactory {
  return (config, events) => {
    let stopped = false
    let timer: ReturnType<typeof setInterval> | null = null
    const once = (stop: MachineStop): void => {
      if (stopped) return
      stopped = true
      if (timer) clearInterval(timer)
      events.stopped(stop)
    }
    const machine = createMachine(config, {
      serial: (port, data) => events.serial(port, data),
      debug: (data) => events.debug?.(data),
      stopped: once,
    })
    const query = async (op: QueryOp): Promise<unknown> => {
      if (stopped) throw new HvError(ErrorCode.INVALID_STATE, 'The machine has stopped')
      try {
        return answerQuery(machine, op)
      } catch (e) {
        if (e instanceof HvError) throw e
        throw new HvError(ErrorCode.MACHINE, (e as Error).message)
      }
    }
    return {
      async start() {
        await machine.start()
        if (events.stats && machine.stats) {
          timer = setInterval(() => events.stats?.({ instructions: machine.stats?.instructions ?? 0, busy: null }), STATS_INTERVAL_MS)
          ;(timer as { unref?: () => void }).unref?.()
        }
      },
      async turnOff() {
        await machine.turnOff()
        once({ kind: 'turned-off', message: 'Turned off' })
      },
      async control(op) {
        if (stopped) throw new HvError(ErrorCode.INVALID_STATE, 'The machine has stopped')
        try {
          applyControl(machine, op)
        } catch (e) {
          if (e instanceof HvError) throw e
          throw new HvError(ErrorCode.MACHINE, (e as Error).message)
        }
      },
      async save() {
        if (stopped) throw new HvError(ErrorCode.INVALID_STATE, 'The machine has stopped')
        try {
          const bytes = await saveMachine(machine)
          if (timer) clearInterval(timer)
          return bytes
        } catch (e) {
          if (e instanceof HvError) throw e
          throw new HvError(ErrorCode.MACHINE, (e as Error).message)
        }
      },
      sendSerial: (port, data) => {
        if (!stopped) machine.sendSerial(port, data)
      },
      hvStats: async () => (await query({ kind: 'hvStats' })) as HvStatsSnapshot,
      eventLog: async (cursor) => (await query({ kind: 'eventLog', cursor })) as EventLogAnswer,
      capture: async () => (await query({ kind: 'capture' })) as Uint8Array,
      sendDebug: (data) => {
        if (!stopped) sendDebugTo(machine, data)
      },
    }
  }
}
