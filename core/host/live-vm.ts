/**
 * What the host knows about a VM beyond its record on disk: its lifecycle state, runner,
 * console scrollback, CPU meter and last stop; the contract's `VmSummary` view of it
 * (Hyper-V Manager's Name, State, CPU Usage, Assigned Memory, Uptime and Status columns);
 * and `VmHost`, the narrow view of HostService that the command modules
 * (lifecycle-ops.ts, checkpoint-ops.ts, transfer-ops.ts) work through.
 */
import type { VmConfig, VmProgress, VmState, VmStopInfo, VmSummary } from '../../contract'
import { ConsoleLog } from './console-log'
import type { CpuMeter } from './cpu-usage'
import type { VmRecord } from './inventory'
import type { VmRunner } from './vm-runner'

export const PORTS = 2

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

export function newLiveVm(state: VmState): LiveVm {
  return {
    state,
    startedAt: null,
    runner: null,
    lastStop: null,
    consoles: freshConsoles(),
    pending: Array.from({ length: PORTS }, () => ''),
    flushScheduled: false,
    meter: null,
    cpuUsagePercent: null,
    instructionsPerSecond: null,
  }
}

export function freshConsoles(): ConsoleLog[] {
  return Array.from({ length: PORTS }, () => new ConsoleLog())
}

/** Clears what only a running VM has (it is now Off or Saved). */
export function clearRunning(vm: LiveVm): void {
  vm.startedAt = null
  vm.runner = null
  vm.meter = null
  vm.cpuUsagePercent = null
  vm.instructionsPerSecond = null
}

/** Reads the state afresh: it may have changed while the caller awaited. */
export function stateOf(vm: LiveVm): VmState {
  return vm.state
}

/** What the command modules need of HostService. */
export interface VmHost {
  now(): number
  record(id: string): VmRecord
  live(id: string): LiveVm
  vmFolder(id: string): string
  savedStatePath(id: string): string
  /** The folder of the VM's checkpoint files (Settings › Checkpoints › location, else the VM folder's). */
  checkpointFolder(id: string): string
  /** Writes new settings for the VM (already validated) atomically. */
  setConfig(id: string, config: VmConfig): Promise<void>
  progress(id: string, operation: VmProgress['operation'], percent: number, message: string): void
  flush(id: string): void
  changed(id: string): VmSummary
}

export function summaryOf(record: VmRecord, vm: LiveVm): VmSummary {
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
