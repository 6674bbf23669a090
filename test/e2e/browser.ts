/**
 * Shared e2e set-up: one headless Chromium (playwright-core, /usr/bin/chromium) per test file,
 * terminal text helpers, and screenshots under test/artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { appRoot, assertBuilt, startServe, type ServeProcess } from './serve-process'

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

/** The context's first page, its uncaught page errors collected into `errors`. */
export async function watchedPage(ctx: BrowserContext, errors: string[]): Promise<Page> {
  const page = ctx.pages()[0] ?? (await ctx.newPage())
  page.on('pageerror', (e) => errors.push(e.message))
  return page
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

/** One e2e file's world: a built `serve` on a temp data dir, a Chromium, its first page. */
export interface E2eSession {
  serve: ServeProcess
  ctx: BrowserContext
  page: Page
  /** Uncaught errors of the session's pages. */
  pageErrors: string[]
  /** Closes the browser, stops `serve` (returning its exit code) and removes the temp dir. */
  close(): Promise<number | null>
}

/** Starts a session (`serveArgs` e.g. ['--no-default-vm']); `prepare` runs before the page loads. */
export async function openSession(name: string, serveArgs: string[] = [], prepare?: (page: Page) => Promise<void>): Promise<E2eSession> {
  assertBuilt()
  const tmp = mkdtempSync(join(tmpdir(), `hv-e2e-${name}-`))
  const serve = await startServe(join(tmp, 'data'), 20_000, serveArgs)
  const ctx = await launch(join(tmp, 'chromium'))
  const pageErrors: string[] = []
  const page = await watchedPage(ctx, pageErrors)
  await prepare?.(page)
  await page.goto(serve.url)
  return {
    serve, ctx, page, pageErrors,
    async close() {
      await ctx.close()
      const code = await serve.stop()
      rmSync(tmp, { recursive: true, force: true })
      return code
    },
  }
}

/** Types a line into a Connect panel's terminal (clicked at its top left, which other windows leave free). */
export async function typeInConsole(p: Page, vmName: string, text: string): Promise<void> {
  await p.locator(`[data-testid="connect-window-${vmName}"] [data-testid="terminal"]`).click({ position: { x: 20, y: 20 } })
  await p.keyboard.type(text)
  await p.keyboard.press('Enter')
}
