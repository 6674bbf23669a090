/**
 * End to end, the hypervisor views in Chromium against a real `hv-manager serve`: an hvshell
 * VM's Statistics (counter values change while the guest runs; a chosen counter is charted),
 * its Event Log (decoded entries appear, filters narrow them), the Debug Console (hvshell's
 * `dbg` text arrives in the xterm) and Checkpoints (create with the default name, apply
 * with "Create Checkpoint and Apply", VM Saved, then Start resumes). Screenshots go to
 * test/artifacts/. Needs `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { ServeProcess } from './serve-process'
import { openSession, screenshot, stateOf, waitForTerminal, type E2eSession } from './browser'

const VM = 'Shell'
let session: E2eSession
let serve: ServeProcess
let page: Page
let pageErrors: string[]

beforeAll(async () => {
  session = await openSession('views', ['--no-default-vm'])
  ;({ serve, page, pageErrors } = session)
}, 60_000)

afterAll(async () => {
  expect(await session?.close()).toBe(0)
})

async function bootShell(): Promise<void> {
  await page.getByTestId('action-quick').click()
  await page.getByTestId('new-vm-name').fill(VM)
  await page.getByTestId('boot-guest').selectOption('hvshell')
  await page.getByTestId('new-vm-finish').click()
  await expect.poll(() => stateOf(page, VM)).toBe('Off')
  await page.getByTestId(`vm-row-${VM}`).click()
  await page.getByTestId('action-connect').click()
  await page.getByTestId('connect-start').click()
  await expect.poll(() => stateOf(page, VM), { timeout: 30_000 }).toBe('Running')
  await waitForTerminal(page, VM, 'hv> ', 30_000, 'hvshell did not reach its prompt', serve.output)
}

async function typeInGuest(text: string): Promise<void> {
  // Top left of the terminal: the hypervisor views' window may cover the rest of it.
  await page.locator(`[data-testid="connect-window-${VM}"] [data-testid="terminal"]`).click({ position: { x: 20, y: 20 } })
  await page.keyboard.type(text)
  await page.keyboard.press('Enter')
}

const counter = (object: string, name: string) => page.locator(`[data-counter="${object}|${name}"] [data-testid="counter-value"]`)

describe('hypervisor views in Chromium', () => {
  it('shows decoded event-log entries and filters them by type', { timeout: 90_000 }, async () => {
    await bootShell()
    await page.getByTestId('action-event-log').click()
    await expect.poll(() => page.getByTestId('event-row').count(), { timeout: 15_000 }).toBeGreaterThan(3)
    // The partition's creation was logged before the guest ran (the oldest entries), once in
    // each log: GlobalSystemEvents, and LocalDiagnostics, whose sources include the lifecycle.
    await page.getByLabel('Event type').selectOption('HV_TR_OB_CREATE_PARTITION')
    const created = page.locator('[data-testid="event-row"]')
    await expect.poll(async () => (await created.locator('td:nth-child(6)').allInnerTexts()).sort()).toEqual(['HV_TR_OB_CREATE_PARTITION', 'HV_TR_OB_CREATE_PARTITION'])
    expect((await created.locator('td:nth-child(3)').allInnerTexts()).sort()).toEqual(['Diagnostic', 'System'])
    // An idle hvshell sleeps in HLT (no port traffic); typing a command makes it read the
    // UART (RBR, LSR before every byte it prints), and those reads arrive live under the filter.
    await page.getByLabel('Event type').selectOption('HV_TR_IM_IO_PORT_READ')
    const rows = page.locator('[data-testid="event-row"] td:nth-child(6)')
    const before = await rows.count()
    await typeInGuest('help')
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(before)
    expect(new Set(await rows.allInnerTexts())).toEqual(new Set(['HV_TR_IM_IO_PORT_READ']))
    await screenshot(page, 'e2e-hv-event-log')
  })

  it('shows statistics that change while the guest runs, and charts a chosen counter', { timeout: 90_000 }, async () => {
    await page.getByTestId('hv-tools').getByRole('button', { name: 'Hypervisor Statistics' }).click()
    const io = counter('Virtual processor 0', 'IO Instructions/sec')
    await io.waitFor({ timeout: 10_000 })
    const before = Number((await io.innerText()).replace(/[^\d.]/g, ''))
    await typeInGuest('help')
    await expect.poll(async () => (await io.innerText()) !== '' && (await io.innerText()) !== String(before), { timeout: 15_000 }).toBe(true)
    await page.locator('[data-counter="Virtual processor 0|IO Instructions/sec"]').click()
    await page.getByTestId('stats-chart').locator('canvas').waitFor({ timeout: 5_000 })
    await page.waitForTimeout(2500)
    await screenshot(page, 'e2e-hv-statistics')
  })

  it('relays hvshell dbg text to the debug console', { timeout: 60_000 }, async () => {
    await page.getByTestId('hv-tools').getByRole('button', { name: 'Debug Console' }).click()
    await page.getByTestId('debug-console').locator('.xterm-rows').waitFor()
    await typeInGuest('dbg hello-from-guest-77')
    await expect.poll(() => page.getByTestId('debug-console').locator('.xterm-rows').innerText(), { timeout: 15_000 }).toContain('hello-from-guest-77')
    await screenshot(page, 'e2e-hv-debug-console')
    await page.getByTestId('hv-tools').getByRole('button', { name: 'Close' }).click()
  })

  it('creates a checkpoint and applies it, checkpointing the current state first', { timeout: 90_000 }, async () => {
    const cps = page.getByTestId('checkpoints')
    await page.getByTestId('action-checkpoint').click()
    await expect.poll(() => page.getByTestId('checkpoint-row').allInnerTexts(), { timeout: 20_000 }).toEqual([
      expect.stringMatching(/^◆ Shell \(\d\d\/\d\d\/\d{4} - \d\d:\d\d:\d\d [AP]M\)$/), '▶ Now',
    ])
    await typeInGuest('uptime')
    await page.getByTestId('checkpoint-row').first().click()
    await cps.getByRole('button', { name: 'Apply…' }).click()
    await cps.getByRole('button', { name: 'Create Checkpoint and Apply' }).click()
    await expect.poll(() => stateOf(page, VM), { timeout: 30_000 }).toBe('Saved')
    await expect.poll(() => page.getByTestId('checkpoint-row').count()).toBe(3)
    await screenshot(page, 'e2e-hv-checkpoints')
    await page.getByTestId('action-start').click()
    await expect.poll(() => stateOf(page, VM), { timeout: 30_000 }).toBe('Running')
    expect(pageErrors).toEqual([])
  })
})
