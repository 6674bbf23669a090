/**
 * Shared e2e set-up: one headless Chromium (playwright-core, /usr/bin/chromium) per test file,
 * terminal text helpers, and screenshots under test/artifacts/.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { appRoot } from './serve-process'

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export async function launch(profileDir: string, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
  const ctx = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 800 },
    colorScheme,
  })
  return ctx
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(appRoot, 'test', 'artifacts')
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: join(dir, `${name}.png`) })
}

export async function terminalText(p: Page, vmName: string): Promise<string> {
  const rows = p.locator(`[data-testid="connect-window-${vmName}"] .xterm-rows`)
  return (await rows.innerText()).replace(/\u00a0/g, ' ')
}

export async function waitForTerminal(p: Page, vmName: string, needle: string, timeout: number, why: string, serverOutput = (): string => ''): Promise<void> {
  const deadline = Date.now() + timeout
  let text = ''
  while (Date.now() < deadline) {
    text = await terminalText(p, vmName)
    if (text.includes(needle)) return
    await p.waitForTimeout(200)
  }
  throw new Error(`${why}: "${needle}" did not appear in the console within ${timeout} ms.\nConsole:\n${text}\nServer output:\n${serverOutput()}`)
}

export const stateOf = (p: Page, vmName: string): Promise<string> => p.getByTestId(`vm-row-${vmName}`).getByTestId('vm-state').innerText()

/** Dismisses every toast (so a later check sees only new ones). */
export async function clearToasts(p: Page): Promise<void> {
  // In the page, in one go: a toast may expire between listing and clicking it.
  await p.locator('.toast button[aria-label="Dismiss"]').evaluateAll((buttons) => buttons.forEach((b) => (b as { click(): void }).click()))
}
