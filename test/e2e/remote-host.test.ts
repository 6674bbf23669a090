/**
 * End to end, "Connect to Server…": the manager served by one `hv-manager serve` manages a
 * second one. A wrong token is refused with a clear message and the host is not listed; the
 * right token lists it in the navigation tree, and its VMs (not this computer's) are shown
 * and controlled from the same window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { ServeProcess } from './serve-process'
import { openTwoHosts, closeTwoHosts, type TwoHosts } from './two-hosts'
import { clearToasts, screenshot, stateOf } from './browser'

let h: TwoHosts
let remote: ServeProcess
let page: Page
let pageErrors: string[]

beforeAll(async () => {
  h = await openTwoHosts('hv-e2e-remote-')
  ;({ remote, page, pageErrors } = h)
})

afterAll(async () => {
  expect(await closeTwoHosts(h)).toEqual([0, 0])
})

describe('remote hosts in Chromium', () => {
  it('refuses a wrong token with a clear message and does not list the host', async () => {
    const address = new URL(remote.url)
    await page.getByTestId('nav-connect-server').click()
    await page.getByTestId('server-address').fill(`http://${address.host}/`)
    await page.getByTestId('server-token').fill('not-the-token')
    await page.getByTestId('server-connect').click()
    await expect.poll(() => page.getByTestId('error-toast').last().innerText(), { timeout: 15_000 }).toMatch(/Connecting to the server failed[\s\S]*refused the token/)
    expect(await page.getByTestId('connect-server-dialog').count()).toBe(1)
    expect(await page.locator('[role="treeitem"]').count()).toBe(1)
    await screenshot(page, 'e2e-remote-wrong-token')
    await clearToasts(page)
  })

  it('lists a server connected with its token and manages its VMs', { timeout: 90_000 }, async () => {
    const address = new URL(remote.url)
    const token = address.searchParams.get('token')!
    await page.getByTestId('server-token').fill(token)
    await page.getByTestId('server-connect').click()
    const item = page.getByTestId(`host-${address.host}`)
    await item.waitFor()
    expect(await item.getAttribute('aria-selected')).toBe('true')
    // The remote host has no VMs: this computer's Hello VM is not shown.
    await expect.poll(() => page.locator('tbody tr').count()).toBe(0)

    await page.getByTestId('action-quick').click()
    await page.getByTestId('new-vm-name').fill('remote-vm')
    await page.getByTestId('new-vm-finish').click()
    await expect.poll(() => stateOf(page, 'remote-vm')).toBe('Off')
    await page.getByTestId('action-start').click()
    await expect.poll(() => stateOf(page, 'remote-vm'), { timeout: 30_000 }).toBe('Running')
    await expect.poll(() => page.getByTestId('console-thumbnail').innerText(), { timeout: 60_000 }).toContain('ready')
    await screenshot(page, 'e2e-remote-host')

    // Back to this computer: its own list, without the remote VM.
    await page.getByTestId('host-This computer').click()
    await expect.poll(() => page.locator('tbody td.name').allInnerTexts()).toEqual(['Hello VM'])
    await item.click()
    await expect.poll(() => stateOf(page, 'remote-vm')).toBe('Running')
    await page.getByTestId('action-turnoff').click()
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => stateOf(page, 'remote-vm'), { timeout: 20_000 }).toBe('Off')
    expect(pageErrors).toEqual([])
  })
})
