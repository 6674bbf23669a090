// @vitest-environment happy-dom
/**
 * The Actions pane mounted in a DOM: host actions always there; the selected VM's actions
 * enabled or disabled by its state (aria-disabled, the reason as the tooltip), an enabled
 * click emitted, a disabled click refused with the same reason in the error store; Export /
 * Move and the hypervisor views by state; multi-selection rules.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import type { VmState, VmSummary } from '../../../contract'
import type { HvClient } from '../../../renderer/src/transport/hv-client'
import ActionsPane from '../../../renderer/src/components/ActionsPane.vue'
import { useVmStore } from '../../../renderer/src/stores/vms'
import { useErrorStore } from '../../../renderer/src/stores/errors'
import { useHvToolsStore } from '../../../renderer/src/stores/hv-tools'
import { vmActions } from '../../../renderer/src/model/vm-actions'
import { vmSummary, freshPinia } from './fixtures'

let pinia: Pinia
beforeEach(() => {
  pinia = freshPinia()
})

const vm = vmSummary

function pane(vms: VmSummary[], selected: string[]): VueWrapper {
  const store = useVmStore()
  store.vms = vms
  store.selectedId = selected[0] ?? null
  store.selectedIds = selected
  store.client = { invoke: async () => ({}), on: () => () => {}, onConnection: () => () => {} } as unknown as HvClient
  return mount(ActionsPane, { global: { plugins: [pinia] } })
}

const button = (w: VueWrapper, testid: string) => w.get(`[data-testid="${testid}"]`)
const enabled = (w: VueWrapper, testid: string) => button(w, testid).attributes('aria-disabled') === 'false'
const enabledActions = (w: VueWrapper) => vmActions.filter((a) => enabled(w, `action-${a.toLowerCase()}`))

describe('ActionsPane', () => {
  it('shows only the host actions with nothing selected', () => {
    const w = pane([vm('a', 'Off')], [])
    for (const id of ['action-new', 'action-quick', 'action-import', 'action-connect-server', 'action-refresh', 'action-errors']) expect(w.find(`[data-testid="${id}"]`).exists(), id).toBe(true)
    expect(w.find('[data-testid="action-start"]').exists()).toBe(false)
    expect(w.findAll('.group-title').map((g) => g.text())).toEqual(['This computer'])
  })

  it('enables each VM action by state, as the host allows it', () => {
    const expected: Record<string, string[]> = {
      Off: ['connect', 'start', 'settings', 'rename', 'delete'],
      Running: ['connect', 'turnOff', 'shutDown', 'save', 'pause', 'reset', 'settings', 'rename'],
      Paused: ['connect', 'turnOff', 'save', 'resume', 'reset', 'settings', 'rename'],
      Saved: ['connect', 'start', 'turnOff', 'settings', 'rename'],
    }
    for (const [state, actions] of Object.entries(expected)) {
      setActivePinia((pinia = createPinia()))
      expect(enabledActions(pane([vm('a', state as VmState)], ['a'])), state).toEqual(actions)
    }
  })

  it('emits an enabled action; refuses a disabled one with the reason shown in its tooltip', async () => {
    const w = pane([vm('a', 'Off')], ['a'])
    await button(w, 'action-start').trigger('click')
    expect(w.emitted('action')).toEqual([['start']])
    const turnOff = button(w, 'action-turnoff')
    expect(turnOff.classes()).toContain('disabled')
    const reason = '"A" is Off; only a VM that is Starting or Running or Paused or Saved can be turned off'
    expect(turnOff.attributes('title')).toBe(reason)
    await turnOff.trigger('click')
    expect(w.emitted('action')).toEqual([['start']])
    expect(useErrorStore().history.map((t) => [t.title, t.message])).toEqual([['Turn Off is not possible now', reason]])
  })

  it('disables everything but Connect and Settings while a command is in flight', () => {
    const store = useVmStore()
    store.busy = { a: true }
    const w = pane([vm('a', 'Running')], ['a'])
    expect(enabledActions(w)).toEqual(['connect', 'settings'])
    expect(button(w, 'action-pause').attributes('title')).toMatch(/busy with another command/)
  })

  it('opens the hypervisor views only for a running or paused VM', async () => {
    const off = pane([vm('a', 'Off')], ['a'])
    expect(enabled(off, 'action-event-log')).toBe(false)
    expect(button(off, 'action-event-log').attributes('title')).toBe('"A" is Off; start it first')
    await button(off, 'action-event-log').trigger('click')
    expect(useHvToolsStore().open).toBeNull()

    setActivePinia((pinia = createPinia()))
    const running = pane([vm('a', 'Running')], ['a'])
    expect(enabled(running, 'action-hv-stats')).toBe(true)
    await button(running, 'action-event-log').trigger('click')
    expect(useHvToolsStore().open).toEqual({ vmId: 'a', tool: 'events', host: false })
  })

  it('allows Export and Move only for one VM that is Off or Saved', () => {
    expect(enabled(pane([vm('a', 'Saved')], ['a']), 'action-export')).toBe(true)
    setActivePinia((pinia = createPinia()))
    const running = pane([vm('a', 'Running')], ['a'])
    expect(enabled(running, 'action-move')).toBe(false)
    expect(button(running, 'action-move').attributes('title')).toMatch(/only a VM that is Off or Saved can be exported or moved/)
  })

  it('with several VMs selected: one-VM actions refuse, others need every VM to allow them', () => {
    const w = pane([vm('a', 'Off'), vm('b', 'Running')], ['a', 'b'])
    expect(button(w, 'actions-vm-name').text()).toBe('2 virtual machines')
    expect(button(w, 'action-connect').attributes('title')).toBe('Connect… works on one virtual machine at a time')
    // Start: b is Running; Turn Off: a is Off. Neither is possible for the whole selection.
    expect(enabled(w, 'action-start')).toBe(false)
    expect(enabled(w, 'action-turnoff')).toBe(false)
    setActivePinia((pinia = createPinia()))
    const both = pane([vm('a', 'Running'), vm('b', 'Running')], ['a', 'b'])
    expect(enabledActions(both)).toEqual(['turnOff', 'shutDown', 'save', 'pause', 'reset'])
  })
})
