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
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { availableParallelism } from 'node:os'
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
  defaultCheckpointSettings,
  type VmProgress,
  type VmSummary,
} from '../../contract'
import { AutomaticActions } from './automatic-actions'
import { listBundledGuests } from './boot-source'
import { Inventory, type VmRecord } from './inventory'
import { Uploads } from './uploads'
import type { RunnerFactory, VmRunner } from './vm-runner'
import { machineChangesWhileOn, notAvailable } from './host-rules'
import { CheckpointOps } from './checkpoint-ops'
import { CheckpointStore, checkpointFolder } from './checkpoint-store'
import { LifecycleOps } from './lifecycle-ops'
import { TransferOps } from './transfer-ops'
import { decodeContainer } from '../vmm/saved-state/container'
import { PORTS, newLiveVm, summaryOf, type LiveVm, type VmHost } from './live-vm'
import { HostSettingsStore } from './host-settings'
import { stopAll } from './stop-all'

export type { LiveVm } from './live-vm'

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
  /**
   * Throws when bytes are not a saved state the runner can restore (Import checks every
   * saved state before copying it). Default: core/vmm's container decoder.
   */
  checkSavedState?: (bytes: Uint8Array) => void
  /** Logical processors CPU reserves are drawn from (default: this computer's). */
  hostProcessors?: number
  /**
   * Apply each VM's Automatic Start/Stop Action when the service opens and closes
   * (automatic-actions.ts). Off by default (unit tests); `serve` and the desktop app turn it on.
   */
  automaticActions?: boolean | { shutDownTimeoutMs?: number }
  /** Problems found while running (an automatic action that failed); `serve` prints them. */
  onWarning?: (message: string) => void
}

export type HostListener = (event: HostEvent) => void

type Handlers = { [C in Channel]: (args: CommandArgs<C>) => Promise<CommandResult<C>> }

export class HostService {
  private readonly live = new Map<string, LiveVm>()
  private readonly listeners = new Set<HostListener>()
  private readonly now: () => number
  private readonly uploads: Uploads
  private readonly features: HostFeatures
  private readonly lifecycle: LifecycleOps
  private readonly transfers: TransferOps
  private closed = false

  private constructor(
    private readonly inventory: Inventory,
    private readonly options: HostServiceOptions,
    private readonly settings: HostSettingsStore,
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
    this.lifecycle = new LifecycleOps({
      ...this.vmHost,
      guestsDir: options.guestsDir,
      runner: options.runner,
      features: this.features,
      peek: (id) => this.live.get(id),
      emit: (event) => this.emit(event),
      serial: (id, port, data) => this.onSerial(id, port, data),
      hostProcessors: options.hostProcessors ?? availableParallelism(),
      others: (id) => this.inventory.list().filter((r) => r.id !== id).map((r) => ({ config: r.config, state: this.liveVm(r.id).state })),
    })
    if (options.automaticActions) {
      const o = typeof options.automaticActions === 'object' ? options.automaticActions : {}
      this.automatic = new AutomaticActions({
        dataDir: options.dataDir,
        records: () => this.inventory.list(),
        state: (id) => this.liveVm(id).state,
        start: (id) => this.lifecycle.start(id),
        save: (id) => this.lifecycle.save(id),
        turnOff: (id) => this.lifecycle.turnOff(id),
        shutDown: (id) => this.lifecycle.control(id, 'shutDown'),
        resume: (id) => this.lifecycle.control(id, 'resume'),
        warn: (message) => options.onWarning?.(message),
        enabled: () => this.settings.current.automaticActions,
      }, o.shutDownTimeoutMs)
    }
    this.transfers = new TransferOps({
      ...this.vmHost,
      inventory,
      dataDir: options.dataDir,
      guestsDir: options.guestsDir,
      checkSavedState: options.checkSavedState ?? ((bytes) => void decodeContainer(bytes)),
      isUpload: (path) => this.uploads.isUpload(path),
      forget: (id) => this.forget(id),
    })
  }

  private readonly automatic: AutomaticActions | null = null

