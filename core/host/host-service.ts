/**
 * HostService: the one implementation of the HV Manager contract (contract/channels.ts).
 * It owns the VM inventory (inventory.ts), each VM's lifecycle (Off → Starting → Running →
 * Stopping → Off, refusing illegal transitions), its machine runner (a worker thread in the
 * app, in-process in unit tests), console scrollback and the fan-out of events to every
 * subscriber (Electron windows, WebSocket clients). `invoke` validates untrusted input and
 * never throws: every failure is a `{ code, message }` error in the returned Result.
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  ErrorCode,
  HvError,
  bytesToByteString,
  byteStringToBytes,
  fail,
  ok,
  validateArgs,
  type Channel,
  type CommandArgs,
  type CommandResult,
  type HostEvent,
  type HostFeatures,
  type Result,
  type VmConfig,
  type VmState,
  type VmStopInfo,
  type VmSummary,
} from '../../contract'
import type { MachineStop } from '../vmm/machine-api'
import { listBundledGuests, resolveMachineConfig } from './boot-source'
import { ConsoleLog } from './console-log'
import { CpuMeter } from './cpu-usage'
import { Inventory, type VmRecord } from './inventory'
import { Uploads } from './uploads'
import { writeFileAtomic } from './atomic-file'
import type { ControlOp, RunnerFactory, RunnerStats, VmRunner } from './vm-runner'
import { machineChangesWhileOn, notAvailable } from './host-rules'
import { CheckpointOps } from './checkpoint-ops'

export interface HostServiceOptions {
  dataDir: string
  guestsDir: string
  runner: RunnerFactory
  version?: string
  now?: () => number
  /** Which optional features the machine provides (default: Shut Down only). */
  features?: Partial<HostFeatures>
  /** On the very first run (no inventory yet), create this VM if its bundled guest exists. */
  defaultVm?: VmConfig
}

export type HostListener = (event: HostEvent) => void

const PORTS = 2

export interface LiveVm {
  state: VmState
  startedAt: number | null
  runner: VmRunner | null
  lastStop: VmStopInfo | null
  consoles: ConsoleLog[]
  pending: string[]
  flushScheduled: boolean
  meter: CpuMeter | null
  cpuUsagePercent: number | null
  instructionsPerSecond: number | null
}

type Handlers = { [C in Channel]: (args: CommandArgs<C>) => Promise<CommandResult<C>> }

export class HostService {
  private readonly live = new Map<string, LiveVm>()
  private readonly listeners = new Set<HostListener>()
  private readonly now: () => number
  private readonly uploads: Uploads
  private readonly features: HostFeatures
  private closed = false

  private constructor(
    private readonly inventory: Inventory,
    private readonly options: HostServiceOptions,
  ) {
    this.now = options.now ?? Date.now
    this.uploads = new Uploads(options.dataDir)
    this.features = {
      shutDown: true,
      save: true,
      checkpoints: true,
      hypervisorStats: true,
      eventLog: true,
      debugConsole: true,
      nativeShell: false,
      ...options.features,
    }
  }

  static async open(options: HostServiceOptions): Promise<HostService> {
    const inventory = await Inventory.open(options.dataDir)
    const host = new HostService(inventory, options)
    if (inventory.firstRun && options.defaultVm) await host.createDefaultVm(options.defaultVm)
    await inventory.ensureIndex().catch(() => undefined)
    return host
  }

  /** First start: a ready-to-start VM, so a new user sees something to run. */
  private async createDefaultVm(config: VmConfig): Promise<void> {
    if (config.boot.kind === 'bundled') {
      const guest = config.boot.guest
      if (!(await listBundledGuests(this.options.guestsDir)).some((g) => g.name === guest)) return
    }
    await this.inventory.add({ id: randomUUID(), createdAt: this.now(), config })
  }

  get problems(): readonly string[] {
    return this.inventory.problems
  }

  /** Runs a command from an untrusted caller: validates, dispatches, never throws. */
  async invoke(channel: unknown, args: unknown): Promise<Result<unknown>> {
    const valid = validateArgs(channel, args)
    if (!valid.ok) return valid
    try {
      return ok(await this.call(channel as Channel, valid.value as never))
    } catch (e) {
      if (e instanceof HvError) return fail(e.code, e.message)
      return fail(ErrorCode.INTERNAL, `Internal error in ${String(channel)}: ${(e as Error)?.message ?? String(e)}`)
    }
  }

