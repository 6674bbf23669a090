import { describe, expect, it } from 'vitest'
import { VmStates, type VmState, type VmSummary } from '../../../contract'
import { actionState, vmActions } from '../../../renderer/src/model/vm-actions'

const vm = (state: VmState): VmSummary => ({
  id: 'x',
  config: { name: 'X', memoryMiB: 1, cpus: 1, boot: { kind: 'bundled', guest: 'hello' }, clock: 'host', comPorts: 2, onTripleFault: 'stop', notes: '' },
  state,
  createdAt: 0,
  startedAt: null,
  cpuUsagePercent: null,
  instructionsPerSecond: null,
  assignedMemoryMiB: 0,
  status: '',
  lastStop: null,
})

describe('actionState', () => {
  it('allows exactly the host state rules', () => {
    const enabled = (s: VmState) => vmActions.filter((a) => actionState(vm(s), a).enabled)
    expect(enabled('Off')).toEqual(['connect', 'start', 'settings', 'rename', 'delete'])
    expect(enabled('Running')).toEqual(['connect', 'turnOff', 'shutDown', 'save', 'pause', 'reset', 'settings', 'rename'])
    expect(enabled('Paused')).toEqual(['connect', 'turnOff', 'save', 'resume', 'reset', 'settings', 'rename'])
    expect(enabled('Saved')).toEqual(['connect', 'start', 'turnOff', 'settings', 'rename'])
    expect(enabled('Saving')).toEqual(['connect', 'settings', 'rename'])
    expect(enabled('Starting')).toEqual(['connect', 'turnOff', 'settings', 'rename'])
    for (const s of VmStates) expect(actionState(vm(s), 'connect').enabled).toBe(true)
  })

  it('gives the reason for every refusal', () => {
    expect(actionState(vm('Running'), 'delete').reason).toBe('"X" is Running; only a VM that is Off can be deleted; turn it off first')
    expect(actionState(vm('Saved'), 'delete').reason).toBe('"X" is Saved; only a VM that is Off can be deleted; Turn Off discards the saved state first')
    expect(actionState(vm('Paused'), 'start').reason).toBe('"X" is Paused; only a VM that is Off or Saved can be started; use Resume')
    expect(actionState(vm('Running'), 'start', true).reason).toMatch(/busy/)
    expect(actionState(vm('Running'), 'shutDown', false, { shutDown: false }).reason).toMatch(/not available.*Turn Off/)
  })
})
