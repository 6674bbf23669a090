/**
 * End to end, the Settings dialog's Processor, Checkpoints and Automatic Start/Stop Action
 * pages against the BUILT app in headless Chromium: the tree lists every page, each new field
 * round-trips (set → reopen → kept), a reserve above the limit is refused under its field,
 * the Processor page is read-only with the reason on a Running VM while Checkpoints still
 * change, and Checkpoint follows the settings (disabled with the reason, a configuration
 * checkpoint of an Off VM, a standard one with the fallback). Screenshots in light and dark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { clearToasts, openSession, screenshot, stateOf, type E2eSession } from './browser'

let s: E2eSession
let page: Page
/** Checkpoint File Location for the test VM (a folder outside the data folder). */
const cpLocation = join(mkdtempSync(join(tmpdir(), 'hv-e2e-cploc-')), 'checkpoints')
const VM = 'Hello VM'

const tree = (p: Page) => p.locator('nav.tree').innerText()
const lastToast = (p: Page) => p.locator('[data-testid="error-toast"]').last().innerText()

async function openSettings(): Promise<void> {
  await page.getByTestId('action-settings').click()
  await page.getByTestId('settings-dialog').waitFor()
}

async function ok(): Promise<void> {
  await page.getByTestId('settings-ok').click()
  await expect.poll(() => page.getByTestId('settings-dialog').count()).toBe(0)
}

async function show(section: string): Promise<void> {
  await page.getByTestId(`settings-tree-${section}`).click()
  await page.waitForTimeout(400) // smooth scroll
}

beforeAll(async () => {
  s = await openSession('settings')
  page = s.page
  await page.getByTestId(`vm-row-${VM}`).waitFor()
  await page.getByTestId(`vm-row-${VM}`).click()
})

afterAll(async () => {
  expect(s.pageErrors).toEqual([])
  expect(await s?.close()).toBe(0)
  rmSync(join(cpLocation, '..'), { recursive: true, force: true })
})

