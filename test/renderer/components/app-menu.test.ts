// @vitest-environment happy-dom
/**
 * The desktop app's menu reaching the manager window (App.vue + use-menu-commands): a
 * `menu:command` event on the window's own transport runs the same handler as the Actions
 * pane or the shortcut — New opens the wizard, Start starts the selected VM (and is refused
 * with the state's reason like the shortcut), Export/Statistics go through the pane's
 * handlers, Hypervisor Settings opens its dialog. Malformed payloads and commands sent while a
 * modal dialog is open do nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import type { EventPayload, VmSummary } from '../../../contract'
import App from '../../../renderer/src/App.vue'
import { useVmStore } from '../../../renderer/src/stores/vms'
import { useErrorStore } from '../../../renderer/src/stores/errors'
import { useHostStore } from '../../../renderer/src/stores/hosts'
import { useHvToolsStore } from '../../../renderer/src/stores/hv-tools'
import { useTransferStore } from '../../../renderer/src/stores/transfers'
import { fakeClient } from '../stores/fake-client'
import { vmSummary, freshPinia } from './fixtures'

let pinia: Pinia
beforeEach(() => {
  pinia = freshPinia()
})

const vm = vmSummary

const settings = { virtualMachinesFolder: '/data/files', checkpointsFolder: '', automaticActions: true }

function setup(list: VmSummary[], selected: string) {
  const fake = fakeClient({
    'vm:start': (args) => ({ ...vm((args as { id: string }).id, 'Running') }),
    'host:getSettings': () => ({ settings, defaults: settings }),
  })
  useHostStore().init(fake.client, () => ({ client: fake.client, close: () => {} }))
  const vms = useVmStore()
  vms.vms = list
  vms.selectedId = selected
  vms.selectedIds = [selected]
  vms.features = { nativeShell: true, hypervisorStats: true, eventLog: true }
  const stub = { template: '<div />' }
  const w = mount(App, {
    global: { plugins: [pinia], stubs: { NavPane: stub, VmList: stub, VmDetails: stub, StatusBar: stub, ConnectWindow: stub } },
    attachTo: document.body,
  })
  const send = async (payload: unknown) => {
    fake.emit('menu:command', payload as EventPayload<'menu:command'>)
    await flushPromises()
  }
  return { w, send, calls: fake.calls }
}

const has = (w: VueWrapper, testid: string) => w.find(`[data-testid="${testid}"]`).exists()

describe('application menu commands', () => {
  it('New Virtual Machine… opens the wizard; a modal dialog makes the menu inert', async () => {
    const { w, send, calls } = setup([vm('a', 'Off')], 'a')
    expect(has(w, 'new-vm-dialog')).toBe(false)
    await send({ command: 'new' })
    expect(has(w, 'new-vm-dialog')).toBe(true)
    await send({ command: 'start' })
    expect(calls.filter((c) => c.channel === 'vm:start')).toEqual([])
    w.unmount()
  })

  it('Start runs the shortcut handler: starts an Off VM, refuses a Running one with the reason', async () => {
    const { w, send, calls } = setup([vm('a', 'Off'), vm('r', 'Running')], 'a')
    await send({ command: 'start' })
    expect(calls.filter((c) => c.channel === 'vm:start')).toEqual([{ channel: 'vm:start', args: { id: 'a' } }])
    useVmStore().selectedId = 'r'
    useVmStore().selectedIds = ['r']
    await send({ command: 'start' })
    expect(calls.filter((c) => c.channel === 'vm:start')).toHaveLength(1)
    expect(useErrorStore().toasts.at(-1)?.message).toMatch(/Running/)
    w.unmount()
  })

  it('Export…, Statistics… and Hypervisor Settings… use the Actions pane handlers and dialogs', async () => {
    const { w, send } = setup([vm('a', 'Off'), vm('r', 'Running')], 'a')
    await send({ command: 'export' })
    expect(useTransferStore().dialog).toEqual({ kind: 'export', vmId: 'a', vmName: 'A' })
    useTransferStore().dialog = null
    await flushPromises()
    await send({ command: 'statistics' })
    expect(useHvToolsStore().open).toEqual({ vmId: 'r', tool: 'stats', host: true })
    useHvToolsStore().open = null
    await flushPromises()
    await send({ command: 'hostSettings' })
    expect(has(w, 'host-settings-vm-folder')).toBe(true)
    w.unmount()
  })

  it('ignores payloads that are not a known command', async () => {
    const { w, send, calls } = setup([vm('a', 'Off')], 'a')
    for (const bad of [null, 'start', { command: 'rm -rf' }, { command: 'start', id: 'a' }]) await send(bad)
    expect(calls.filter((c) => c.channel === 'vm:start')).toEqual([])
    expect(has(w, 'new-vm-dialog')).toBe(false)
    w.unmount()
  })
})
