// @vitest-environment happy-dom
/**
 * VmConfigFields and SettingsDialog mounted in a DOM (happy-dom + @vue/test-utils): field ids,
 * typing into the form, validation messages under the field that is wrong, the sections a
 * running VM locks (disabled, with the reason) and what OK sends to the store.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import type { VmConfig, VmSummary } from '../../../contract'
import VmConfigFields from '../../../renderer/src/components/VmConfigFields.vue'
import SettingsDialog from '../../../renderer/src/components/SettingsDialog.vue'
import { defaultForm } from '../../../renderer/src/model/config-form'
import { configSections } from '../../../renderer/src/model/config-sections'
import { useVmStore } from '../../../renderer/src/stores/vms'
import { freshPinia } from './fixtures'

let pinia: Pinia
beforeEach(() => {
  pinia = freshPinia()
})

const fields = (props: Record<string, unknown>) => mount(VmConfigFields, { props: props as never, global: { plugins: [pinia] } })
const testids = (root: { findAll(s: string): Array<{ attributes(n: string): string | undefined }> }) =>
  root.findAll('[data-testid]').map((e) => e.attributes('data-testid')!)

describe('VmConfigFields', () => {
  it('names every field <prefix>-<field>, so the wizard and Settings keep their ids', () => {
    const form = defaultForm([], [])
    const suffixes = (prefix: string) =>
      configSections.flatMap((section) => testids(fields({ section, form, errors: {}, prefix: prefix })))
        .filter((id) => id.startsWith(`${prefix}-`)).map((id) => id.slice(prefix.length + 1)).sort()
    const settings = suffixes('settings')
    // The fields the e2e tests and the wizard drive by id.
    expect(settings).toEqual(expect.arrayContaining(['clock', 'com', 'cpus', 'memory', 'name', 'notes', 'triple']))
    expect(new Set(settings).size).toBe(settings.length)
    expect(suffixes('new-vm')).toEqual(settings)
    expect(testids(fields({ section: 'memory', form, errors: {}, prefix: 'new-vm' }))).toEqual(['new-vm-memory'])
  })

  it('writes what is typed into the form it was given', async () => {
    const form = defaultForm([], [])
    const w = fields({ section: 'processors', form, errors: {}, prefix: 'p' })
    await w.get('[data-testid="p-cpus"]').setValue('3')
    expect(form.cpus).toBe('3')
    const com = fields({ section: 'com', form, errors: {}, prefix: 'p' })
    await com.get('[data-testid="p-com"]').setValue('1')
    expect(form.comPorts).toBe(1)
  })

  it('shows the debug session choice only where the host has debug consoles', async () => {
    const form = defaultForm([], [])
    expect(fields({ section: 'debugging', form, errors: {}, prefix: 'x' }).text()).toContain('not available on this host')
    useVmStore().features = { ...useVmStore().features, debugConsole: true }
    const w = fields({ section: 'debugging', form, errors: {}, prefix: 'x' })
    await w.get('[data-testid="x-debug"]').setValue(false)
    expect(form.debug).toBe(false)
  })

  it('puts a field\'s validation message right under it and disables fields when asked', () => {
    const form = { ...defaultForm([], []), memoryMiB: '0' }
    const w = fields({ section: 'memory', form, errors: { memoryMiB: 'Memory must be a whole number' }, prefix: 'p', disabled: true })
    const alert = w.get('[role="alert"]')
    expect(alert.text()).toBe('Memory must be a whole number')
    expect(alert.element.previousElementSibling?.querySelector('[data-testid="p-memory"]')).not.toBeNull()
    expect(w.get<HTMLInputElement>('[data-testid="p-memory"]').element.disabled).toBe(true)
    // Name and Notes are never locked.
    const name = fields({ section: 'name', form, errors: {}, prefix: 'p', disabled: true })
    expect(name.get<HTMLInputElement>('[data-testid="p-name"]').element.disabled).toBe(false)
  })
})

const baseConfig: VmConfig = { name: 'Alpha', memoryMiB: 48, cpus: 2, boot: { kind: 'bundled', guest: 'hvshell' }, clock: 'host', comPorts: 1, onTripleFault: 'stop', notes: '' }

function summary(state: VmSummary['state'], id = 'vm1', config: VmConfig = baseConfig): VmSummary {
  return { id, state, createdAt: 0, startedAt: null, cpuUsagePercent: null, instructionsPerSecond: null, assignedMemoryMiB: 0, status: '', lastStop: null, config } as VmSummary
}

/** SettingsDialog over a store whose update() is recorded instead of reaching a host. */
function settings(state: VmSummary['state']) {
  const vms = useVmStore()
  vms.vms = [summary(state), summary('Off', 'vm2', { ...baseConfig, name: 'Beta' })]
  vms.guests = [{ name: 'hello', description: 'hello.elf' }, { name: 'hvshell', description: 'hvshell.elf' }]
  const update = vi.fn(async (_id: string, _config: VmConfig) => true)
  vms.update = update as unknown as typeof vms.update
  const w = mount(SettingsDialog, { props: { vmId: 'vm1' }, global: { plugins: [pinia] }, attachTo: document.body })
  return { w, update }
}

