// @vitest-environment happy-dom
/**
 * Native folder dialogs in the forms (issue 8 item 8): every folder field (FilePathField with
 * `folder`) shows Browse… only when the host has a native shell; Browse… asks the transport
 * for `shell:openFolder` (opening where the field points when that is absolute) and fills the
 * field with the answer; a cancelled dialog keeps the text; a browser gets a plain text field
 * (no Browse…, no Upload…). Checked on the field itself and where it is used: Export, Import,
 * Hypervisor Settings' two folders, the wizard's Location and Settings › Checkpoints.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import FilePathField from '../../../renderer/src/components/FilePathField.vue'
import TransferDialog from '../../../renderer/src/components/transfer/TransferDialog.vue'
import HostSettingsDialog from '../../../renderer/src/components/HostSettingsDialog.vue'
import VmConfigFields from '../../../renderer/src/components/VmConfigFields.vue'
import NewVmWizard from '../../../renderer/src/components/wizard/NewVmWizard.vue'
import { useVmStore } from '../../../renderer/src/stores/vms'
import { useTransferStore } from '../../../renderer/src/stores/transfers'
import { useErrorStore } from '../../../renderer/src/stores/errors'
import { defaultForm } from '../../../renderer/src/model/config-form'
import { freshPinia, recordingHost } from './fixtures'

let pinia: Pinia
let calls: Array<[string, unknown]>
let answers: Record<string, unknown>

beforeEach(() => {
  pinia = freshPinia()
  calls = []
  answers = {
    'host:getSettings': {
      settings: { virtualMachinesFolder: '/data/files', checkpointsFolder: '', automaticActions: true },
      defaults: { virtualMachinesFolder: '/data/files', checkpointsFolder: '', automaticActions: true },
    },
  }
})

function host(nativeShell: boolean): void {
  recordingHost(calls, answers)
  useVmStore().features = { nativeShell }
}

const browse = (w: VueWrapper, testid: string) => w.find(`[data-testid="${testid}-browse"]`)
const value = (w: VueWrapper, testid: string) => (w.get(`[data-testid="${testid}"]`).element as HTMLInputElement).value

/** FilePathField alone, bound to a ref the test can read. */
function field(initial: string) {
  const model = ref(initial)
  const w = mount(defineComponent({
    setup: () => () => h(FilePathField, { label: 'Export to', testid: 'f', folder: true, modelValue: model.value, 'onUpdate:modelValue': (v: string) => (model.value = v) }),
  }), { global: { plugins: [pinia] } })
  return { w, model }
}

describe('folder fields', () => {
  it('Browse… opens the native folder dialog where the field points and fills in the answer', async () => {
    host(true)
    answers['shell:openFolder'] = { path: '/mnt/backups' }
    const { w, model } = field('/home/me/exports')
    await browse(w, 'f').trigger('click')
    await flushPromises()
    expect(calls).toEqual([['shell:openFolder', { title: 'Export to', defaultPath: '/home/me/exports' }]])
    expect(model.value).toBe('/mnt/backups')
    expect(value(w, 'f')).toBe('/mnt/backups')
  })

  it('a relative or empty field opens the dialog without a start folder; cancel keeps the text', async () => {
    host(true)
    answers['shell:openFolder'] = { path: null }
    const { w, model } = field('exports')
    await browse(w, 'f').trigger('click')
    await flushPromises()
    expect(calls).toEqual([['shell:openFolder', { title: 'Export to' }]])
    expect(model.value).toBe('exports')
  })

  it('a failing dialog is reported, not thrown', async () => {
    host(true)
    answers['shell:openFolder'] = new Error('no display')
    const { w } = field('')
    await browse(w, 'f').trigger('click')
    await flushPromises()
    expect(useErrorStore().history.map((e) => e.message)).toEqual([expect.stringMatching(/no display/)])
  })

  it('in a browser the folder is typed: no Browse…, no Upload…', async () => {
    host(false)
    const { w, model } = field('/a')
    expect(browse(w, 'f').exists()).toBe(false)
    expect(w.text()).not.toMatch(/Upload/)
    expect(w.find('input[type="file"]').exists()).toBe(false)
    await w.get('[data-testid="f"]').setValue('/b')
    expect(model.value).toBe('/b')
  })

  it('a file field still offers Upload… in a browser and Browse… (shell:openFile) in the app', async () => {
    host(false)
    const model = ref('')
    const mk = () => mount(defineComponent({
      setup: () => () => h(FilePathField, { label: 'Kernel', testid: 'k', modelValue: model.value, 'onUpdate:modelValue': (v: string) => (model.value = v) }),
    }), { global: { plugins: [pinia] } })
    expect(mk().text()).toMatch(/Upload…/)
    useVmStore().features = { nativeShell: true }
    answers['shell:openFile'] = { path: '/boot/vmlinuz' }
    const w = mk()
    await browse(w, 'k').trigger('click')
    await flushPromises()
    expect(calls).toEqual([['shell:openFile', { title: 'Kernel' }]])
    expect(model.value).toBe('/boot/vmlinuz')
  })
})

