/**
 * Stopping one running VM a chosen way — Save, Turn Off, or Shut Down (the ACPI power button,
 * then Turn Off if the guest is still on after a timeout) — on top of the lifecycle commands
 * (lifecycle-ops.ts). Shared by the Automatic Stop Action (automatic-actions.ts) and the
 * host's Stop All (stop-all.ts), so both stop a VM the same way.
 */
import type { AutomaticStopAction, VmState } from '../../contract'

export interface StopperHost {
  state(id: string): VmState
  save(id: string): Promise<unknown>
  turnOff(id: string): Promise<unknown>
  shutDown(id: string): Promise<unknown>
  resume(id: string): Promise<unknown>
}

export interface StopVmOutcome {
  /** 'failed': the way chosen did not work and the VM is still on (the caller decides what next). */
  result: 'saved' | 'shut-down' | 'turned-off' | 'failed'
  message: string
}

export const isOn = (s: VmState): boolean => s === 'Running' || s === 'Paused'
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const why = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Stops a Running or Paused VM; never throws. */
export async function stopVm(host: StopperHost, id: string, name: string, way: AutomaticStopAction, shutDownTimeoutMs: number): Promise<StopVmOutcome> {
  if (way === 'save') {
    try {
      await host.save(id)
      return { result: 'saved', message: `Saved "${name}"` }
    } catch (e) {
      return { result: 'failed', message: `"${name}" could not be saved: ${why(e)}` }
    }
  }
  let note = ''
  if (way === 'shut-down') {
    try {
      // The power button reaches only a running guest.
      if (host.state(id) === 'Paused') await host.resume(id)
      await host.shutDown(id)
      const end = Date.now() + shutDownTimeoutMs
      while (isOn(host.state(id)) && Date.now() < end) await sleep(50)
      if (!isOn(host.state(id))) return { result: 'shut-down', message: `"${name}" shut down` }
      note = `"${name}" did not shut down within ${Math.round(shutDownTimeoutMs / 1000)} s; turned it off`
    } catch (e) {
      if (!isOn(host.state(id))) return { result: 'shut-down', message: `"${name}" shut down` }
      note = `Shut Down of "${name}" failed (${why(e)}); turned it off`
    }
  }
  try {
    if (isOn(host.state(id))) await host.turnOff(id)
    return { result: 'turned-off', message: note || `Turned off "${name}"` }
  } catch (e) {
    return { result: 'failed', message: `"${name}" could not be turned off: ${why(e)}` }
  }
}
