/**
 * The VM lifecycle commands of the host (Start, Turn Off, Save, Pause, Resume, Reset, Shut
 * Down) and the machine events that move a VM between states: Off → Starting → Running ⇄
 * Paused; Running/Paused → Saving → Saved → Restoring → Running; → Stopping → Off. Each
 * command is refused with INVALID_STATE outside the states that allow it (docs/app.md "State
 * rules"). Save writes the machine's container atomically to `saved-state.hvs` before it
 * answers, so an acknowledged Save survives a host crash; Start from Saved deletes that file
 * only once the VM runs again.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import {
  ErrorCode, HvError, bytesToByteString, type HostEvent, type HostFeatures, type VmConfig, type VmState, type VmStopInfo, type VmSummary,
} from '../../contract'
import type { MachineStop } from '../vmm/machine-api'
import { writeFileAtomic } from './atomic-file'
import { resolveMachineConfig } from './boot-source'
import { CpuMeter } from './cpu-usage'
import { notAvailable } from './host-rules'
import { PORTS, clearRunning, freshConsoles, stateOf, summaryOf, type LiveVm, type VmHost } from './live-vm'
import type { ControlOp, RunnerFactory, RunnerStats, VmRunner } from './vm-runner'

export interface LifecycleHost extends VmHost {
  guestsDir: string
  runner: RunnerFactory
  features: HostFeatures
  /** The live VM if the host still has it (events may arrive after a delete). */
  peek(id: string): LiveVm | undefined
  emit(event: HostEvent): void
  serial(id: string, port: number, data: Uint8Array): void
  /** Logical processors of this computer (the capacity CPU reserves are drawn from). */
  hostProcessors: number
  /** Settings and state of every other VM (for the host-wide CPU reserve check). */
  others(id: string): Array<{ config: VmConfig; state: VmState }>
}

/** Percent of one logical processor the VM reserves in all (reserve × VPs, TLFS ch. 18). */
const reserveOf = (c: VmConfig): number => (c.processor?.reserve ?? 0) * c.cpus

const allowed: Record<ControlOp, VmState[]> = {
  pause: ['Running'],
  resume: ['Paused'],
  reset: ['Running', 'Paused'],
  shutDown: ['Running'],
}
const verbs: Record<ControlOp, string> = { pause: 'paused', resume: 'resumed', reset: 'reset', shutDown: 'shut down' }

export class LifecycleOps {
  constructor(private readonly host: LifecycleHost) {}

