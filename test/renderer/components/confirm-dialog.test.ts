// @vitest-environment happy-dom
/**
 * ConfirmDialog mounted in a DOM: focus starts on Cancel (a stray Enter destroys nothing),
 * the buttons and Escape emit confirm / cancel, and the title names the dialog.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import ConfirmDialog from '../../../renderer/src/components/ConfirmDialog.vue'

let wrapper: VueWrapper | null = null
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

function open() {
  wrapper = mount(ConfirmDialog, {
    props: { title: 'Turn Off "Alpha"?', message: 'Unsaved work in the guest is lost.', confirmLabel: 'Turn Off' },
    attachTo: document.body,
  })
  return wrapper
}

describe('ConfirmDialog', () => {
  it('shows the title, message and confirm label, with focus on Cancel', () => {
    const w = open()
    const dialog = w.get('[data-testid="confirm-dialog"]')
    expect(dialog.attributes('role')).toBe('alertdialog')
    expect(dialog.attributes('aria-label')).toBe('Turn Off "Alpha"?')
    expect(w.get('h2').text()).toBe('Turn Off "Alpha"?')
    expect(w.get('p').text()).toBe('Unsaved work in the guest is lost.')
    expect(w.get('[data-testid="confirm-ok"]').text()).toBe('Turn Off')
    expect(document.activeElement).toBe(w.get('[data-testid="confirm-cancel"]').element)
  })

  it('emits confirm only from the confirm button, cancel from Cancel and Escape', async () => {
    const w = open()
    await w.get('[data-testid="confirm-cancel"]').trigger('click')
    await w.get('.backdrop').trigger('keydown', { key: 'Escape' })
    expect(w.emitted('cancel')).toHaveLength(2)
    expect(w.emitted('confirm')).toBeUndefined()
    await w.get('[data-testid="confirm-ok"]').trigger('click')
    expect(w.emitted('confirm')).toHaveLength(1)
    expect(w.emitted('cancel')).toHaveLength(2)
  })
})