  static async open(options: HostServiceOptions): Promise<HostService> {
    const inventory = await Inventory.open(options.dataDir)
    const host = new HostService(inventory, options, await HostSettingsStore.open(options.dataDir))
    for (const r of inventory.list()) {
      const folder = inventory.vmFolder(r.id)
      await new CheckpointStore(folder, checkpointFolder(folder, r.id, r.config.checkpoints)).sweep().catch(() => 0)
    }
    if (inventory.firstRun && options.defaultVm) await host.createDefaultVm(options.defaultVm)
    await inventory.ensureIndex().catch(() => undefined)
    await host.automatic?.onHostStart()
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
    return [...this.inventory.problems, ...this.settings.problems]
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

  /** Host shutdown: each VM's Automatic Stop Action (when enabled), then every VM still running is turned off. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.automatic?.onHostStop().catch(() => undefined)
    const running = [...this.live.values()].filter((vm) => vm.runner)
    await Promise.all(running.map((vm) => vm.runner?.turnOff().catch(() => undefined)))
    this.closed = true
    this.listeners.clear()
  }

  private progress(id: string, operation: VmProgress['operation'], percent: number, message: string): void {
    this.emit({ channel: 'vm:progress', payload: { id, operation, percent, done: percent >= 100, message } })
  }

  /** The command modules see the host through this narrow view. */
  private readonly vmHost: VmHost = {
    now: () => this.now(),
    record: (id) => this.record(id),
    live: (id) => this.liveVm(id),
    vmFolder: (id) => this.inventory.vmFolder(id),
    savedStatePath: (id) => this.savedStatePath(id),
    checkpointFolder: (id) => this.checkpointFolder(id),
    setConfig: async (id, config) => {
      try {
        await this.inventory.update({ ...this.record(id), config })
      } catch (e) {
        throw new HvError(ErrorCode.STORAGE, `The settings could not be saved: ${(e as Error).message}`)
      }
    },
    progress: (id, op, percent, message) => this.progress(id, op, percent, message),
    flush: (id) => this.flush(id, this.liveVm(id)),
    changed: (id) => this.changed(id),
  }

  private readonly checkpointOps = new CheckpointOps(this.vmHost)

  private readonly handlers: Handlers = {
    'host:info': async () => ({
      version: this.options.version ?? '0.0.0',
      platform: `${process.platform}-${process.arch}`,
      guests: await listBundledGuests(this.options.guestsDir),
      problems: [...this.problems],
      features: { ...this.features },
      dataDir: this.options.dataDir,
    }),
    'vm:list': async () => this.inventory.list().map((r) => this.summary(r)),
    'vm:get': async ({ id }) => this.summary(this.record(id)),
    'vm:create': async ({ config: asked, location }) => {
      const id = randomUUID()
      const { folder, config } = await this.placeNewVm(id, asked, location)
      if (config.checkpoints?.location) await this.prepareCheckpointLocation(id, config.checkpoints.location)
      const record: VmRecord = { id, createdAt: this.now(), config: await this.uploads.adopt(config, join(folder ?? this.inventory.defaultFolder, id)) }
      if (folder !== undefined) record.folder = folder
      try {
        await this.inventory.add(record)
      } catch (e) {
        throw new HvError(ErrorCode.STORAGE, `The VM could not be saved: ${(e as Error).message}`)
      }
      return this.changed(record.id)
    },
    'vm:start': async ({ id }) => this.lifecycle.start(id),
    'vm:turnOff': async ({ id }) => this.lifecycle.turnOff(id),
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
      // Checkpoints kept outside the VM's folder go with it.
      if (record.config.checkpoints?.location) await rm(join(record.config.checkpoints.location, id), { recursive: true, force: true }).catch(() => undefined)
      this.forget(id)
      return { id }
    },
    'vm:pause': async ({ id }) => this.lifecycle.control(id, 'pause'),
    'vm:resume': async ({ id }) => this.lifecycle.control(id, 'resume'),
    'vm:reset': async ({ id }) => this.lifecycle.control(id, 'reset'),
    'vm:shutDown': async ({ id }) => this.lifecycle.control(id, 'shutDown'),
    'vm:update': async ({ id, config }) => this.update(id, config),
    'vm:save': async ({ id }) => this.lifecycle.save(id),
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
    'shell:openFolder': async () => {
      throw notAvailable('A native folder dialog', 'it exists only in the desktop app; type the folder path instead')
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
    'vm:export': async ({ id, path }) => this.transfers.exportVm(id, path),
    'vm:import': async ({ path }) => this.transfers.importVm(path),
    'vm:package': async ({ id }) => this.transfers.packageVm(id),
    'package:read': async ({ packageId, offset }) => this.transfers.readPackageChunk(packageId, offset),
    'package:discard': async ({ packageId }) => this.transfers.discardPackage(packageId),
    'vm:completeMove': async ({ id, packageId }) => this.transfers.completeMove(id, packageId),
    'host:stopAll': async ({ mode, timeoutSeconds }) => stopAll({
      records: () => this.inventory.list(),
      state: (id) => this.liveVm(id).state,
      save: (id) => this.lifecycle.save(id),
      turnOff: (id) => this.lifecycle.turnOff(id),
      shutDown: (id) => this.lifecycle.control(id, 'shutDown'),
      resume: (id) => this.lifecycle.control(id, 'resume'),
    }, mode, timeoutSeconds),
    'host:getSettings': async () => this.settings.result(),
    'host:setSettings': async ({ settings }) => this.settings.set(settings),
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

  /** A deleted (or moved away) VM: no live state, and subscribers are told. */
  private forget(id: string): void {
    this.live.delete(id)
    this.emit({ channel: 'vm:changed', payload: { id, vm: null } })
  }

  private record(id: string): VmRecord {
    const r = this.inventory.get(id)
    if (!r) throw new HvError(ErrorCode.VM_NOT_FOUND, `No virtual machine has the id "${id}" (it may have been deleted)`)
    return r
  }

  private liveVm(id: string): LiveVm {
    let vm = this.live.get(id)
    if (!vm) {
      // A saved state on disk survives host restarts.
      vm = newLiveVm(existsSync(this.savedStatePath(id)) ? 'Saved' : 'Off')
      this.live.set(id, vm)
    }
    return vm
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
    await this.checkLocationChange(record, config)
    const next: VmRecord = { ...record, config: await this.uploads.adopt(config, this.inventory.vmFolder(id)) }
    try {
      await this.inventory.update(next)
    } catch (e) {
      throw new HvError(ErrorCode.STORAGE, `The settings could not be saved: ${(e as Error).message}`)
    }
    return this.changed(id)
  }

  /**
   * Settings › Checkpoints › location: a new folder must be usable, and it cannot change while
   * checkpoints exist (their files are not moved: a move across disks could not be atomic).
   */
  private async checkLocationChange(record: VmRecord, config: VmConfig): Promise<void> {
    const before = record.config.checkpoints?.location
    const after = config.checkpoints?.location
    if (before === after) return
    const folder = this.checkpointFolder(record.id)
    let count = 0
    try {
      count = (await new CheckpointStore(this.inventory.vmFolder(record.id), folder).load()).all().length
    } catch {
      count = 1 // an unreadable list may still name files there
    }
    if (count > 0) {
      throw new HvError(
        ErrorCode.INVALID_STATE,
        `"${record.config.name}" has ${count} checkpoint${count === 1 ? '' : 's'} in ${folder}; delete them before changing the checkpoint file location (checkpoint files are not moved)`,
      )
    }
    if (after) await this.prepareCheckpointLocation(record.id, after)
  }

  /**
   * Hypervisor Settings for a new VM: its folder (the wizard's Location, else the Virtual
   * Machines folder; undefined = the data folder's default) and, unless it names one, the
   * Checkpoints folder as its checkpoint file location.
   */
  private async placeNewVm(id: string, config: VmConfig, location: string | undefined): Promise<{ folder: string | undefined; config: VmConfig }> {
    const host = this.settings.current
    const parent = location ?? host.virtualMachinesFolder
    const folder = parent === this.inventory.defaultFolder ? undefined : parent
    if (folder !== undefined) {
      try {
        await mkdir(join(folder, id), { recursive: true })
      } catch (e) {
        throw new HvError(ErrorCode.STORAGE, `The virtual machine folder ${folder} cannot be used: ${(e as Error).message}`)
      }
    }
    if (!host.checkpointsFolder || config.checkpoints?.location) return { folder, config }
    const checkpoints = { ...(config.checkpoints ?? defaultCheckpointSettings), location: host.checkpointsFolder }
    return { folder, config: { ...config, checkpoints } }
  }

  private async prepareCheckpointLocation(id: string, location: string): Promise<void> {
    try {
      await mkdir(join(location, id), { recursive: true })
    } catch (e) {
      throw new HvError(ErrorCode.STORAGE, `The checkpoint folder ${location} cannot be used: ${(e as Error).message}`)
    }
  }

  private checkpointFolder(id: string): string {
    return checkpointFolder(this.inventory.vmFolder(id), id, this.inventory.get(id)?.config.checkpoints)
  }

  private savedStatePath(id: string): string {
    return join(this.inventory.vmFolder(id), 'saved-state.hvs')
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
    return summaryOf(record, this.liveVm(record.id))
  }
}
