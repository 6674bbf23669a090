/**
 * Which VM actions are possible in which state, with the reason when they are not: the same
 * rules the host enforces (docs/app.md "State rules"), so the UI can disable an action and
 * say why, and refuse a keyboard shortcut with the same words the host would use.
 */
import { commandLabels, type HostFeatures, type VmState, type VmSummary } from '../../../contract'

export const vmActions = ['connect', 'start', 'turnOff', 'shutDown', 'save', 'pause', 'resume', 'reset', 'settings', 'rename', 'delete'] as const
export type VmAction = (typeof vmActions)[number]

/** The VM actions' labels: the same table as the app menu's (contract/menu.ts). */
export const actionLabels: Record<VmAction, string> = Object.fromEntries(vmActions.map((a) => [a, commandLabels[a]])) as Record<VmAction, string>

const allowed: Record<VmAction, readonly VmState[] | 'any'> = {
  connect: 'any',
  start: ['Off', 'Saved'],
  turnOff: ['Starting', 'Running', 'Paused', 'Saved'],
  shutDown: ['Running'],
  save: ['Running', 'Paused'],
  pause: ['Running'],
  resume: ['Paused'],
  reset: ['Running', 'Paused'],
  settings: 'any',
  rename: 'any',
  delete: ['Off'],
}

const verbs: Record<VmAction, string> = {
  connect: 'connected to',
  start: 'started',
  turnOff: 'turned off',
  shutDown: 'shut down',
  save: 'saved',
  pause: 'paused',
  resume: 'resumed',
  reset: 'reset',
  settings: 'configured',
  rename: 'renamed',
  delete: 'deleted',
}

export interface ActionState {
  enabled: boolean
  /** Why the action is not possible now (empty when enabled). */
  reason: string
}

export function actionState(vm: VmSummary, action: VmAction, busy = false, features?: Partial<HostFeatures>): ActionState {
  const name = vm.config.name
  if (busy && action !== 'connect' && action !== 'settings') {
    return { enabled: false, reason: `"${name}" is busy with another command; wait for it to finish` }
  }
  if (action === 'shutDown' && features && features.shutDown === false) {
    return { enabled: false, reason: 'Shut Down is not available on this host; use Turn Off' }
  }
  if (action === 'save' && features && features.save === false) {
    return { enabled: false, reason: 'Save is not available on this host' }
  }
  const states = allowed[action]
  if (states === 'any' || states.includes(vm.state)) return { enabled: true, reason: '' }
  const need = states.join(' or ')
  const hint =
    action === 'delete' ? (vm.state === 'Saved' ? '; Turn Off discards the saved state first' : '; turn it off first')
    : action === 'start' && vm.state === 'Paused' ? '; use Resume'
    : ''
  return { enabled: false, reason: `"${name}" is ${vm.state}; only a VM that is ${need} can be ${verbs[action]}${hint}` }
}

/**
 * Why Checkpoint cannot be taken now ('' when it can): the host's rules of Settings ›
 * Checkpoints (core/host/checkpoint-ops.ts) — turned off; production without the standard
 * fallback on a running VM; states other than Off, Running and Paused.
 */
export function checkpointReason(vm: VmSummary): string {
  const name = vm.config.name
  const c = vm.config.checkpoints
  if (c && !c.enabled) return `Checkpoints are turned off for "${name}" (Settings › Checkpoints)`
  if (vm.state !== 'Off' && vm.state !== 'Running' && vm.state !== 'Paused') return `"${name}" is ${vm.state}; only a VM that is Off, Running or Paused can be checkpointed`
  if (vm.state !== 'Off' && c?.type === 'production' && !c.fallbackToStandard) {
    return `"${name}" uses production checkpoints, which need a backup service (VSS) in the guest; allow the standard fallback in Settings › Checkpoints, or turn the VM off`
  }
  return ''
}