  async start(id: string): Promise<VmSummary> {
    const h = this.host
    const record = h.record(id)
    const vm = h.live(id)
    if (vm.state !== 'Off' && vm.state !== 'Saved') {
      throw new HvError(ErrorCode.INVALID_STATE, `"${record.config.name}" is already ${vm.state}; only a VM that is Off or Saved can be started`)
    }
    this.checkReserve(id, record.config)
    const restoring = vm.state === 'Saved'
    vm.state = restoring ? 'Restoring' : 'Starting'
    vm.lastStop = null
    // A fresh boot starts a fresh console history (a restore continues the saved guest's).
    if (!restoring) {
      vm.consoles = freshConsoles()
      vm.pending = Array.from({ length: PORTS }, () => '')
    }
    if (restoring) h.progress(id, 'restore', 10, `Restoring "${record.config.name}"…`)
    h.changed(id)
    let runner: VmRunner
    try {
      const machineConfig = await resolveMachineConfig(record.config, h.guestsDir)
      const restoreFrom = restoring ? await this.readSavedState(id, record.config.name) : undefined
      runner = h.runner(
        {
          ...machineConfig, onTripleFault: record.config.onTripleFault, debug: record.config.debug ?? true,
          ...(record.config.processor ? { processor: record.config.processor } : {}), ...(restoreFrom ? { restoreFrom } : {}),
        },
        {
          serial: (port, data) => h.serial(id, port, data),
          debug: (data) => h.emit({ channel: 'debug:output', payload: { id, data: bytesToByteString(data) } }),
          stopped: (stop) => this.onStopped(id, runner, stop),
          stats: (sample) => this.onStats(id, runner, sample),
        },
      )
      vm.runner = runner
      await runner.start()
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      if (restoring) {
        h.progress(id, 'restore', 100, `Restoring failed: ${message}`)
        // The saved state stays: the user may fix the cause, or Turn Off to discard it.
        vm.runner = null
        vm.state = 'Saved'
        vm.lastStop = { kind: 'error', message, at: h.now() }
        h.changed(id)
        if (e instanceof HvError) throw e
        throw new HvError(ErrorCode.MACHINE, `"${record.config.name}" could not be restored: ${message}. Turn it off to discard the saved state.`)
      }
      if (stateOf(vm) !== 'Off') this.setOff(id, vm, { kind: 'error', message, at: h.now() })
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.MACHINE, `"${record.config.name}" could not start: ${message}`)
    }
    if (restoring) {
      await rm(h.savedStatePath(id), { force: true }).catch(() => undefined)
      h.progress(id, 'restore', 100, `Restored "${record.config.name}"`)
    }
    if (stateOf(vm) !== 'Starting' && stateOf(vm) !== 'Restoring') {
      // It stopped (guest power-off, error, turn off) before start() resolved.
      return summaryOf(record, vm)
    }
    vm.state = 'Running'
    vm.startedAt = h.now()
    vm.meter = new CpuMeter(record.config.cpus, vm.startedAt)
    return h.changed(id)
  }

  /**
   * Hyper-V refuses to start a VM whose CPU reserve does not fit beside the running VMs'. Each
   * VM has its own hypervisor instance here (docs/decisions.md 9), so the rule of ch. 18 (all
   * reserves together at most the LPs) that HvSetPartitionProperty enforces inside one is
   * enforced across VMs by the host, against this computer's logical processors.
   */
  private checkReserve(id: string, config: VmConfig): void {
    const wanted = reserveOf(config)
    if (wanted === 0) return
    const capacity = 100 * this.host.hostProcessors
    const held = this.host.others(id).filter((o) => o.state !== 'Off' && o.state !== 'Saved').reduce((n, o) => n + reserveOf(o.config), 0)
    if (held + wanted > capacity) {
      throw new HvError(
        ErrorCode.INVALID_STATE,
        `"${config.name}" reserves ${wanted} % of a logical processor (${config.processor?.reserve} % × ${config.cpus} processors), ` +
        `but running VMs already reserve ${held} % of this computer's ${capacity} % (${this.host.hostProcessors} logical processors). ` +
        'Lower its reserve in Settings › Processor or stop another VM.',
      )
    }
  }

  /** Pause / Resume / Reset / Shut Down, each allowed only in the states the rules name. */
  async control(id: string, op: ControlOp): Promise<VmSummary> {
    const h = this.host
    const record = h.record(id)
    const vm = h.live(id)
    const name = record.config.name
    if (!allowed[op].includes(vm.state) || !vm.runner) {
      const need = allowed[op].join(' or ')
      throw new HvError(ErrorCode.INVALID_STATE, `"${name}" is ${vm.state}; only a VM that is ${need} can be ${verbs[op]}`)
    }
    if (op === 'shutDown' && !h.features.shutDown) {
      throw notAvailable('Shut Down', 'this machine cannot send the guest a shutdown request yet; use Turn Off to power it off')
    }
    try {
      await vm.runner.control(op)
    } catch (e) {
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.MACHINE, `"${name}" could not be ${verbs[op]}: ${(e as Error).message}`)
    }
    if (stateOf(vm) === 'Off') return summaryOf(record, vm)
    if (op === 'pause') vm.state = 'Paused'
    if (op === 'resume') vm.state = 'Running'
    // Uptime restarts; the CPU meter keeps its baseline (the machine's count spans resets).
    if (op === 'reset') vm.startedAt = h.now()
    if (op === 'pause') {
      vm.cpuUsagePercent = 0
      vm.instructionsPerSecond = 0
    }
    return h.changed(id)
  }

  private async readSavedState(id: string, name: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.host.savedStatePath(id)))
    } catch (e) {
      throw new HvError(ErrorCode.STORAGE, `The saved state of "${name}" could not be read: ${(e as Error).message}`)
    }
  }

  /** Running|Paused → Saving → Saved: the machine's container goes to the VM's folder. */
  async save(id: string): Promise<VmSummary> {
    const h = this.host
    const record = h.record(id)
    const vm = h.live(id)
    const name = record.config.name
    const from = vm.state
    if ((from !== 'Running' && from !== 'Paused') || !vm.runner) {
      throw new HvError(ErrorCode.INVALID_STATE, `"${name}" is ${from}; only a VM that is Running or Paused can be saved`)
    }
    if (!h.features.save) throw notAvailable('Save', 'this machine cannot save its state')
    const runner = vm.runner
    vm.state = 'Saving'
    h.changed(id)
    h.progress(id, 'save', 10, `Saving "${name}"…`)
    let bytes: Uint8Array
    try {
      bytes = await runner.save()
    } catch (e) {
      h.progress(id, 'save', 100, `Saving failed: ${(e as Error).message}`)
      if (stateOf(vm) === 'Saving') {
        vm.state = from
        h.changed(id)
      }
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.MACHINE, `"${name}" could not be saved: ${(e as Error).message}`)
    }
    // The machine holds no guest any more: detach it first so its stop does not mean Off.
    vm.runner = null
    void runner.turnOff().catch(() => undefined)
    h.flush(id)
    h.progress(id, 'save', 60, `Writing the saved state of "${name}" (${Math.ceil(bytes.length / 1024)} KiB)…`)
    try {
      await mkdir(h.vmFolder(id), { recursive: true })
      await writeFileAtomic(h.savedStatePath(id), bytes)
    } catch (e) {
      h.progress(id, 'save', 100, 'Saving failed')
      this.setOff(id, vm, { kind: 'error', message: `The saved state could not be written: ${(e as Error).message}`, at: h.now() })
      throw new HvError(ErrorCode.STORAGE, `The saved state of "${name}" could not be written: ${(e as Error).message}`)
    }
    vm.state = 'Saved'
    clearRunning(vm)
    h.progress(id, 'save', 100, `Saved "${name}"`)
    return h.changed(id)
  }

  async turnOff(id: string): Promise<VmSummary> {
    const h = this.host
    const record = h.record(id)
    const vm = h.live(id)
    if (vm.state === 'Saved') {
      // Hyper-V's "Delete Saved State": the VM is Off and boots afresh next time.
      await rm(h.savedStatePath(id), { force: true })
      this.setOff(id, vm, { kind: 'turned-off', message: 'Turned off; the saved state was discarded', at: h.now() })
      return summaryOf(record, vm)
    }
    if (vm.state === 'Off' || vm.state === 'Stopping' || vm.state === 'Saving' || vm.state === 'Restoring') {
      throw new HvError(ErrorCode.INVALID_STATE, `"${record.config.name}" is ${vm.state}; only a running or saved VM can be turned off`)
    }
    const runner = vm.runner
    vm.state = 'Stopping'
    h.changed(id)
    try {
      await runner?.turnOff()
    } catch {
      // The runner failed to stop cleanly; the VM is still considered off (worker terminated).
    }
    if (stateOf(vm) !== 'Off') this.setOff(id, vm, { kind: 'turned-off', message: 'Turned off', at: h.now() })
    return summaryOf(record, vm)
  }

  private onStopped(id: string, runner: VmRunner, stop: MachineStop): void {
    const vm = this.host.peek(id)
    // A late event from a previous run must not stop the current one.
    if (!vm || vm.runner !== runner) return
    this.setOff(id, vm, { ...stop, at: this.host.now() })
  }

  private onStats(id: string, runner: VmRunner, sample: RunnerStats): void {
    const h = this.host
    const vm = h.peek(id)
    if (!vm || vm.runner !== runner || vm.state !== 'Running' || !vm.meter) return
    const at = h.now()
    const r = vm.meter.sample(sample, at)
    if (!r) return
    vm.cpuUsagePercent = r.cpuUsagePercent
    vm.instructionsPerSecond = r.instructionsPerSecond
    h.emit({ channel: 'vm:stats', payload: { id, at, ...r } })
    h.changed(id)
  }

  setOff(id: string, vm: LiveVm, stop: VmStopInfo): void {
    this.host.flush(id)
    vm.state = 'Off'
    clearRunning(vm)
    vm.lastStop = stop
    this.host.changed(id)
  }
}