  /** Typed entry for trusted callers with already-valid arguments; throws HvError. */
  call<C extends Channel>(channel: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    if (this.closed) return Promise.reject(new HvError(ErrorCode.TRANSPORT, 'The host is shutting down'))
    return (this.handlers[channel] as (a: CommandArgs<C>) => Promise<CommandResult<C>>)(args)
  }

  subscribe(listener: HostListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Turns off every running VM (host shutdown). */
  async close(): Promise<void> {
    if (this.closed) return
    const running = [...this.live.values()].filter((vm) => vm.runner)
    await Promise.all(running.map((vm) => vm.runner?.turnOff().catch(() => undefined)))
    this.closed = true
    this.listeners.clear()
  }

  private progress(id: string, operation: 'save' | 'restore' | 'checkpoint' | 'apply', percent: number, message: string): void {
    this.emit({ channel: 'vm:progress', payload: { id, operation, percent, done: percent >= 100, message } })
  }

  /** Checkpoints (checkpoint-ops.ts) see the live VM through this narrow view. */
  private readonly checkpointOps = new CheckpointOps({
    now: () => this.now(),
    record: (id) => this.record(id),
    live: (id) => this.liveVm(id),
    vmFolder: (id) => this.inventory.vmFolder(id),
    savedStatePath: (id) => this.savedStatePath(id),
    progress: (id, op, percent, message) => this.progress(id, op, percent, message),
    flush: (id) => this.flush(id, this.liveVm(id)),
    changed: (id) => this.changed(id),
  })

  private readonly handlers: Handlers = {
    'host:info': async () => ({
      version: this.options.version ?? '0.0.0',
      platform: `${process.platform}-${process.arch}`,
      guests: await listBundledGuests(this.options.guestsDir),
      problems: [...this.inventory.problems],
      features: { ...this.features },
      dataDir: this.options.dataDir,
    }),
    'vm:list': async () => this.inventory.list().map((r) => this.summary(r)),
    'vm:get': async ({ id }) => this.summary(this.record(id)),
    'vm:create': async ({ config }) => {
      const id = randomUUID()
      const record: VmRecord = { id, createdAt: this.now(), config: await this.uploads.adopt(config, this.inventory.vmFolder(id)) }
      try {
        await this.inventory.add(record)
      } catch (e) {
        throw new HvError(ErrorCode.STORAGE, `The VM could not be saved: ${(e as Error).message}`)
      }
      return this.changed(record.id)
    },
    'vm:start': async ({ id }) => this.start(id),
    'vm:turnOff': async ({ id }) => this.turnOff(id),
    'vm:delete': async ({ id }) => {
      const record = this.record(id)
      const vm = this.liveVm(id)
      if (vm.state !== 'Off') {
        throw new HvError(ErrorCode.INVALID_STATE, `"${record.config.name}" is ${vm.state}; turn it off before deleting it`)
      }
      try {
        await this.inventory.remove(id)
      } catch (e) {
        throw new HvError(ErrorCode.STORAGE, `The VM could not be deleted: ${(e as Error).message}`)
      }
      this.live.delete(id)
      this.emit({ channel: 'vm:changed', payload: { id, vm: null } })
      return { id }
    },
    'vm:pause': async ({ id }) => this.control(id, 'pause'),
    'vm:resume': async ({ id }) => this.control(id, 'resume'),
    'vm:reset': async ({ id }) => this.control(id, 'reset'),
    'vm:shutDown': async ({ id }) => this.control(id, 'shutDown'),
    'vm:update': async ({ id, config }) => this.update(id, config),
    'vm:save': async ({ id }) => this.save(id),
    'vm:checkpoint': async ({ id, name }) => this.checkpointOps.take(id, name),
    'checkpoint:list': async ({ id }) => this.checkpointOps.list(id),
    'checkpoint:apply': async ({ id, checkpointId, createFirst }) => this.checkpointOps.apply(id, checkpointId, createFirst),
    'checkpoint:rename': async ({ id, checkpointId, name }) => this.checkpointOps.rename(id, checkpointId, name),
    'checkpoint:delete': async ({ id, checkpointId, subtree }) => this.checkpointOps.delete(id, checkpointId, subtree),
    'vm:hvStats': async ({ id }) => {
      const runner = this.running(id, 'Hypervisor statistics')
      if (!runner.hvStats) throw notAvailable('Hypervisor statistics', 'this machine does not map stats pages')
      const snap = await runner.hvStats()
      return { id, at: this.now(), partitionId: snap.partitionId, objects: snap.objects }
    },
    'vm:eventLog': async ({ id, cursor }) => {
      const runner = this.running(id, 'The event log')
      if (!runner.eventLog) throw notAvailable('The event log', 'this machine has no event-log buffers')
      return { id, ...(await runner.eventLog(cursor)) }
    },
    'debug:input': async ({ id, data }) => {
      const record = this.record(id)
      const runner = this.running(id, 'The debug console')
      if (record.config.debug === false) {
        throw new HvError(ErrorCode.INVALID_STATE, `"${record.config.name}" has its debug session turned off in Settings`)
      }
      if (!runner.sendDebug) throw notAvailable('The debug console', 'this machine has no debug session')
      runner.sendDebug(byteStringToBytes(data))
      return { accepted: data.length }
    },
    'file:upload': async (args) => this.uploads.receive(args),
    'shell:openFile': async () => {
      throw notAvailable('A native file dialog', 'it exists only in the desktop app; upload the file instead')
    },
    'shell:openConnect': async ({ id }) => {
      this.record(id)
      throw notAvailable('A separate Connect window', 'it exists only in the desktop app')
    },
    'console:input': async ({ id, port, data }) => {
      const record = this.record(id)
      const vm = this.liveVm(id)
      if (vm.state !== 'Running' || !vm.runner) {
        throw new HvError(ErrorCode.INVALID_STATE, `"${record.config.name}" is ${vm.state}; start it to type into its console`)
      }
      vm.runner.sendSerial(port, byteStringToBytes(data))
      return { accepted: data.length }
    },
    'console:history': async ({ id, port }) => {
      this.record(id)
      const vm = this.liveVm(id)
      this.flush(id, vm)
      return { id, port, ...vm.consoles[port]!.snapshot() }
    },
  }

  /** The runner of a Running or Paused VM, for live views; INVALID_STATE otherwise. */
  private running(id: string, what: string): VmRunner {
    const record = this.record(id)
    const vm = this.liveVm(id)
    if ((vm.state !== 'Running' && vm.state !== 'Paused') || !vm.runner) {
      throw new HvError(ErrorCode.INVALID_STATE, `"${record.config.name}" is ${vm.state}; ${what} needs it Running or Paused`)
    }
    return vm.runner
  }

  private record(id: string): VmRecord {
    const r = this.inventory.get(id)
    if (!r) throw new HvError(ErrorCode.VM_NOT_FOUND, `No virtual machine has the id "${id}" (it may have been deleted)`)
    return r
  }

  private liveVm(id: string): LiveVm {
    let vm = this.live.get(id)
    if (!vm) {
      vm = {
        // A saved state on disk survives host restarts.
        state: existsSync(this.savedStatePath(id)) ? 'Saved' : 'Off',
        startedAt: null,
        runner: null,
        lastStop: null,
        consoles: Array.from({ length: PORTS }, () => new ConsoleLog()),
        pending: Array.from({ length: PORTS }, () => ''),
        flushScheduled: false,
        meter: null,
        cpuUsagePercent: null,
        instructionsPerSecond: null,
      }
      this.live.set(id, vm)
    }
    return vm
  }

  private async start(id: string): Promise<VmSummary> {
    const record = this.record(id)
    const vm = this.liveVm(id)
    if (vm.state !== 'Off' && vm.state !== 'Saved') {
      throw new HvError(ErrorCode.INVALID_STATE, `"${record.config.name}" is already ${vm.state}; only a VM that is Off or Saved can be started`)
    }
    const restoring = vm.state === 'Saved'
    vm.state = restoring ? 'Restoring' : 'Starting'
    vm.lastStop = null
    // A fresh boot starts a fresh console history (a restore continues the saved guest's).
    if (!restoring) {
      vm.consoles = Array.from({ length: PORTS }, () => new ConsoleLog())
      vm.pending = Array.from({ length: PORTS }, () => '')
    }
    if (restoring) this.progress(id, 'restore', 10, `Restoring "${record.config.name}"…`)
    this.changed(id)
    let runner: VmRunner
    try {
      const machineConfig = await resolveMachineConfig(record.config, this.options.guestsDir)
      const restoreFrom = restoring ? await this.readSavedState(id, record.config.name) : undefined
      runner = this.options.runner(
        { ...machineConfig, onTripleFault: record.config.onTripleFault, debug: record.config.debug ?? true, ...(restoreFrom ? { restoreFrom } : {}) },
        {
          serial: (port, data) => this.onSerial(id, port, data),
          debug: (data) => this.emit({ channel: 'debug:output', payload: { id, data: bytesToByteString(data) } }),
          stopped: (stop) => this.onStopped(id, runner, stop),
          stats: (sample) => this.onStats(id, runner, sample),
        },
      )
      vm.runner = runner
      await runner.start()
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      if (restoring) {
        this.progress(id, 'restore', 100, `Restoring failed: ${message}`)
        // The saved state stays: the user may fix the cause, or Turn Off to discard it.
        vm.runner = null
        vm.state = 'Saved'
        vm.lastStop = { kind: 'error', message, at: this.now() }
        this.changed(id)
        if (e instanceof HvError) throw e
        throw new HvError(ErrorCode.MACHINE, `"${record.config.name}" could not be restored: ${message}. Turn it off to discard the saved state.`)
      }
      if (stateOf(vm) !== 'Off') this.setOff(id, vm, { kind: 'error', message, at: this.now() })
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.MACHINE, `"${record.config.name}" could not start: ${message}`)
    }
    if (restoring) {
      await rm(this.savedStatePath(id), { force: true }).catch(() => undefined)
      this.progress(id, 'restore', 100, `Restored "${record.config.name}"`)
    }
    if (stateOf(vm) !== 'Starting' && stateOf(vm) !== 'Restoring') {
      // It stopped (guest power-off, error, turn off) before start() resolved.
      return this.summary(record)
    }
    vm.state = 'Running'
    vm.startedAt = this.now()
    vm.meter = new CpuMeter(record.config.cpus, vm.startedAt)
    return this.changed(id)
  }