describe('SettingsDialog', () => {
  it('lists Hardware and Management in its tree with summaries that follow the fields', async () => {
    const { w } = settings('Off')
    const node = (section: string) => w.get(`[data-testid="settings-tree-${section}"]`)
    const sub = (section: string) => node(section).get('.node-sub').text()
    expect(node('processors').get('.node-title').text()).toBe('Processor')
    expect(sub('processors')).toBe('2 virtual processors')
    expect(sub('memory')).toBe('48 MB')
    expect(sub('boot')).toBe('Bundled: hvshell')
    expect(sub('name')).toBe('Alpha')
    expect(w.findAll('nav.tree .group').map((g) => g.text())).toEqual(['Hardware', 'Management'])
    expect(w.find('[data-testid="settings-locked"]').exists()).toBe(false)
    await w.get('[data-testid="settings-memory"]').setValue('96')
    expect(sub('memory')).toBe('96 MB')
  })

  it('refuses OK with a message under the bad field and marks its tree node; a good edit is sent', async () => {
    const { w, update } = settings('Off')
    await w.get('[data-testid="settings-memory"]').setValue('lots')
    await w.get('[data-testid="settings-name"]').setValue('beta')
    await w.get('form').trigger('submit')
    const alerts = w.findAll('[role="alert"]').map((a) => a.text())
    expect(alerts).toEqual(expect.arrayContaining([expect.stringMatching(/^Memory must be a whole number of MB/), 'A virtual machine named "beta" already exists.']))
    expect(w.get('[data-testid="settings-tree-memory"]').classes()).toContain('bad')
    expect(w.get('[data-testid="settings-tree-processors"]').classes()).not.toContain('bad')
    expect(update).not.toHaveBeenCalled()
    expect(w.emitted('close')).toBeUndefined()

    await w.get('[data-testid="settings-memory"]').setValue('96')
    await w.get('[data-testid="settings-name"]').setValue('Gamma')
    await w.get('form').trigger('submit')
    await vi.waitFor(() => expect(w.emitted('close')).toHaveLength(1))
    expect(update).toHaveBeenCalledWith('vm1', expect.objectContaining({ name: 'Gamma', memoryMiB: 96, cpus: 2 }))
    expect(w.findAll('[role="alert"]')).toHaveLength(0)
  })

  it('locks the hardware of a running VM with the reason, leaving Name and Notes editable', async () => {
    const { w, update } = settings('Running')
    expect(w.get('[data-testid="settings-locked"]').text()).toContain('"Alpha" is Running')
    for (const id of ['memory', 'cpus', 'com', 'clock', 'triple']) {
      expect(w.get<HTMLInputElement>(`[data-testid="settings-${id}"]`).element.disabled, id).toBe(true)
    }
    expect(w.text().match(/read-only while Running/g)?.length).toBe(6)
    const name = w.get<HTMLInputElement>('[data-testid="settings-name"]')
    expect(name.element.disabled).toBe(false)
    await name.setValue('Alpha 2')
    await w.get('[data-testid="settings-ok"]').trigger('click')
    await vi.waitFor(() => expect(update).toHaveBeenCalledWith('vm1', expect.objectContaining({ name: 'Alpha 2', memoryMiB: 48 })))
  })

  it('closes on Cancel and Escape without sending anything', async () => {
    const { w, update } = settings('Off')
    await w.get('[data-testid="settings-cancel"]').trigger('click')
    await w.get('.modal-backdrop').trigger('keydown', { key: 'Escape' })
    expect(w.emitted('close')).toHaveLength(2)
    expect(update).not.toHaveBeenCalled()
  })
})
