/**
 * End to end, the host's actions in Chromium against a real `hv-manager serve`: Hypervisor
 * Settings (a new Virtual Machines folder receives a Quick Create VM's files; the settings
 * survive a serve restart), host-level Statistics… and Event Log… with nothing selected
 * (a selector of the running VMs; values change, entries appear), and Stop All… (two running
 * hvshell VMs Saved, then Turned Off). Disabled host actions say why. Screenshots of the
 * settings dialog and the Stop All confirmation in both themes go to test/artifacts/.
 * Needs `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { assertBuilt, startServe, type ServeProcess } from './serve-process'
import { clearToasts, launch, screenshot, stateOf, watchedPage } from './browser'

let tmp: string
let dataDir: string
let vmFolder: string
let serve: ServeProcess
let ctx: BrowserContext
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  assertBuilt()
  tmp = mkdtempSync(join(tmpdir(), 'hv-e2e-host-'))
  dataDir = join(tmp, 'data')
  vmFolder = join(tmp, 'vms elsewhere')
  serve = await startServe(dataDir, 20_000, ['--no-default-vm'])
  ctx = await launch(join(tmp, 'chromium'))
  page = await watchedPage(ctx, pageErrors)
  await page.goto(serve.url)
}, 60_000)

afterAll(async () => {
  await ctx?.close()
  expect(await serve?.stop()).toBe(0)
  expect(pageErrors).toEqual([])
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

async function quickCreate(name: string): Promise<void> {
  await page.getByTestId('action-quick').click()
  await page.getByTestId('new-vm-name').fill(name)
  await page.getByTestId('boot-guest').selectOption('hvshell')
  await page.getByTestId('new-vm-finish').click()
  await expect.poll(() => stateOf(page, name)).toBe('Off')
}

async function start(name: string): Promise<void> {
  await page.getByTestId(`vm-row-${name}`).click()
  await page.getByTestId('action-start').click()
  await expect.poll(() => stateOf(page, name), { timeout: 30_000 }).toBe('Running')
}

/** Screenshots in the light and the dark theme (the page follows prefers-color-scheme). */
async function bothThemes(name: string): Promise<void> {
  await clearToasts(page)
  await screenshot(page, `${name}-light`)
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForTimeout(100)
  await screenshot(page, `${name}-dark`)
  await page.emulateMedia({ colorScheme: 'light' })
}

const counters = async (): Promise<Map<string, string>> => {
  const rows = page.locator('[data-counter]')
  const keys = await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-counter') ?? '', e.querySelector('[data-testid="counter-value"]')?.textContent ?? '']))
  return new Map(keys as Array<[string, string]>)
}

