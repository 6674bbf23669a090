/**
 * End to end, every VM action in every state it is offered in, against the BUILT app in
 * headless Chromium: refused actions say why (Actions pane, shortcut, context menu), Pause /
 * Resume / Reset / Shut Down / Turn Off / Rename / Delete with confirmation, the Settings
 * round trip (and its lock while running), CPU Usage and Uptime, sorting, multi-select,
 * Quick Create, the Connect panel popped out to a tab, and the dark theme.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { assertBuilt, startServe, type ServeProcess } from './serve-process'
import { clearToasts, launch, screenshot, stateOf, waitForTerminal, watchedPage } from './browser'

let tmp: string
let serve: ServeProcess
let ctx: BrowserContext
let page: Page
const pageErrors: string[] = []
const VM = 'Hello VM'

const lastToast = (p: Page) => p.locator('[data-testid="error-toast"]').last().innerText()

async function refusedWithReason(testid: string, reason: RegExp): Promise<void> {
  await clearToasts(page)
  const button = page.getByTestId(testid)
  expect(await button.getAttribute('aria-disabled')).toBe('true')
  expect(await button.getAttribute('title')).toMatch(reason)
  // aria-disabled, not disabled: the click still reaches the app, which says why it refuses.
  await button.click({ force: true })
  await expect.poll(() => lastToast(page)).toMatch(reason)
}

beforeAll(async () => {
  assertBuilt()
  tmp = mkdtempSync(join(tmpdir(), 'hv-e2e-actions-'))
  serve = await startServe(join(tmp, 'data'))
  ctx = await launch(join(tmp, 'chromium'))
  page = await watchedPage(ctx, pageErrors)
  await page.goto(serve.url)
  await page.getByTestId(`vm-row-${VM}`).waitFor()
})

afterAll(async () => {
  await ctx?.close()
  expect(await serve?.stop()).toBe(0)
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('VM actions in Chromium', () => {
  it('refuses actions a VM that is Off cannot take, saying why', async () => {
    await page.getByTestId(`vm-row-${VM}`).click()
    await refusedWithReason('action-pause', /"Hello VM" is Off; only a VM that is Running can be paused/)
    await refusedWithReason('action-resume', /is Off; only a VM that is Paused can be resumed/)
    await refusedWithReason('action-reset', /is Off; only a VM that is Running or Paused can be reset/)
    await refusedWithReason('action-shutdown', /is Off; only a VM that is Running can be shut down/)
    await refusedWithReason('action-save', /is Off; only a VM that is Running or Paused can be saved/)
    await refusedWithReason('action-turnoff', /is Off; only a VM that is Starting or Running or Paused or Saved can be turned off/)
    // A shortcut is refused the same way.
    await clearToasts(page)
    await page.getByTestId('vm-list').focus()
    await page.keyboard.press('Control+r')
    await expect.poll(() => lastToast(page)).toMatch(/can be reset/)
    await screenshot(page, 'e2e-actions-refused')
    await clearToasts(page)
  })

  it('round-trips the settings while Off, and they survive a reload', async () => {
    await page.getByTestId('action-settings').click()
    await page.getByTestId('settings-cpus').fill('2')
    await page.getByTestId('settings-memory').fill('0')
    await page.getByTestId('settings-ok').click()
    await expect.poll(() => page.getByTestId('settings-dialog').innerText()).toContain('Memory must be a whole number')
    await page.getByTestId('settings-memory').fill('48')
    await page.getByTestId('settings-notes').fill('notes from the settings test')
    await page.getByTestId('settings-com').selectOption('1')
    await page.getByTestId('settings-clock').selectOption('virtual')
    await page.getByTestId('settings-triple').selectOption('reset')
    await page.getByTestId('settings-ok').click()
    await expect.poll(() => page.getByTestId('settings-dialog').count()).toBe(0)
    await page.reload()
    await expect.poll(() => stateOf(page, VM)).toBe('Off')
    await page.getByTestId(`vm-row-${VM}`).click()
    await expect.poll(() => page.getByTestId('vm-notes').innerText()).toBe('notes from the settings test')
    await page.getByTestId('action-settings').click()
    expect(await page.getByTestId('settings-cpus').inputValue()).toBe('2')
    expect(await page.getByTestId('settings-memory').inputValue()).toBe('48')
    expect(await page.getByTestId('settings-com').inputValue()).toBe('1')
    expect(await page.getByTestId('settings-clock').inputValue()).toBe('virtual')
    expect(await page.getByTestId('settings-triple').inputValue()).toBe('reset')
    // Back to one processor and the host clock for the rest of the tests.
    await page.getByTestId('settings-cpus').fill('1')
    await page.getByTestId('settings-clock').selectOption('host')
    await page.getByTestId('settings-ok').click()
    await expect.poll(() => page.getByTestId('settings-dialog').count()).toBe(0)
  })

  it('starts, shows CPU Usage and Uptime, pauses, resumes, resets, shuts down and refuses what Running forbids', { timeout: 120_000 }, async () => {
    await page.getByTestId('action-start').click()
    await expect.poll(() => stateOf(page, VM), { timeout: 30_000 }).toBe('Running')
    await refusedWithReason('action-start', /is Running; only a VM that is Off or Saved can be started/)
    await refusedWithReason('action-delete', /is Running; only a VM that is Off can be deleted; turn it off first/)
    await refusedWithReason('action-resume', /is Running; only a VM that is Paused can be resumed/)
    await clearToasts(page)
    const row = page.getByTestId(`vm-row-${VM}`)
    await expect.poll(() => row.getByTestId('vm-cpu').innerText(), { timeout: 10_000 }).toMatch(/^\d+ %$/)
    await expect.poll(() => row.getByTestId('vm-uptime').innerText(), { timeout: 5_000 }).toMatch(/^00:00:0[1-9]$/)
    await expect.poll(() => page.getByTestId('console-thumbnail').innerText(), { timeout: 60_000 }).toContain('ready')

    // Settings while Running: the machine settings are locked and say why; Name and Notes are not.
    await page.getByTestId('action-settings').click()
    expect(await page.getByTestId('settings-locked').innerText()).toMatch(/is Running: Processors, Memory.*can only be changed while it is Off/)
    expect(await page.getByTestId('settings-memory').isDisabled()).toBe(true)
    await screenshot(page, 'e2e-settings-locked')
    await page.getByTestId('settings-notes').fill('changed while running')
    await page.getByTestId('settings-ok').click()
    await expect.poll(() => page.getByTestId('vm-notes').innerText()).toBe('changed while running')

    await page.getByTestId('action-pause').click()
    await expect.poll(() => stateOf(page, VM)).toBe('Paused')
    await refusedWithReason('action-pause', /is Paused; only a VM that is Running can be paused/)
    await refusedWithReason('action-shutdown', /is Paused; only a VM that is Running can be shut down/)
    await refusedWithReason('action-start', /is Paused; only a VM that is Off or Saved can be started; use Resume/)
    await clearToasts(page)
    await page.keyboard.press('Control+p')
    await expect.poll(() => stateOf(page, VM)).toBe('Running')

    // Reset (confirmed): the guest boots again and prints its banner a second time.
    await page.getByTestId('action-connect').click()
    await waitForTerminal(page, VM, 'ready', 60_000, 'the guest did not boot')
    await page.getByTestId('action-reset').click()
    await page.getByTestId('confirm-ok').click()
    await expect
      .poll(async () => ((await page.locator(`[data-testid="connect-window-${VM}"] .xterm-rows`).innerText()).match(/HV Manager hello guest/g) ?? []).length, { timeout: 60_000 })
      .toBe(2)
    expect(await stateOf(page, VM)).toBe('Running')
    await page.getByTestId('connect-close').click()

    // Shut Down asks the guest (the hello guest ignores the power button, so it keeps running).
    await clearToasts(page)
    await page.getByTestId('action-shutdown').click()
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => page.getByTestId('info-toast').last().innerText()).toMatch(/Shut down requested for "Hello VM"/)
    expect(await page.getByTestId('error-toast').count()).toBe(0)
    await screenshot(page, 'e2e-actions-running')

    // Save: the VM leaves memory (Saved); Start restores it and the guest carries on where it was.
    await clearToasts(page)
    await page.getByTestId('action-save').click()
    await expect.poll(() => stateOf(page, VM), { timeout: 30_000 }).toBe('Saved')
    expect(await row.locator('.status').innerText()).toBe('Saved')
    await refusedWithReason('action-delete', /is Saved; .* Turn Off discards the saved state first/)
    await screenshot(page, 'e2e-saved')
    await clearToasts(page)
    await page.getByTestId('action-start').click()
    await expect.poll(() => stateOf(page, VM), { timeout: 30_000 }).toBe('Running')
    await page.getByTestId('action-connect').click()
    const term = page.locator(`[data-testid="connect-window-${VM}"] [data-testid="terminal"]`)
    await term.click()
    await page.keyboard.type('after restore 5')
    await waitForTerminal(page, VM, 'after restore 5', 30_000, 'the restored guest did not echo')
    // No second boot: the guest continued from its saved state.
    expect(((await page.locator(`[data-testid="connect-window-${VM}"] .xterm-rows`).innerText()).match(/HV Manager hello guest/g) ?? []).length).toBe(2)
    await page.getByTestId('connect-close').click()

    // The context menu: disabled items carry their reason; Turn Off through it, confirmed.
    await row.click({ button: 'right' })
    const menu = page.getByTestId('context-menu')
    expect(await menu.getByTestId('menu-start').isDisabled()).toBe(true)
    expect(await menu.getByTestId('menu-start').getAttribute('title')).toMatch(/is Running/)
    await screenshot(page, 'e2e-context-menu')
    await menu.getByTestId('menu-turnoff').click()
    expect(await page.getByTestId('confirm-dialog').innerText()).toMatch(/turn off "Hello VM"/)
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => stateOf(page, VM), { timeout: 20_000 }).toBe('Off')
    expect(await row.locator('.status').innerText()).toBe('Turned off')
  })

  it('renames with F2, quick-creates, sorts, multi-selects and deletes only after confirmation', { timeout: 90_000 }, async () => {
    await page.getByTestId(`vm-row-${VM}`).click()
    await page.keyboard.press('F2')
    await page.getByTestId('prompt-input').fill('Zulu')
    await page.getByTestId('prompt-ok').click()
    await expect.poll(() => page.getByTestId('vm-row-Zulu').count()).toBe(1)

    await page.getByTestId('action-quick').click()
    await page.getByTestId('new-vm-name').fill('Alpha')
    await page.getByTestId('new-vm-finish').click()
    await expect.poll(() => stateOf(page, 'Alpha')).toBe('Off')

    const names = () => page.locator('tbody tr td.name').allInnerTexts()
    await expect.poll(names).toEqual(['Alpha', 'Zulu'])
    await page.getByTestId('sort-name').click()
    await expect.poll(names).toEqual(['Zulu', 'Alpha'])

    // Select both (Ctrl-click) and start them together; sorting by State keeps working.
    await page.getByTestId('vm-row-Zulu').click()
    await page.getByTestId('vm-row-Alpha').click({ modifiers: ['Control'] })
    expect(await page.getByTestId('actions-vm-name').innerText()).toBe('2 virtual machines')
    await page.getByTestId('action-start').click()
    await expect.poll(() => Promise.all([stateOf(page, 'Alpha'), stateOf(page, 'Zulu')]), { timeout: 30_000 }).toEqual(['Running', 'Running'])
    await page.getByTestId('action-turnoff').click()
    expect(await page.getByTestId('confirm-dialog').innerText()).toMatch(/"Zulu", "Alpha"|"Alpha", "Zulu"/)
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => Promise.all([stateOf(page, 'Alpha'), stateOf(page, 'Zulu')]), { timeout: 30_000 }).toEqual(['Off', 'Off'])

    // Delete: Cancel keeps the VM, confirming removes it.
    await page.getByTestId('vm-row-Alpha').click()
    await page.getByTestId('action-delete').click()
    await page.getByTestId('confirm-cancel').click()
    expect(await page.getByTestId('vm-row-Alpha').count()).toBe(1)
    await page.getByTestId('action-delete').click()
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => page.getByTestId('vm-row-Alpha').count()).toBe(0)

    // The error panel lists the session's refusals with what to do.
    await page.getByTestId('action-errors').click()
    expect(await page.getByTestId('error-panel').innerText()).toMatch(/What to do:/)
    await screenshot(page, 'e2e-error-panel')
    await page.getByTestId('action-errors').click()
  })

  it('pops a Connect panel out into a tab of its own, and follows the OS dark theme', { timeout: 60_000 }, async () => {
    await page.getByTestId('vm-row-Zulu').click()
    await page.getByTestId('action-connect').click()
    const [tab] = await Promise.all([ctx.waitForEvent('page'), page.getByTestId('connect-popout').click()])
    await tab!.waitForLoadState()
    await expect.poll(() => tab!.getByTestId('connect-title').innerText()).toMatch(/Zulu – Off – Virtual Machine Connection/)
    await tab!.getByTestId('connect-start').click()
    await waitForTerminal(tab!, 'Zulu', 'ready', 60_000, 'the popped-out console did not show the guest')
    await expect.poll(() => tab!.title()).toMatch(/Zulu – Running/)
    await tab!.emulateMedia({ colorScheme: 'dark' })
    await screenshot(tab!, 'e2e-connect-tab-dark')
    await tab!.close()
    await page.emulateMedia({ colorScheme: 'dark' })
    await screenshot(page, 'e2e-manager-dark')
    const bg = await page.evaluate<string>("getComputedStyle(document.querySelector('.pane-header').parentElement).backgroundColor")
    expect(bg).toBe('rgb(38, 38, 38)')
    await page.emulateMedia({ colorScheme: 'light' })
    expect(pageErrors).toEqual([])
  })
})
