// @vitest-environment happy-dom
/**
 * The host's actions mounted in a DOM: the Actions pane's host Statistics…/Event Log…/Stop All…
 * (disabled with the reason while nothing runs; the views open on the selected VM if it runs,
 * else the first running one, with the VM selector), the Stop All dialog (names the VMs that
 * are on, sends the chosen way, shows each outcome, reports refusals) and the Hypervisor
 * Settings dialog (loads, refuses a relative folder on the page, saves what was entered).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import type { HostSettingsResult, StopAllResult, VmSummary } from '../../../contract'
import ActionsPane from '../../../renderer/src/components/ActionsPane.vue'
import StopAllDialog from '../../../renderer/src/components/StopAllDialog.vue'
import HostSettingsDialog from '../../../renderer/src/components/HostSettingsDialog.vue'
import { useVmStore } from '../../../renderer/src/stores/vms'
import { useErrorStore } from '../../../renderer/src/stores/errors'
import { useHvToolsStore } from '../../../renderer/src/stores/hv-tools'
import { vmSummary, freshPinia, recordingHost } from './fixtures'

let pinia: Pinia
let calls: Array<[string, unknown]>
let answers: Record<string, unknown>

beforeEach(() => {
  pinia = freshPinia()
  calls = []
  answers = {}
})

const vm = vmSummary

/** A host whose client records each command and answers from `answers`. */
function host(list: VmSummary[], selected: string | null): void {
  recordingHost(calls, answers)
  const store = useVmStore()
  store.vms = list
  store.selectedId = selected
  store.selectedIds = selected ? [selected] : []
}

const get = (w: VueWrapper, testid: string) => w.get(`[data-testid="${testid}"]`)
const disabled = (w: VueWrapper, testid: string) => get(w, testid).attributes('aria-disabled') === 'true'

describe('host actions', () => {
  it('disables host Statistics, Event Log and Stop All with the reason while nothing runs', async () => {
    host([vm('a', 'Off'), vm('s', 'Saved')], 'a')
    const w = mount(ActionsPane, { global: { plugins: [pinia] } })
    for (const id of ['action-host-stats', 'action-host-events', 'action-stop-all']) {
      expect(disabled(w, id), id).toBe(true)
      expect(get(w, id).attributes('title')).toMatch(/No virtual machine is running on this host/)
    }
    await get(w, 'action-stop-all').trigger('click')
    await get(w, 'action-host-stats').trigger('click')
    expect(w.emitted('stop-all')).toBeUndefined()
    expect(useHvToolsStore().open).toBeNull()
    expect(useErrorStore().toasts.map((t) => t.message)).toEqual([expect.stringMatching(/No virtual machine is running/), expect.stringMatching(/No virtual machine is running/)])
  })

  it('opens the views on the selected VM when it runs, else the first running one, as host views', async () => {
    host([vm('a', 'Off'), vm('b', 'Paused'), vm('c', 'Running')], 'a')
    const w = mount(ActionsPane, { global: { plugins: [pinia] } })
    expect(disabled(w, 'action-host-stats')).toBe(false)
    await get(w, 'action-host-stats').trigger('click')
    expect(useHvToolsStore().open).toEqual({ vmId: 'b', tool: 'stats', host: true })
    useVmStore().selectedId = 'c'
    await get(w, 'action-host-events').trigger('click')
    expect(useHvToolsStore().open).toEqual({ vmId: 'c', tool: 'events', host: true })
    // Switching tabs keeps the host kind (the window keeps its VM selector).
    useHvToolsStore().show('c', 'debug')
    expect(useHvToolsStore().open?.host).toBe(true)
    await get(w, 'action-stop-all').trigger('click')
    await get(w, 'action-host-settings').trigger('click')
    expect(w.emitted('stop-all')).toHaveLength(1)
    expect(w.emitted('host-settings')).toHaveLength(1)
  })

  it('Stop All names the VMs that are on, sends the chosen way and shows each outcome', async () => {
    host([vm('a', 'Running'), vm('b', 'Paused'), vm('c', 'Off'), vm('d', 'Starting')], null)
    const result: StopAllResult = {
      mode: 'turnOff',
      vms: [
        { id: 'a', name: 'A', result: 'turned-off', message: 'Turned off "A"', state: 'Off' },
        { id: 'b', name: 'B', result: 'turned-off', message: 'Turned off "B"', state: 'Off' },
        { id: 'd', name: 'D', result: 'refused', message: '"D" is Starting; Stop All acts on Running or Paused VMs', state: 'Starting' },
      ],
    }
    answers['host:stopAll'] = result
    const w = mount(StopAllDialog, { global: { plugins: [pinia] }, attachTo: document.body })
    expect(w.findAll('.vms .name').map((n) => n.text())).toEqual(['A', 'B', 'D'])
    expect(document.activeElement?.getAttribute('data-testid')).toBe('stop-all-cancel')
    await get(w, 'stop-all-turnOff').setValue(true)
    await get(w, 'stop-all-ok').trigger('click')
    await flushPromises()
    expect(calls).toEqual([['host:stopAll', { mode: 'turnOff' }]])
    expect(w.findAll('[data-testid="stop-all-outcome"]').map((o) => o.text())).toEqual(['✓ Turned off "A"', '✓ Turned off "B"', '✕ "D" is Starting; Stop All acts on Running or Paused VMs'])
    // The refusal is not silent: it is in the error panel with its reason.
    expect(useErrorStore().history.map((e) => e.message)).toEqual([expect.stringMatching(/"D" is Starting/)])
    await get(w, 'stop-all-close').trigger('click')
    expect(w.emitted('close')).toHaveLength(1)
    w.unmount()
  })

  it('Hypervisor Settings loads, refuses a relative folder on the page and saves what was entered', async () => {
    host([], null)
    const loaded: HostSettingsResult = {
      settings: { virtualMachinesFolder: '/data/files', checkpointsFolder: '', automaticActions: true },
      defaults: { virtualMachinesFolder: '/data/files', checkpointsFolder: '', automaticActions: true },
    }
    answers['host:getSettings'] = loaded
    answers['host:setSettings'] = { ...loaded, settings: { virtualMachinesFolder: '/vms', checkpointsFolder: '/cps', automaticActions: false } }
    const w = mount(HostSettingsDialog, { global: { plugins: [pinia] } })
    await flushPromises()
    expect((get(w, 'host-settings-vm-folder').element as HTMLInputElement).value).toBe('/data/files')
    await get(w, 'host-settings-vm-folder').setValue('vms')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[role="alert"]').text()).toMatch(/absolute folder path/)
    expect(calls.map((c) => c[0])).toEqual(['host:getSettings'])
    await get(w, 'host-settings-vm-folder').setValue('  /vms ')
    await get(w, 'host-settings-node-checkpoints').trigger('click')
    await get(w, 'host-settings-cp-folder').setValue('/cps')
    await get(w, 'host-settings-node-automatic').trigger('click')
    await get(w, 'host-settings-automatic').setValue(false)
    expect(w.findAll('.node-sub').map((n) => n.text())).toEqual(['/vms', '/cps', 'Not applied'])
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls[1]).toEqual(['host:setSettings', { settings: { virtualMachinesFolder: '/vms', checkpointsFolder: '/cps', automaticActions: false } }])
    expect(w.emitted('close')).toHaveLength(1)
  })
})
