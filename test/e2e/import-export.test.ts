/**
 * End to end, Export / Import / Move to Another Host (issue 8) in headless Chromium against
 * two real `hv-manager serve` processes: export this computer's Hello VM into a folder (a
 * progress bar shows), import that folder on a second server reached with "Connect to
 * Server…", and move a Saved VM to it — after which the source no longer lists it and the
 * target restores it. Invalid input gets a clear message. Screenshots in test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { ServeProcess } from './serve-process'
import { openTwoHosts, closeTwoHosts, type TwoHosts } from './two-hosts'
import { clearToasts, screenshot, stateOf } from './browser'

let h: TwoHosts
let tmp: string
let remote: ServeProcess
let page: Page

beforeAll(async () => {
  h = await openTwoHosts('hv-e2e-transfer-')
  ;({ tmp, remote, page } = h)
})

afterAll(async () => {
  expect(await closeTwoHosts(h)).toEqual([0, 0])
  expect(h.pageErrors).toEqual([])
})

const exportsDir = (): string => join(tmp, 'exports')
const rows = (): Promise<string[]> => page.locator('tbody td.name').allInnerTexts()

describe('export, import and move in Chromium', () => {
  it('exports an Off VM to a folder with a progress bar', async () => {
    await page.getByTestId('vm-row-Hello VM').click()
    await page.getByTestId('action-export').click()
    const path = page.getByTestId('transfer-path')
    await path.fill('relative/folder')
    expect(await page.getByTestId('transfer-problem').innerText()).toMatch(/absolute path/)
    await path.fill(exportsDir())
    await page.getByTestId('transfer-ok').click()
    await page.getByTestId('progress-export').waitFor()
    await expect.poll(() => page.getByTestId('progress-export').getAttribute('aria-valuenow')).toBe('100')
    await expect.poll(() => page.locator('.toast').allInnerTexts()).toContainEqual(expect.stringMatching(/"Hello VM" was exported/))
    expect(existsSync(join(exportsDir(), 'Hello VM', 'hv-manager-export.json'))).toBe(true)
    await screenshot(page, 'e2e-export')
    // The same target again is refused with the reason.
    await page.getByTestId('action-export').click()
    await page.getByTestId('transfer-path').fill(exportsDir())
    await page.getByTestId('transfer-ok').click()
    await expect.poll(() => page.getByTestId('error-toast').last().innerText()).toMatch(/already exists/)
    await page.getByTestId('transfer-cancel').click()
    await clearToasts(page)
  })

  it('imports the export on a second host, refusing a folder that is not an export', async () => {
    const address = new URL(remote.url)
    await page.getByTestId('action-connect-server').click()
    await page.getByTestId('server-address').fill(`http://${address.host}/`)
    await page.getByTestId('server-token').fill(address.searchParams.get('token')!)
    await page.getByTestId('server-connect').click()
    await page.getByTestId(`host-${address.host}`).waitFor()
    await expect.poll(rows).toEqual([])

    await page.getByTestId('action-import').click()
    await page.getByTestId('transfer-path').fill(tmp)
    await page.getByTestId('transfer-ok').click()
    await expect.poll(() => page.getByTestId('error-toast').last().innerText()).toMatch(/is not an HV Manager export/)
    await page.getByTestId('transfer-path').fill(join(exportsDir(), 'Hello VM'))
    await page.getByTestId('transfer-ok').click()
    await expect.poll(rows).toEqual(['Hello VM'])
    expect(await page.getByTestId('transfer-dialog').count()).toBe(0)
    await expect.poll(() => stateOf(page, 'Hello VM')).toBe('Off')
    await screenshot(page, 'e2e-import')
    await clearToasts(page)
  })

  it('moves a Saved VM to the other host, which restores it', { timeout: 60_000 }, async () => {
    await page.getByTestId('host-This computer').click()
    await expect.poll(rows).toEqual(['Hello VM'])
    await page.getByTestId('action-quick').click()
    await page.getByTestId('new-vm-name').fill('traveller')
    await page.getByTestId('new-vm-finish').click()
    await expect.poll(() => stateOf(page, 'traveller')).toBe('Off')
    await page.getByTestId('vm-row-traveller').click()
    await page.getByTestId('action-start').click()
    await expect.poll(() => stateOf(page, 'traveller'), { timeout: 20_000 }).toBe('Running')
    // Running VMs cannot move: the action says why.
    await page.getByTestId('action-move').click({ force: true })
    await expect.poll(() => page.locator('.toast').last().innerText()).toMatch(/only a VM that is Off or Saved/)
    await clearToasts(page)
    await page.getByTestId('action-save').click()
    await expect.poll(() => stateOf(page, 'traveller'), { timeout: 20_000 }).toBe('Saved')
    await page.getByTestId('progress-save').waitFor()
    await screenshot(page, 'e2e-save-progress')

    await page.getByTestId('vm-row-traveller').click({ button: 'right' })
    await page.getByTestId('menu-move').click()
    const address = new URL(remote.url)
    expect(await page.getByTestId('transfer-target').inputValue()).toMatch(/^remote-/)
    expect(await page.getByTestId('transfer-target').locator('option').allInnerTexts()).toEqual([address.host])
    await page.getByTestId('transfer-ok').click()
    await page.getByTestId('progress-move').waitFor()
    await expect.poll(rows, { timeout: 20_000 }).toEqual(['Hello VM'])
    await clearToasts(page)
    await expect.poll(() => page.getByTestId('progress-move').getAttribute('aria-valuenow')).toBe('100')
    await page.waitForTimeout(300)
    await screenshot(page, 'e2e-move')

    await page.getByTestId(`host-${address.host}`).click()
    await expect.poll(async () => (await rows()).sort()).toEqual(['Hello VM', 'traveller'])
    await expect.poll(() => stateOf(page, 'traveller')).toBe('Saved')
    await page.getByTestId('vm-row-traveller').click()
    await page.getByTestId('action-start').click()
    await expect.poll(() => stateOf(page, 'traveller'), { timeout: 20_000 }).toBe('Running')
    await page.getByTestId('action-turnoff').click()
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => stateOf(page, 'traveller'), { timeout: 20_000 }).toBe('Off')
  })
})
