// @vitest-environment happy-dom
/**
 * The New Virtual Machine wizard mounted in a DOM: Next and the step list refuse to leave a
 * page with invalid input (message under the field), Previous always works, Finish sends the
 * form's config; Quick Create fills a free name and the defaults it promises.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import type { VmConfig, VmSummary } from '../../../contract'
import NewVmWizard from '../../../renderer/src/components/wizard/NewVmWizard.vue'
import { useVmStore } from '../../../renderer/src/stores/vms'
import { freshPinia } from './fixtures'

let pinia: Pinia
let create: ReturnType<typeof vi.fn>

function existing(name: string): VmSummary {
  return {
    id: name, state: 'Off', createdAt: 0, startedAt: null, cpuUsagePercent: null, instructionsPerSecond: null, assignedMemoryMiB: 0, status: '', lastStop: null,
    config: { name, memoryMiB: 64, cpus: 1, boot: { kind: 'bundled', guest: 'hello' }, clock: 'host', comPorts: 2, onTripleFault: 'stop', notes: '' },
  } as VmSummary
}

beforeEach(() => {
  pinia = freshPinia()
  const vms = useVmStore()
  vms.vms = [existing('New Virtual Machine'), existing('Alpha')]
  vms.guests = [{ name: 'hello', description: 'hello.elf' }, { name: 'hvshell', description: 'hvshell.elf' }]
  create = vi.fn(async (config: VmConfig) => ({ ...existing(config.name), config }))
  vms.create = create as unknown as typeof vms.create
})

const open = (props: Record<string, unknown> = {}) => mount(NewVmWizard, { props, global: { plugins: [pinia] }, attachTo: document.body })
const page = (w: VueWrapper) => w.get('section.page').attributes('data-testid')
const alerts = (w: VueWrapper) => w.findAll('[role="alert"]').map((a) => a.text())
const click = (w: VueWrapper, id: string) => w.get(`[data-testid="${id}"]`).trigger('click')

describe('NewVmWizard', () => {
  it('opens on Before You Begin with every page in its step list', () => {
    const w = open()
    expect(w.findAll('[data-testid^="wizard-step-"]').map((b) => b.attributes('data-testid'))).toEqual(
      ['begin', 'name', 'memory', 'processors', 'boot', 'consoles', 'summary'].map((p) => `wizard-step-${p}`),
    )
    expect(page(w)).toBe('wizard-page-begin')
    expect(w.get<HTMLButtonElement>('[data-testid="wizard-previous"]').element.disabled).toBe(true)
    expect(w.get('li.current').text()).toBe('Before You Begin')
  })

  it('blocks Next on an invalid page with the message under the field, and moves on once it is fixed', async () => {
    const w = open()
    await click(w, 'wizard-next')
    expect(page(w)).toBe('wizard-page-name')
    // The default name does not clash with the VMs that exist.
    expect(w.get<HTMLInputElement>('[data-testid="new-vm-name"]').element.value).toBe('New Virtual Machine 2')
    await w.get('[data-testid="new-vm-name"]').setValue('alpha')
    await click(w, 'wizard-next')
    expect(page(w)).toBe('wizard-page-name')
    expect(alerts(w)).toEqual(['A virtual machine named "alpha" already exists.'])
    await w.get('[data-testid="new-vm-name"]').setValue('   ')
    await w.get('form').trigger('submit') // Enter in a field = Next
    expect(page(w)).toBe('wizard-page-name')
    expect(alerts(w)).toEqual(['Enter a name for the virtual machine.'])
    await w.get('[data-testid="new-vm-name"]').setValue('Web')
    await click(w, 'wizard-next')
    expect(page(w)).toBe('wizard-page-memory')
    expect(alerts(w)).toEqual([])

    await w.get('[data-testid="new-vm-memory"]').setValue('0')
    await click(w, 'wizard-next')
    expect(page(w)).toBe('wizard-page-memory')
    expect(alerts(w)[0]).toMatch(/^Memory must be a whole number of MB from \d+ to \d+\.$/)
    // Going back is always allowed, and clears the message.
    await click(w, 'wizard-previous')
    expect(page(w)).toBe('wizard-page-name')
    expect(alerts(w)).toEqual([])
  })

  it('lets the step list jump forward only as far as the first page with a problem', async () => {
    const w = open()
    await click(w, 'wizard-step-processors')
    expect(page(w)).toBe('wizard-page-processors')
    await w.get('[data-testid="new-vm-cpus"]').setValue('999')
    await click(w, 'wizard-step-summary')
    expect(page(w)).toBe('wizard-page-processors')
    expect(alerts(w)[0]).toMatch(/^The number of virtual processors must be from/)
    await w.get('[data-testid="new-vm-cpus"]').setValue('2')
    await click(w, 'wizard-step-summary')
    expect(page(w)).toBe('wizard-page-summary')
    expect(w.get('[data-testid="wizard-summary"]').text()).toContain('Processors2')
  })

  it('Finish sends the config built from every page, then closes', async () => {
    const w = open()
    await click(w, 'wizard-step-name')
    await w.get('[data-testid="new-vm-name"]').setValue('Builder')
    await click(w, 'wizard-step-memory')
    await w.get('[data-testid="new-vm-memory"]').setValue('128')
    await click(w, 'new-vm-finish')
    await vi.waitFor(() => expect(w.emitted('close')).toHaveLength(1))
    expect(create).toHaveBeenCalledTimes(1)
    expect(create.mock.calls[0]![0]).toMatchObject({ name: 'Builder', memoryMiB: 128, cpus: 1, boot: { kind: 'bundled', guest: 'hello' } })
  })

  it('Finish with a problem jumps to its page instead of creating', async () => {
    const w = open()
    await click(w, 'wizard-step-name')
    await w.get('[data-testid="new-vm-name"]').setValue('Alpha')
    await click(w, 'wizard-step-begin')
    await click(w, 'new-vm-finish')
    expect(page(w)).toBe('wizard-page-name')
    expect(alerts(w)).toEqual(['A virtual machine named "Alpha" already exists.'])
    expect(create).not.toHaveBeenCalled()
  })

  it('Quick Create: a free name selected for typing, the hello guest, and the promised defaults', async () => {
    const w = open({ quick: true })
    expect(w.findAll('[data-testid^="wizard-step-"]')).toHaveLength(0)
    const name = w.get<HTMLInputElement>('[data-testid="new-vm-name"]')
    expect(name.element.value).toBe('New Virtual Machine 2')
    // Selected, so typing replaces the suggestion.
    expect([name.element.selectionStart, name.element.selectionEnd]).toEqual([0, 'New Virtual Machine 2'.length])
    expect(w.get<HTMLSelectElement>('[data-testid="boot-guest"]').element.value).toBe('hello')
    expect(w.text()).toContain('64 MB, 1 processor, host clock, COM1 and COM2')
    await w.get('[data-testid="boot-guest"]').setValue('hvshell')
    await click(w, 'new-vm-finish')
    await vi.waitFor(() => expect(create).toHaveBeenCalledTimes(1))
    expect(create.mock.calls[0]![0]).toMatchObject({
      name: 'New Virtual Machine 2', memoryMiB: 64, cpus: 1, clock: 'host', comPorts: 2, boot: { kind: 'bundled', guest: 'hvshell' },
    })
  })

  it('Quick Create refuses an empty name and Cancel closes without creating', async () => {
    const w = open({ quick: true })
    await w.get('[data-testid="new-vm-name"]').setValue('')
    await click(w, 'new-vm-finish')
    expect(alerts(w)).toEqual(['Enter a name for the virtual machine.'])
    await click(w, 'wizard-cancel')
    expect(w.emitted('close')).toHaveLength(1)
    expect(create).not.toHaveBeenCalled()
  })
})