describe('Settings pages in Chromium', () => {
  it('lists Hardware and Management pages, refuses a reserve above the limit, and round-trips every new field', async () => {
    await openSettings()
    const titles = await page.locator('nav.tree .node-title').allInnerTexts()
    expect(titles).toEqual([
      'Processor', 'Memory', 'Boot', 'COM Ports', 'Debugging', 'Clock and Faults',
      'Name and Notes', 'Checkpoints', 'Automatic Start Action', 'Automatic Stop Action',
    ])
    await show('processors')
    await screenshot(page, 'e2e-settings-processor-light')
    await page.getByTestId('settings-reserve').fill('60')
    await page.getByTestId('settings-limit').fill('40')
    await page.getByTestId('settings-ok').click()
    await expect.poll(() => page.getByTestId('settings-dialog').innerText()).toContain('The reserve (60 %) cannot be more than the limit (40 %).')
    expect(await page.getByTestId('settings-tree-processors').getAttribute('class')).toContain('bad')

    await page.getByTestId('settings-reserve').fill('10')
    await page.getByTestId('settings-limit').fill('50')
    await page.getByTestId('settings-weight').fill('300')
    await page.getByTestId('settings-compat').check()
    await show('checkpoints')
    await page.getByTestId('settings-checkpoint-fallback').uncheck()
    await page.getByTestId('settings-checkpoint-location').fill('relative/folder')
    await page.getByTestId('settings-ok').click()
    await expect.poll(() => page.getByTestId('settings-dialog').innerText()).toContain('Enter a full folder path')
    await page.getByTestId('settings-checkpoint-location').fill(cpLocation)
    await screenshot(page, 'e2e-settings-checkpoints-light')
    await show('autostart')
    await page.getByTestId('settings-autostart-always-start').check()
    await page.getByTestId('settings-autostart-delay').fill('5')
    await show('autostop')
    await page.getByTestId('settings-autostop-turn-off').check()
    await screenshot(page, 'e2e-settings-autostop-light')
    expect(await tree(page)).toMatch(/1 virtual processor, limit 50 %, compatibility mode[\s\S]*Production\n[\s\S]*Always start, 5 s delay[\s\S]*Turn off/)
    await ok()

    await page.reload()
    await page.getByTestId(`vm-row-${VM}`).click()
    await openSettings()
    expect(await page.getByTestId('settings-reserve').inputValue()).toBe('10')
    expect(await page.getByTestId('settings-limit').inputValue()).toBe('50')
    expect(await page.getByTestId('settings-weight').inputValue()).toBe('300')
    expect(await page.getByTestId('settings-compat').isChecked()).toBe(true)
    expect(await page.getByTestId('settings-checkpoints-enabled').isChecked()).toBe(true)
    expect(await page.getByTestId('settings-checkpoint-production').isChecked()).toBe(true)
    expect(await page.getByTestId('settings-checkpoint-fallback').isChecked()).toBe(false)
    expect(await page.getByTestId('settings-checkpoint-location').inputValue()).toBe(cpLocation)
    expect(await page.getByTestId('settings-autostart-always-start').isChecked()).toBe(true)
    expect(await page.getByTestId('settings-autostart-delay').inputValue()).toBe('5')
    expect(await page.getByTestId('settings-autostop-turn-off').isChecked()).toBe(true)
    await page.getByTestId('settings-cancel').click()
  })

  it('checkpoints an Off VM as a configuration; on a Running VM the Processor page is locked and Checkpoint follows the settings', async () => {
    await clearToasts(page)
    await page.getByTestId('action-checkpoint').click()
    await expect.poll(() => page.getByTestId('checkpoint-row').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/\(configuration\)$/)]))
    // Its file is in the chosen location, in the VM's own subfolder.
    const [vmFolder] = readdirSync(cpLocation)
    expect(existsSync(join(cpLocation, vmFolder!, 'tree.json'))).toBe(true)
    expect(readdirSync(join(cpLocation, vmFolder!)).some((f) => /^config-.*\.json$/.test(f))).toBe(true)

    await page.getByTestId('action-start').click()
    await expect.poll(() => stateOf(page, VM), { timeout: 20_000 }).toBe('Running')
    // Production without the fallback: disabled, and the click says why.
    const cp = page.getByTestId('action-checkpoint')
    expect(await cp.getAttribute('aria-disabled')).toBe('true')
    expect(await cp.getAttribute('title')).toMatch(/production checkpoints, which need a backup service \(VSS\)/)
    await cp.click({ force: true })
    await expect.poll(() => lastToast(page)).toMatch(/production checkpoints/)
    await clearToasts(page)

    await openSettings()
    for (const id of ['reserve', 'limit', 'weight', 'compat', 'cpus']) expect(await page.getByTestId(`settings-${id}`).isDisabled(), id).toBe(true)
    expect(await page.getByTestId('settings-lock-processors').innerText()).toMatch(/read-only while Running: needs the VM Off/)
    expect(await page.getByTestId('settings-locked').innerText()).toMatch(/processor reserve, limit, weight and compatibility mode/)
    await show('checkpoints')
    expect(await page.getByTestId('settings-checkpoint-fallback').isDisabled()).toBe(false)
    await page.getByTestId('settings-checkpoint-fallback').check()
    await screenshot(page, 'e2e-settings-running-light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await show('processors')
    await screenshot(page, 'e2e-settings-processor-dark')
    await show('checkpoints')
    await screenshot(page, 'e2e-settings-checkpoints-dark')
    await page.emulateMedia({ colorScheme: 'light' })
    await ok()

    // With the fallback, a running VM gets a standard checkpoint.
    await expect.poll(() => cp.getAttribute('aria-disabled')).toBe('false')
    const before = (await page.getByTestId('checkpoint-row').allInnerTexts()).length
    await clearToasts(page)
    await cp.click()
    await expect.poll(async () => (await page.getByTestId('checkpoint-row').allInnerTexts()).length).toBe(before + 1)
    expect(await page.locator('[data-testid="error-toast"]').count()).toBe(0)

    // Turned off while running (a management setting): Checkpoint disabled with the reason.
    await openSettings()
    await show('checkpoints')
    await page.getByTestId('settings-checkpoints-enabled').uncheck()
    await ok()
    await expect.poll(() => cp.getAttribute('title')).toMatch(/Checkpoints are turned off for "Hello VM"/)
    await page.getByTestId('action-turnoff').click()
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => stateOf(page, VM), { timeout: 20_000 }).toBe('Off')
  })
})
