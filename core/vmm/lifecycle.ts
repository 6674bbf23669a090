/**
 * The VM lifecycle as an explicit state machine (issue 4 item 4; ARCHITECTURE "The machine"):
 *   Off → Starting → Running ⇄ Paused
 *   Running|Paused → Saving → Saved → Restoring → Running
 *   Running|Paused → Stopping → Off,   Starting|Restoring → Off (a failed start or restore)
 * Illegal transitions throw a LifecycleError that names both states, which the host turns
 * into a clear message for the user.
 */
import type { VmState } from './machine-api'

const ALLOWED: Readonly<Record<VmState, readonly VmState[]>> = {
  Off: ['Starting', 'Restoring'],
  Starting: ['Running', 'Off'],
  Running: ['Paused', 'Saving', 'Stopping'],
  Paused: ['Running', 'Saving', 'Stopping'],
  Saving: ['Saved', 'Running', 'Paused'],
  Saved: ['Restoring', 'Off'],
  Restoring: ['Running', 'Paused', 'Off', 'Saved'],
  Stopping: ['Off'],
}

export class LifecycleError extends Error {
  constructor(readonly from: VmState, readonly to: VmState) {
    super(`a VM that is ${from} cannot go ${to === 'Running' && from !== 'Starting' ? 'back to Running' : `to ${to}`}`)
  }
}

export function canTransition(from: VmState, to: VmState): boolean {
  return ALLOWED[from].includes(to)
}

export class Lifecycle {
  private current: VmState = 'Off'
  private readonly listeners: Array<(s: VmState) => void> = []

  get state(): VmState {
    return this.current
  }

  onChange(listener: (s: VmState) => void): void {
    this.listeners.push(listener)
  }

  /** Move to `to`; `force` allows the emergency path to Off from any state (host error, teardown). */
  transition(to: VmState, force = false): void {
    if (this.current === to && force) return
    if (!force && !canTransition(this.current, to)) throw new LifecycleError(this.current, to)
    this.current = to
    for (const l of this.listeners) l(to)
  }
}