  /** Pause / Resume / Reset / Shut Down, each allowed only in the states the rules name. */
  private async control(id: string, op: ControlOp): Promise<VmSummary> {
    const record = this.record(id)
    const vm = this.liveVm(id)
    const name = record.config.name
    const allowed: Record<ControlOp, VmState[]> = {
      pause: ['Running'],
      resume: ['Paused'],
      reset: ['Running', 'Paused'],
      shutDown: ['Running'],
    }
    const verbs: Record<ControlOp, string> = { pause: 'paused', resume: 'resumed', reset: 'reset', shutDown: 'shut down' }
    if (!allowed[op].includes(vm.state) || !vm.runner) {
      const need = allowed[op].join(' or ')
      throw new HvError(ErrorCode.INVALID_STATE, `"${name}" is ${vm.state}; only a VM that is ${need} can be ${verbs[op]}`)
    }
    if (op === 'shutDown' && !this.features.shutDown) {
      throw notAvailable('Shut Down', 'this machine cannot send the guest a shutdown request yet; use Turn Off to power it off')
    }
    try {
      await vm.runner.control(op)
    } catch (e) {
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.MACHINE, `"${name}" could not be ${verbs[op]}: ${(e as Error).message}`)
    }
    if (stateOf(vm) === 'Off') return this.summary(record)
    if (op === 'pause') vm.state = 'Paused'
    if (op === 'resume') vm.state = 'Running'
    // Uptime restarts; the CPU meter keeps its baseline (the machine's count spans resets).
    if (op === 'reset') vm.startedAt = this.now()
    if (op === 'pause') {
      vm.cpuUsagePercent = 0
      vm.instructionsPerSecond = 0
    }
    return this.changed(id)
  }

  private async update(id: string, config: VmConfig): Promise<VmSummary> {
    const record = this.record(id)
    const vm = this.liveVm(id)
    if (vm.state !== 'Off') {
      const changed = machineChangesWhileOn(record.config, config)
      if (changed.length) {
        throw new HvError(
          ErrorCode.INVALID_STATE,
          `"${record.config.name}" is ${vm.state}; ${changed.join(', ')} can only be changed while the VM is Off (Name and Notes can change any time)`,
        )
      }
    }
    const next: VmRecord = { ...record, config: await this.uploads.adopt(config, this.inventory.vmFolder(id)) }
    try {
      await this.inventory.update(next)
    } catch (e) {
      throw new HvError(ErrorCode.STORAGE, `The settings could not be saved: ${(e as Error).message}`)
    }
    return this.changed(id)
  }

  private onStats(id: string, runner: VmRunner, sample: RunnerStats): void {
    const vm = this.live.get(id)
    if (!vm || vm.runner !== runner || vm.state !== 'Running' || !vm.meter) return
    const at = this.now()
    const r = vm.meter.sample(sample, at)
    if (!r) return
    vm.cpuUsagePercent = r.cpuUsagePercent
    vm.instructionsPerSecond = r.instructionsPerSecond
    this.emit({ channel: 'vm:stats', payload: { id, at, ...r } })
    this.changed(id)
  }

  private savedStatePath(id: string): string {
    return join(this.inventory.vmFolder(id), 'saved-state.hvs')
  }

  private async readSavedState(id: string, name: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.savedStatePath(id)))
    } catch (e) {
      throw new HvError(ErrorCode.STORAGE, `The saved state of "${name}" could not be read: ${(e as Error).message}`)
    }
  }

  /** Running|Paused → Saving → Saved: the machine's container goes to the VM's folder. */
  private async save(id: string): Promise<VmSummary> {
    const record = this.record(id)
    const vm = this.liveVm(id)
    const name = record.config.name
    const from = vm.state
    if ((from !== 'Running' && from !== 'Paused') || !vm.runner) {
      throw new HvError(ErrorCode.INVALID_STATE, `"${name}" is ${from}; only a VM that is Running or Paused can be saved`)
    }
    if (!this.features.save) throw notAvailable('Save', 'this machine cannot save its state')
    const runner = vm.runner
    vm.state = 'Saving'
    this.changed(id)
    this.progress(id, 'save', 10, `Saving "${name}"…`)
    let bytes: Uint8Array
    try {
      bytes = await runner.save()
    } catch (e) {
      this.progress(id, 'save', 100, `Saving failed: ${(e as Error).message}`)
      if (stateOf(vm) === 'Saving') {
        vm.state = from
        this.changed(id)
      }
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.MACHINE, `"${name}" could not be saved: ${(e as Error).message}`)
    }
    // The machine holds no guest any more: detach it first so its stop does not mean Off.
    vm.runner = null
    void runner.turnOff().catch(() => undefined)
    this.flush(id, vm)
    try {
      await mkdir(this.inventory.vmFolder(id), { recursive: true })
      await writeFileAtomic(this.savedStatePath(id), bytes)
    } catch (e) {
      this.progress(id, 'save', 100, 'Saving failed')
      this.setOff(id, vm, { kind: 'error', message: `The saved state could not be written: ${(e as Error).message}`, at: this.now() })
      throw new HvError(ErrorCode.STORAGE, `The saved state of "${name}" could not be written: ${(e as Error).message}`)
    }
    vm.state = 'Saved'
    vm.startedAt = null
    vm.meter = null
    vm.cpuUsagePercent = null
    vm.instructionsPerSecond = null
    this.progress(id, 'save', 100, `Saved "${name}"`)
    return this.changed(id)
  }

  private async turnOff(id: string): Promise<VmSummary> {
    const record = this.record(id)
    const vm = this.liveVm(id)
    if (vm.state === 'Saved') {
      // Hyper-V's "Delete Saved State": the VM is Off and boots afresh next time.
      await rm(this.savedStatePath(id), { force: true })
      this.setOff(id, vm, { kind: 'turned-off', message: 'Turned off; the saved state was discarded', at: this.now() })
      return this.summary(record)
    }
    if (vm.state === 'Off' || vm.state === 'Stopping' || vm.state === 'Saving' || vm.state === 'Restoring') {
      throw new HvError(ErrorCode.INVALID_STATE, `"${record.config.name}" is ${vm.state}; only a running or saved VM can be turned off`)
    }
    const runner = vm.runner
    vm.state = 'Stopping'
    this.changed(id)
    try {
      await runner?.turnOff()
    } catch {
      // The runner failed to stop cleanly; the VM is still considered off (worker terminated).
    }
    if (stateOf(vm) !== 'Off') this.setOff(id, vm, { kind: 'turned-off', message: 'Turned off', at: this.now() })
    return this.summary(record)
  }

  private onStopped(id: string, runner: VmRunner, stop: MachineStop): void {
    const vm = this.live.get(id)
    // A late event from a previous run must not stop the current one.
    if (!vm || vm.runner !== runner) return
    this.setOff(id, vm, { ...stop, at: this.now() })
  }

  private setOff(id: string, vm: LiveVm, stop: VmStopInfo): void {
    this.flush(id, vm)
    vm.state = 'Off'
    vm.startedAt = null
    vm.runner = null
    vm.meter = null
    vm.cpuUsagePercent = null
    vm.instructionsPerSecond = null
    vm.lastStop = stop
    this.changed(id)
  }

  private onSerial(id: string, port: number, data: Uint8Array): void {
    const vm = this.live.get(id)
    if (!vm || port < 0 || port >= PORTS || data.length === 0) return
    vm.pending[port] += bytesToByteString(data)
    // Coalesce a burst of tiny writes (one byte per OUT) into one event per turn of the loop.
    if (!vm.flushScheduled) {
      vm.flushScheduled = true
      setImmediate(() => this.flush(id, vm))
    }
  }

  private flush(id: string, vm: LiveVm): void {
    vm.flushScheduled = false
    for (let port = 0; port < PORTS; port++) {
      const data = vm.pending[port]!
      if (!data) continue
      vm.pending[port] = ''
      const offset = vm.consoles[port]!.append(data)
      this.emit({ channel: 'console:output', payload: { id, port, offset, data } })
    }
  }

  private changed(id: string): VmSummary {
    const vm = this.summary(this.record(id))
    this.emit({ channel: 'vm:changed', payload: { id, vm } })
    return vm
  }

  private emit(event: HostEvent): void {
    for (const l of this.listeners) {
      try {
        l(event)
      } catch {
        // One broken subscriber (e.g. a closed socket) must not stop the others.
      }
    }
  }

  private summary(record: VmRecord): VmSummary {
    const vm = this.liveVm(record.id)
    const running = vm.state !== 'Off' && vm.state !== 'Saved'
    return {
      id: record.id,
      config: record.config,
      state: vm.state,
      createdAt: record.createdAt,
      startedAt: vm.startedAt,
      cpuUsagePercent: vm.cpuUsagePercent,
      instructionsPerSecond: vm.instructionsPerSecond,
      assignedMemoryMiB: running ? record.config.memoryMiB : 0,
      status: statusText(vm.state, vm.lastStop),
      lastStop: vm.lastStop,
    }
  }
}

/** Reads the state afresh: it may have changed while the caller awaited. */
function stateOf(vm: LiveVm): VmState {
  return vm.state
}

function statusText(state: VmState, lastStop: VmStopInfo | null): string {
  if (state === 'Running') return 'Operating normally'
  if (state === 'Paused') return 'Paused'
  if (state === 'Saved') return lastStop?.kind === 'error' ? `Saved; restoring failed: ${lastStop.message}` : 'Saved'
  if (state !== 'Off') return `${state}…`
  if (!lastStop) return ''
  switch (lastStop.kind) {
    case 'error':
      return `Stopped with an error: ${lastStop.message}`
    case 'triple-fault':
      return `Stopped: the guest triple-faulted`
    case 'debug-exit':
      return `Guest exited with code ${lastStop.exitCode ?? '?'}`
    case 'poweroff':
      return 'Guest powered off'
    case 'turned-off':
      return 'Turned off'
  }
}