describe('where folders are asked for', () => {
  it('Export and Import take their folder from the native dialog', async () => {
    host(true)
    answers['shell:openFolder'] = { path: '/srv/exports' }
    useTransferStore().dialog = { kind: 'export', vmId: 'a', vmName: 'A' }
    const w = mount(TransferDialog, { global: { plugins: [pinia] } })
    await browse(w, 'transfer-path').trigger('click')
    await flushPromises()
    expect(calls.at(-1)?.[0]).toBe('shell:openFolder')
    expect(value(w, 'transfer-path')).toBe('/srv/exports')
    w.unmount()
    useTransferStore().dialog = { kind: 'import' }
    const imp = mount(TransferDialog, { global: { plugins: [pinia] } })
    await browse(imp, 'transfer-path').trigger('click')
    await flushPromises()
    expect(calls.at(-1)).toEqual(['shell:openFolder', { title: 'Choose the export folder' }])
    expect(value(imp, 'transfer-path')).toBe('/srv/exports')
  })

  it('Hypervisor Settings: both folders have Browse… in the app and none in a browser', async () => {
    for (const native of [true, false]) {
      setActivePinia((pinia = createPinia()))
      host(native)
      answers['shell:openFolder'] = { path: '/picked' }
      const w = mount(HostSettingsDialog, { global: { plugins: [pinia] } })
      await flushPromises()
      expect(browse(w, 'host-settings-vm-folder').exists()).toBe(native)
      if (native) {
        await browse(w, 'host-settings-vm-folder').trigger('click')
        await flushPromises()
        expect(calls.at(-1)).toEqual(['shell:openFolder', { title: 'Virtual Machines folder', defaultPath: '/data/files' }])
        expect(value(w, 'host-settings-vm-folder')).toBe('/picked')
      }
      await w.get('[data-testid="host-settings-node-checkpoints"]').trigger('click')
      expect(browse(w, 'host-settings-cp-folder').exists()).toBe(native)
      w.unmount()
    }
  })

  it("the wizard's Location and Settings › Checkpoints location", async () => {
    host(true)
    answers['shell:openFolder'] = { path: '/fast/vms' }
    const wiz = mount(NewVmWizard, { props: { quick: false }, global: { plugins: [pinia] } })
    await flushPromises()
    await wiz.get('[data-testid="wizard-step-name"]').trigger('click')
    await flushPromises()
    expect(value(wiz, 'new-vm-location')).toBe('/data/files')
    await browse(wiz, 'new-vm-location').trigger('click')
    await flushPromises()
    expect(value(wiz, 'new-vm-location')).toBe('/fast/vms')

    const form = defaultForm([], [])
    const cfg = mount(VmConfigFields, { props: { section: 'checkpoints', form, errors: {}, prefix: 'settings' }, global: { plugins: [pinia] } })
    await browse(cfg, 'settings-checkpoint-location').trigger('click')
    await flushPromises()
    expect(form.checkpointLocation).toBe('/fast/vms')
    useVmStore().features = { nativeShell: false }
    await flushPromises()
    expect(browse(cfg, 'settings-checkpoint-location').exists()).toBe(false)
  })
})
