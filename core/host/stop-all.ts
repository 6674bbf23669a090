/**
 * The host's "Stop All" (Hyper-V Manager's Stop Service, as an action on this computer's VMs):
 * every Running or Paused VM is saved, turned off, or shut down (and turned off after a
 * timeout if its guest stays on), all at once, through the same lifecycle commands the VM
 * actions use (stop-vm.ts). VMs caught in another transition (Starting, Saving, Stopping,
 * Restoring) are not touched and are reported with the reason; Off and Saved VMs are already
 * stopped and are not listed.
 */
import type { AutomaticStopAction, StopAllMode, StopAllOutcome, StopAllResult, VmState } from '../../contract'
import type { VmRecord } from './inventory'
import { isOn, stopVm, type StopperHost } from './stop-vm'

export interface StopAllHost extends StopperHost {
  records(): VmRecord[]
}

const ways: Record<StopAllMode, AutomaticStopAction> = { save: 'save', turnOff: 'turn-off', shutDown: 'shut-down' }

export const STOP_ALL_DEFAULT_TIMEOUT_SECONDS = 15

const isStopped = (s: VmState): boolean => s === 'Off' || s === 'Saved'

export async function stopAll(host: StopAllHost, mode: StopAllMode, timeoutSeconds = STOP_ALL_DEFAULT_TIMEOUT_SECONDS): Promise<StopAllResult> {
  const targets = host.records().filter((r) => !isStopped(host.state(r.id)))
  const vms = await Promise.all(targets.map(async (r): Promise<StopAllOutcome> => {
    const name = r.config.name
    const before = host.state(r.id)
    if (!isOn(before)) {
      const message = `"${name}" is ${before}; Stop All acts on Running or Paused VMs — try again when it has finished`
      return { id: r.id, name, result: 'refused', message, state: before }
    }
    const outcome = await stopVm(host, r.id, name, ways[mode], timeoutSeconds * 1000)
    return { id: r.id, name, ...outcome, state: host.state(r.id) }
  }))
  return { mode, vms }
}
