/**
 * VmConfigFields and SettingsDialog rendered with Vue's server renderer (no DOM library is
 * installed): the markup each section produces for a form, its errors and its lock state.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { createSSRApp, h } from 'vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { renderToString } from 'vue/server-renderer'
import type { VmSummary } from '../../../contract'
import VmConfigFields from '../../../renderer/src/components/VmConfigFields.vue'
import SettingsDialog from '../../../renderer/src/components/SettingsDialog.vue'
import { defaultForm } from '../../../renderer/src/model/config-form'
import { configSections } from '../../../renderer/src/model/config-sections'
import { useVmStore } from '../../../renderer/src/stores/vms'

let pinia: Pinia
beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
})

async function render(component: object, props: Record<string, unknown>): Promise<string> {
  const app = createSSRApp({ render: () => h(component, props) })
  app.use(pinia)
  return renderToString(app)
}

const testids = (html: string): string[] => [...html.matchAll(/data-testid="([^"]+)"/g)].map((m) => m[1]!)

describe('VmConfigFields', () => {
  it('names every field <prefix>-<field>, so the wizard and Settings keep their ids', async () => {
    const form = defaultForm([], [])
    const ids: string[] = []
    for (const section of configSections) ids.push(...testids(await render(VmConfigFields, { section, form, errors: {}, prefix: 'settings' })))
    expect(ids.filter((id) => id.startsWith('settings-')).sort()).toEqual(
      ['settings-clock', 'settings-com', 'settings-cpus', 'settings-memory', 'settings-name', 'settings-notes', 'settings-triple'].sort(),
    )
    const memory = await render(VmConfigFields, { section: 'memory', form, errors: {}, prefix: 'new-vm' })
    expect(testids(memory)).toEqual(['new-vm-memory'])
  })

  it('shows the debug session choice only where the host has debug consoles', async () => {
    const form = defaultForm([], [])
    const without = await render(VmConfigFields, { section: 'debugging', form, errors: {}, prefix: 'x' })
    expect(without).toContain('not available on this host')
    useVmStore().features = { ...useVmStore().features, debugConsole: true }
    const withIt = await render(VmConfigFields, { section: 'debugging', form, errors: {}, prefix: 'x' })
    expect(testids(withIt)).toContain('x-debug')
  })

  it('puts a field\'s validation message under it and disables fields when asked', async () => {
    const form = { ...defaultForm([], []), memoryMiB: '0' }
    const html = await render(VmConfigFields, { section: 'memory', form, errors: { memoryMiB: 'Memory must be a whole number' }, prefix: 'p', disabled: true })
    expect(html).toMatch(/data-testid="p-memory"[^>]*>[\s\S]*role="alert"[^>]*>Memory must be a whole number/)
    expect(html).toMatch(/<input[^>]*disabled[^>]*data-testid="p-memory"/)
    const name = await render(VmConfigFields, { section: 'name', form, errors: {}, prefix: 'p', disabled: true })
    expect(name).not.toMatch(/<input[^>]*disabled/)
  })
})

function summary(state: VmSummary['state']): VmSummary {
  return {
    id: 'vm1', state, createdAt: 0, startedAt: null, cpuUsagePercent: null, instructionsPerSecond: null, assignedMemoryMiB: 0, status: '', lastStop: null,
    config: { name: 'Alpha', memoryMiB: 48, cpus: 2, boot: { kind: 'bundled', guest: 'hvshell' }, clock: 'host', comPorts: 1, onTripleFault: 'stop', notes: '' },
  } as VmSummary
}

describe('SettingsDialog', () => {
  it('lists Hardware and Management in its tree with summaries of the VM\'s settings', async () => {
    useVmStore().vms = [summary('Off')]
    const html = await render(SettingsDialog, { vmId: 'vm1' })
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')
    expect(text).toContain('Hardware Processor 2 virtual processors Memory 48 MB Boot Bundled: hvshell COM Ports COM1')
    expect(text).toContain('Management Name and Notes Alpha')
    expect(html).not.toContain('settings-locked')
    expect(html).not.toMatch(/<input[^>]*disabled/)
  })

  it('locks the hardware sections of a running VM and says why, leaving Name and Notes editable', async () => {
    useVmStore().vms = [summary('Running')]
    const html = await render(SettingsDialog, { vmId: 'vm1' })
    expect(html).toContain('data-testid="settings-locked"')
    expect(html).toMatch(/<input[^>]*disabled[^>]*data-testid="settings-memory"/)
    expect(html).not.toMatch(/<input[^>]*disabled[^>]*data-testid="settings-name"/)
    expect(html.match(/read-only while Running/g)?.length).toBe(6)
  })
})

describe('NewVmWizard', () => {
  it('opens on Before You Begin with every page in its step list, or as Quick Create with a name and a guest', async () => {
    const { default: NewVmWizard } = await import('../../../renderer/src/components/wizard/NewVmWizard.vue')
    useVmStore().vms = [summary('Off')]
    const wizard = await render(NewVmWizard, {})
    expect(testids(wizard).filter((id) => id.startsWith('wizard-step-'))).toEqual(
      ['begin', 'name', 'memory', 'processors', 'boot', 'consoles', 'summary'].map((p) => `wizard-step-${p}`),
    )
    expect(wizard).toContain('data-testid="wizard-page-begin"')
    const taken = summary('Off')
    useVmStore().vms = [{ ...taken, config: { ...taken.config, name: 'New Virtual Machine' } }]
    const quick = await render(NewVmWizard, { quick: true })
    expect(testids(quick)).toEqual(expect.arrayContaining(['new-vm-name', 'boot-guest', 'new-vm-finish']))
    expect(testids(quick).some((id) => id.startsWith('wizard-step-'))).toBe(false)
    // The default name does not clash with the VM that exists.
    expect(quick).toMatch(/value="New Virtual Machine 2"[^>]*data-testid="new-vm-name"/)
  })
})
