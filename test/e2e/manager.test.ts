/**
 * End to end, in real headless Chromium against the BUILT app: `hv-manager serve` serves the
 * real UI and contract; the test creates a VM from the bundled hello guest, provokes a
 * contract error (typing into a VM that is Off), starts the VM, opens Connect, sees the
 * guest's banner in xterm, types a line, sees the guest echo it, and saves a screenshot.
 * It also checks that bad requests over the WebSocket get typed errors and a wrong token
 * is refused, while the host keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { appRoot, assertBuilt, startServe, type ServeProcess } from './serve-process'

const BANNER = 'HV Manager hello guest'
const BOOT_TIMEOUT_MS = 90_000
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

let tmp: string
let serve: ServeProcess
let ctx: BrowserContext
let page: Page
const pageErrors: string[] = []

async function terminalText(p: Page, vmName: string): Promise<string> {
  const rows = p.locator(`[data-testid="connect-window-${vmName}"] .xterm-rows`)
  return (await rows.innerText()).replace(/\u00a0/g, ' ')
}

async function waitForTerminal(p: Page, vmName: string, needle: string, timeout: number, why: string): Promise<void> {
  const deadline = Date.now() + timeout
  let text = ''
  while (Date.now() < deadline) {
    text = await terminalText(p, vmName)
    if (text.includes(needle)) return
    await p.waitForTimeout(200)
  }
  throw new Error(`${why}: "${needle}" did not appear in the console within ${timeout} ms.\nConsole:\n${text}\nServer output:\n${serve.output()}`)
}

beforeAll(async () => {
  assertBuilt()
  tmp = mkdtempSync(join(tmpdir(), 'hv-e2e-'))
  serve = await startServe(join(tmp, 'data'))
  ctx = await chromium.launchPersistentContext(join(tmp, 'chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 800 },
  })
  page = ctx.pages()[0] ?? (await ctx.newPage())
  page.on('pageerror', (e) => pageErrors.push(e.message))
})

afterAll(async () => {
  await ctx?.close()
  const code = await serve?.stop()
  // SIGTERM is a clean shutdown: exit code 0.
  expect(code).toBe(0)
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('HV Manager in Chromium', () => {
  it('creates, starts and connects to the hello guest, and echoes typed text', { timeout: 240_000 }, async () => {
    await page.goto(serve.url)
    await expect.poll(() => page.getByTestId('connection-state').innerText()).toBe('Connected to this computer')

    // New VM dialog.
    await page.getByTestId('action-new').click()
    await page.getByTestId('new-vm-name').fill('e2e-hello')
    await page.getByTestId('new-vm-memory').fill('64')
    await page.getByTestId('new-vm-guest').selectOption('hello')
    await page.getByTestId('new-vm-finish').click()
    const row = page.getByTestId('vm-row-e2e-hello')
    await expect.poll(() => row.getByTestId('vm-state').innerText()).toBe('Off')

    // Connect before starting; typing into an Off VM is refused by the host: a clear error toast.
    await page.getByTestId('action-connect').click()
    const term = page.locator('[data-testid="connect-window-e2e-hello"] [data-testid="terminal"]')
    await term.click()
    await page.keyboard.type('x')
    const toast = page.getByTestId('error-toast').first()
    await expect.poll(() => toast.innerText(), { timeout: 10_000 }).toMatch(/Typing into the console failed[\s\S]*is Off[\s\S]*INVALID_STATE/)
    await toast.getByRole('button', { name: 'Dismiss' }).click()

    // Start: the row goes Running, the Start action is disabled, the banner appears.
    await page.getByTestId('action-start').click()
    await expect.poll(() => row.getByTestId('vm-state').innerText(), { timeout: 30_000 }).toBe('Running')
    expect(await page.getByTestId('action-start').isDisabled()).toBe(true)
    await waitForTerminal(page, 'e2e-hello', BANNER, BOOT_TIMEOUT_MS, 'The hello guest did not boot (is core/vmm/machine.ts booting resources/guests/build/hello.elf?)')
    await waitForTerminal(page, 'e2e-hello', 'ready', BOOT_TIMEOUT_MS, 'The hello guest did not reach its echo loop')

    // Type a line: the guest echoes it (the UI has no local echo).
    await term.click()
    await page.keyboard.type('echo from chromium 42')
    await page.keyboard.press('Enter')
    await waitForTerminal(page, 'e2e-hello', 'echo from chromium 42', 30_000, 'The guest did not echo the typed line')

    mkdirSync(join(appRoot, 'test', 'artifacts'), { recursive: true })
    await page.screenshot({ path: join(appRoot, 'test', 'artifacts', 'e2e-hello-connect.png') })

    // A second manager window opened now gets the earlier output from the host's console history.
    const p2 = await ctx.newPage()
    await p2.goto(serve.url)
    await p2.getByTestId('vm-row-e2e-hello').click()
    await p2.getByTestId('action-connect').click()
    await waitForTerminal(p2, 'e2e-hello', 'echo from chromium 42', 10_000, 'A new window did not get the console history')
    expect(await terminalText(p2, 'e2e-hello')).toContain(BANNER)
    await p2.close()

    // Turn off, then delete through the confirmation dialog.
    await page.getByTestId('connect-close').click()
    await page.getByTestId('action-turnoff').click()
    await expect.poll(() => row.getByTestId('vm-state').innerText(), { timeout: 20_000 }).toBe('Off')
    await page.getByTestId('action-delete').click()
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => row.count()).toBe(0)
    expect(pageErrors).toEqual([])
  })

  it('answers bad requests with typed errors and refuses a wrong token, without crashing the host', async () => {
    const pageUrl = new URL(serve.url)
    const target = { base: `ws://${pageUrl.host}/ws`, token: pageUrl.searchParams.get('token') ?? '' }
    const results = await page.evaluate(async ({ base, token }) => {
      const closeCode = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${base}?token=wrong-token`)
        ws.onclose = (e) => resolve(e.code)
      })
      const ws = new WebSocket(`${base}?token=${encodeURIComponent(token)}`)
      await new Promise((r) => (ws.onopen = r))
      const replies: unknown[] = []
      const want = 5
      const done = new Promise<void>((resolve) => {
        ws.onmessage = (e) => {
          const m = JSON.parse(e.data as string)
          if (m.kind === 'response') replies.push(m)
          if (replies.length === want) resolve()
        }
      })
      ws.send('{not json')
      ws.send(JSON.stringify({ kind: 'request', id: 1, channel: 'vm:start', args: { id: 'no-such-vm' } }))
      ws.send(JSON.stringify({ kind: 'request', id: 2, channel: 'vm:create', args: { config: { name: 'x', memoryMiB: 'lots' } } }))
      ws.send(JSON.stringify({ kind: 'request', id: 3, channel: 'vm:format-disk', args: {} }))
      ws.send(JSON.stringify({ kind: 'request', id: 4, channel: 'vm:list', args: {} }))
      await done
      ws.close()
      return { closeCode, replies }
    }, target)
    expect(results.closeCode).toBe(4401)
    const byId = new Map((results.replies as { id: number | null; result: { ok: boolean; error?: { code: string } } }[]).map((r) => [r.id, r.result]))
    expect(byId.get(null)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(byId.get(1)).toMatchObject({ ok: false, error: { code: 'VM_NOT_FOUND' } })
    expect(byId.get(2)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(byId.get(3)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } })
    expect(byId.get(4)).toMatchObject({ ok: true })
    expect(serve.child.exitCode).toBeNull()
  })

  it('shows "not authorized" when the page URL has a wrong token', async () => {
    const p = await ctx.newPage()
    await p.goto(serve.url.replace(/token=[^&]+/, 'token=wrong'))
    await expect.poll(() => p.getByTestId('connection-state').innerText()).toMatch(/Not authorized/)
    await p.close()
  })
})