describe('host actions in Chromium', () => {
  it('disables the host views and Stop All with the reason while nothing runs', { timeout: 30_000 }, async () => {
    for (const id of ['action-host-stats', 'action-host-events', 'action-stop-all']) {
      const b = page.getByTestId(id)
      await expect.poll(() => b.getAttribute('aria-disabled')).toBe('true')
      expect(await b.getAttribute('title')).toMatch(/No virtual machine is running on this host/)
    }
    // A disabled-looking action still answers a click, with the reason (Playwright needs force).
    await page.getByTestId('action-host-stats').click({ force: true })
    await expect.poll(() => page.locator('.toast').allInnerTexts()).toEqual([expect.stringMatching(/No virtual machine is running/)])
    expect(await page.getByTestId('hv-tools').count()).toBe(0)
  })

  it('Hypervisor Settings: new VMs go to the chosen folder; the settings survive a restart', { timeout: 120_000 }, async () => {
    await page.getByTestId('action-host-settings').click()
    const dialog = page.getByTestId('host-settings-dialog')
    const folder = page.getByTestId('host-settings-vm-folder')
    await expect.poll(() => folder.inputValue()).toBe(join(dataDir, 'files'))
    // A relative path is refused on the page, before the host sees it.
    await folder.fill('relative/vms')
    await page.getByTestId('host-settings-ok').click()
    await expect.poll(() => dialog.getByRole('alert').innerText()).toMatch(/absolute folder path/)
    await folder.fill(vmFolder)
    await page.getByTestId('host-settings-node-automatic').click()
    expect(await page.getByTestId('host-settings-automatic').isChecked()).toBe(true)
    await page.getByTestId('host-settings-node-vms').click()
    await bothThemes('e2e-host-settings')
    await page.getByTestId('host-settings-ok').click()
    await expect.poll(() => dialog.count()).toBe(0)
    expect(existsSync(vmFolder)).toBe(true)
    // The wizard's Name and Location page starts from it.
    await page.getByTestId('action-new').click()
    await page.getByTestId('wizard-step-name').click()
    await expect.poll(() => page.getByTestId('new-vm-location').inputValue()).toBe(vmFolder)
    await page.getByTestId('wizard-cancel').click()

    await quickCreate('Alpha')
    const ids = readdirSync(vmFolder)
    expect(ids).toHaveLength(1)
    // Start and Save: the saved state lands in the VM's folder under the new folder.
    await start('Alpha')
    await page.getByTestId('action-save').click()
    await expect.poll(() => stateOf(page, 'Alpha'), { timeout: 30_000 }).toBe('Saved')
    expect(existsSync(join(vmFolder, ids[0]!, 'saved-state.hvs'))).toBe(true)
    expect(existsSync(join(dataDir, 'files', ids[0]!))).toBe(false)

    // Restart serve on the same data folder: the settings and the Saved VM are kept.
    expect(await serve.stop()).toBe(0)
    serve = await startServe(dataDir, 20_000, ['--no-default-vm'])
    await page.goto(serve.url)
    await expect.poll(() => stateOf(page, 'Alpha')).toBe('Saved')
    await page.getByTestId('action-host-settings').click()
    await expect.poll(() => page.getByTestId('host-settings-vm-folder').inputValue()).toBe(vmFolder)
    await page.getByTestId('host-settings-cancel').click()
  })

  it('host Statistics… and Event Log… show the running VM while another is selected', { timeout: 120_000 }, async () => {
    await start('Alpha')
    // The list always has a VM selected once it has any (the first on load); an Off one here,
    // so the host's views must find the running VM themselves.
    await quickCreate('Idle')
    await page.getByTestId('vm-row-Idle').click()
    await expect.poll(() => page.getByTestId('actions-vm-name').innerText()).toBe('Idle')
    expect(await page.getByTestId('action-hv-stats').getAttribute('aria-disabled')).toBe('true')
    await expect.poll(() => page.getByTestId('action-host-stats').getAttribute('aria-disabled')).toBe('false')
    await page.getByTestId('action-host-stats').click()
    const picker = page.getByTestId('hv-tools-vm')
    await expect.poll(() => picker.locator('option').allInnerTexts()).toEqual(['Alpha'])
    await page.locator('[data-counter]').first().waitFor({ timeout: 15_000 })
    const first = await counters()
    expect(first.size).toBeGreaterThan(3)
    let changed: string[] = []
    await expect.poll(async () => {
      const now = await counters()
      changed = [...now].filter(([k, v]) => first.has(k) && first.get(k) !== v).map(([k]) => k)
      return changed.length
    }, { timeout: 15_000 }).toBeGreaterThan(0)
    await screenshot(page, 'e2e-host-statistics')
    await page.getByTestId('hv-tools').getByRole('button', { name: 'Close' }).click()
    await page.getByTestId('action-host-events').click()
    await expect.poll(() => page.getByTestId('event-row').count(), { timeout: 15_000 }).toBeGreaterThan(3)
    expect(await page.getByTestId('hv-tools-vm').inputValue()).not.toBe('')
    await screenshot(page, 'e2e-host-event-log')
    await page.getByTestId('hv-tools').getByRole('button', { name: 'Close' }).click()
  })

  it('Stop All saves both running VMs, then turns them off', { timeout: 180_000 }, async () => {
    await quickCreate('Beta')
    await start('Beta')
    expect(await stateOf(page, 'Alpha')).toBe('Running')
    await page.getByTestId('action-stop-all').click()
    const dialog = page.getByTestId('stop-all-dialog')
    expect((await dialog.getByTestId('stop-all-vms').locator('li .name').allInnerTexts()).sort()).toEqual(['Alpha', 'Beta'])
    // Focus starts on Cancel; Save is the default way.
    expect(await page.evaluate('document.activeElement?.getAttribute("data-testid")')).toBe('stop-all-cancel')
    expect(await page.getByTestId('stop-all-save').isChecked()).toBe(true)
    await bothThemes('e2e-stop-all-confirm')
    const clicked = Date.now()
    await page.getByTestId('stop-all-ok').click()
    await expect.poll(() => dialog.getByTestId('stop-all-outcome').allInnerTexts(), { timeout: 60_000, interval: 50 }).toEqual([
      expect.stringMatching(/^✓ Saved "(Alpha|Beta)"$/), expect.stringMatching(/^✓ Saved "(Alpha|Beta)"$/),
    ])
    console.log(`Stop All (Save) of two hvshell VMs: ${Date.now() - clicked} ms from the click to both outcomes`)
    expect(await dialog.getByTestId('stop-all-progress').getAttribute('aria-valuenow')).toBe('100')
    await clearToasts(page)
    await page.waitForTimeout(300) // the bar's width transition
    await screenshot(page, 'e2e-stop-all-done')
    await page.getByTestId('stop-all-close').click()
    expect([await stateOf(page, 'Alpha'), await stateOf(page, 'Beta')]).toEqual(['Saved', 'Saved'])
    // Alpha's and Beta's saved states, in their folders under the Virtual Machines folder ("Idle" is Off).
    const savedStates = (): number => readdirSync(vmFolder).filter((id) => existsSync(join(vmFolder, id, 'saved-state.hvs'))).length
    expect(savedStates()).toBe(2)

    // Both continue from their saved state, then Stop All turns them off.
    await start('Alpha')
    await start('Beta')
    await page.getByTestId('action-stop-all').click()
    await page.getByTestId('stop-all-turnOff').check()
    await page.getByTestId('stop-all-ok').click()
    await expect.poll(() => dialog.getByTestId('stop-all-outcome').allInnerTexts(), { timeout: 60_000 }).toEqual([
      expect.stringMatching(/^✓ Turned off "(Alpha|Beta)"$/), expect.stringMatching(/^✓ Turned off "(Alpha|Beta)"$/),
    ])
    await page.getByTestId('stop-all-close').click()
    expect([await stateOf(page, 'Alpha'), await stateOf(page, 'Beta')]).toEqual(['Off', 'Off'])
    expect(savedStates()).toBe(0)
    await expect.poll(() => page.getByTestId('action-stop-all').getAttribute('aria-disabled')).toBe('true')
  })
})
