/**
 * Both themes (issue 8: "screenshots show a polished, consistent UI in both themes"): the
 * main window, the New VM wizard, Settings, Connect, Statistics and the Event Log in light
 * and dark (`prefers-color-scheme`), saved as test/artifacts/e2e-theme-<scheme>-<view>.png.
 * Each view also checks that it follows the scheme (the page's background and text colours
 * change with it, text keeps contrast), that Connect's rows are tall enough for
 * underscores, and that focusing the last action leaves the Actions pane's first group title
 * clear of its sticky header. Needs `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { clearToasts, openSession, screenshot, stateOf, typeInConsole, waitForTerminal, type E2eSession } from './browser'

const VM = 'Shell'
let session: E2eSession
let page: Page

beforeAll(async () => {
  session = await openSession('themes', ['--no-default-vm'])
  page = session.page
}, 60_000)

afterAll(async () => {
  expect(await session?.close()).toBe(0)
})

/** WCAG relative luminance of a CSS rgb()/rgba() colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
    const c = Number(v) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
}
const contrast = (a: string, b: string): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi! + 0.05) / (lo! + 0.05)
}

/** The element's text colour and the first opaque background behind it. */
async function colours(l: Locator): Promise<{ fg: string; bg: string }> {
  // In the page: DOM types are not in the tests' typecheck, hence the narrow local type.
  type El = { parentElement: El | null }
  return l.evaluate((el) => {
    const style = (globalThis as unknown as { getComputedStyle(e: El): { color: string; backgroundColor: string } }).getComputedStyle
    const fg = style(el as unknown as El).color
    for (let e: El | null = el as unknown as El; e; e = e.parentElement) {
      const bg = style(e).backgroundColor
      if (bg && !/rgba\(.*,\s*0\)$/.test(bg) && bg !== 'transparent') return { fg, bg }
    }
    return { fg, bg: 'rgb(255, 255, 255)' }
  })
}

async function expectReadable(l: Locator, scheme: 'light' | 'dark', what: string): Promise<void> {
  const { fg, bg } = await colours(l)
  expect(contrast(fg, bg), `${what} (${scheme}): ${fg} on ${bg}`).toBeGreaterThan(4.5)
  // The background follows the scheme: light panes in light, dark panes in dark.
  expect(luminance(bg) > 0.4, `${what} (${scheme}) background ${bg}`).toBe(scheme === 'light')
}

/**
 * Pixels between the Actions pane's sticky header and `selector` inside the pane (negative:
 * covered by the header): the first group title, or the focused action.
 */
function actionsGap(p: Page, selector: string): Promise<number> {
  type Box = { top: number; bottom: number }
  type El = { getBoundingClientRect(): Box; querySelector(s: string): El | null }
  return p.locator('aside[aria-label="Actions"]').evaluate((el, sel) => {
    const pane = el as unknown as El
    return pane.querySelector(sel)!.getBoundingClientRect().top - pane.querySelector('.pane-header')!.getBoundingClientRect().bottom
  }, selector)
}

describe('light and dark themes', () => {
  it('boots an hvshell VM to show in every view', { timeout: 90_000 }, async () => {
    await page.getByTestId('action-quick').click()
    await page.getByTestId('new-vm-name').fill(VM)
    await page.getByTestId('boot-guest').selectOption('hvshell')
    await page.getByTestId('new-vm-finish').click()
    await page.getByTestId(`vm-row-${VM}`).click()
    await page.getByTestId('action-connect').click()
    await page.getByTestId('connect-start').click()
    await expect.poll(() => stateOf(page, VM), { timeout: 30_000 }).toBe('Running')
    await waitForTerminal(page, VM, 'hv> ', 30_000, 'hvshell did not reach its prompt', session.serve.output)
    // Underscores and descenders in the console (the DOM renderer once clipped them).
    await typeInConsole(page, VM, 'cmdline under_score_gjpqy')
    await page.getByTestId('connect-close').click()
  })

  for (const scheme of ['light', 'dark'] as const) {
    it(`shows every view in the ${scheme} theme`, { timeout: 90_000 }, async () => {
      await page.emulateMedia({ colorScheme: scheme })
      // The same views in both themes: no leftover toast from creating the VM in one of them.
      await clearToasts(page)
      const shot = (view: string): Promise<void> => screenshot(page, `e2e-theme-${scheme}-${view}`)

      await page.getByTestId(`vm-row-${VM}`).click()
      await expectReadable(page.getByTestId(`vm-row-${VM}`).getByTestId('vm-state'), scheme, 'VM list')
      // Keyboard focus scrolls the Actions pane (taller than the window with a VM selected)
      // so the focused action sits below the sticky header, never under it; focus back at the
      // top shows the first group title whole (it once sat under the header by a few pixels).
      await page.getByTestId('action-debug-console').focus()
      await expect.poll(() => actionsGap(page, ':focus')).toBeGreaterThanOrEqual(0)
      await page.getByTestId('action-new').focus()
      await expect.poll(() => actionsGap(page, '.group-title')).toBeGreaterThanOrEqual(0)
      await page.waitForTimeout(1200)
      await shot('main')

      await page.getByTestId('action-new').click()
      await page.getByTestId('wizard-step-memory').click()
      await page.getByTestId('new-vm-memory').fill('0')
      await page.getByTestId('wizard-next').click()
      await expectReadable(page.getByTestId('new-vm-dialog').locator('h3'), scheme, 'wizard')
      await shot('wizard')
      await page.getByTestId('wizard-cancel').click()

      await page.getByTestId('action-settings').click()
      await expectReadable(page.getByTestId('settings-dialog').locator('h2'), scheme, 'settings')
      await shot('settings')
      await page.getByTestId('settings-cancel').click()

      await page.getByTestId('action-connect').click()
      const rows = page.locator(`[data-testid="connect-window-${VM}"] .xterm-rows`)
      await expect.poll(() => rows.innerText()).toContain('under_score')
      // A row must be taller than the font's line box, or the next row paints over underscores.
      const rowBox = await rows.locator('div').first().boundingBox()
      const fontSize = await rows.evaluate((el) => parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize))
      expect(rowBox!.height).toBeGreaterThanOrEqual(fontSize * 1.2 - 0.5)
      await shot('connect')
      await page.getByTestId('connect-close').click()

      await page.getByTestId('action-hv-stats').click()
      await page.locator('[data-counter="Virtual processor 0|IO Instructions/sec"]').click()
      await page.getByTestId('stats-chart').locator('canvas').waitFor({ timeout: 5_000 })
      await page.waitForTimeout(2500)
      await expectReadable(page.getByTestId('hv-stats').locator('[data-testid="counter-value"]').first(), scheme, 'statistics')
      await shot('statistics')

      await page.getByTestId('hv-tools').getByRole('button', { name: 'Event Log' }).click()
      await expect.poll(() => page.getByTestId('event-row').count(), { timeout: 15_000 }).toBeGreaterThan(3)
      await expectReadable(page.getByTestId('event-row').first().locator('td').first(), scheme, 'event log')
      await shot('event-log')
      await page.getByTestId('hv-tools').getByRole('button', { name: 'Close' }).click()
      expect(session.pageErrors).toEqual([])
    })
  }
})
