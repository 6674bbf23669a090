/**
 * End to end, in real headless Chromium against the BUILT app: `hv-manager serve` serves the
 * real UI and contract. First start shows the default hello VM; the New Virtual Machine
 * wizard refuses invalid input page by page, then creates a VM that boots an uploaded ELF
 * image; Connect shows the banner, echoes typed text, copies a selection and switches COM
 * ports; a second window gets the console history; bad WebSocket requests get typed errors
 * and a wrong token is refused, while the host keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { appRoot, assertBuilt, startServe, type ServeProcess } from './serve-process'
import { clearToasts, launch, screenshot, stateOf, terminalText, waitForTerminal, watchedPage } from './browser'

const BANNER = 'HV Manager hello guest'
const BOOT_TIMEOUT_MS = 90_000

let tmp: string
let serve: ServeProcess
let ctx: BrowserContext
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  assertBuilt()
  tmp = mkdtempSync(join(tmpdir(), 'hv-e2e-'))
  serve = await startServe(join(tmp, 'data'))
  ctx = await launch(join(tmp, 'chromium'))
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(serve.url).origin })
  page = await watchedPage(ctx, pageErrors)
})

afterAll(async () => {
  await ctx?.close()
  const code = await serve?.stop()
  // SIGTERM is a clean shutdown: exit code 0.
  expect(code).toBe(0)
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('HV Manager in Chromium', () => {
  it('shows the default hello VM on first start, ready to start', async () => {
    await page.goto(serve.url)
    await expect.poll(() => page.getByTestId('connection-state').innerText()).toBe('Connected to this computer')
    await expect.poll(() => stateOf(page, 'Hello VM')).toBe('Off')
    await expect.poll(() => page.getByTestId('vm-notes').innerText()).toContain('Created on first start')
    expect(await page.getByTestId('action-start').getAttribute('aria-disabled')).toBe('false')
    await screenshot(page, 'e2e-first-start')
  })

  it('walks the wizard, refusing invalid input on each page, and boots an uploaded ELF image', { timeout: 240_000 }, async () => {
    await page.getByTestId('action-new').click()
    await expect.poll(() => page.getByTestId('wizard-page-begin').count()).toBe(1)
    await page.getByTestId('wizard-next').click()

    // Name: empty and duplicate names are refused with a message; Next stays on the page.
    await page.getByTestId('new-vm-name').fill('')
    await page.getByTestId('wizard-next').click()
    await expect.poll(() => page.getByTestId('wizard-page-name').innerText()).toContain('Enter a name for the virtual machine.')
    await page.getByTestId('new-vm-name').fill('hello vm')
    await page.getByTestId('wizard-next').click()
    await expect.poll(() => page.getByTestId('wizard-page-name').innerText()).toContain('already exists')
    await page.getByTestId('new-vm-name').fill('e2e-hello')
    await page.getByTestId('new-vm-notes').fill('made by the wizard')
    await page.getByTestId('wizard-next').click()

    // Memory and processors out of range.
    await page.getByTestId('new-vm-memory').fill('99999999')
    await page.getByTestId('wizard-next').click()
    await expect.poll(() => page.getByTestId('wizard-page-memory').innerText()).toContain('Memory must be a whole number of MB from 1 to 65536.')
    await screenshot(page, 'e2e-wizard-invalid-memory')
    await page.getByTestId('new-vm-memory').fill('32')
    await page.getByTestId('wizard-next').click()
    await page.getByTestId('new-vm-cpus').fill('0')
    await page.getByTestId('wizard-next').click()
    await expect.poll(() => page.getByTestId('wizard-page-processors').innerText()).toContain('from 1 to 64')
    await page.getByTestId('new-vm-cpus').fill('1')
    await page.getByTestId('wizard-next').click()

    // Boot: an image with no file is refused; then upload the hello guest as an ELF image.
    await page.getByTestId('boot-image').check()
    await page.getByTestId('wizard-next').click()
    await expect.poll(() => page.getByTestId('wizard-page-boot').innerText()).toContain('Choose the multiboot or ELF image.')
    await page.getByTestId('boot-image-path-upload').setInputFiles(join(appRoot, 'resources', 'guests', 'build', 'hello.elf'))
    await expect.poll(() => page.getByTestId('boot-image-path').inputValue(), { timeout: 15_000 }).toMatch(/uploads.*hello\.elf$/)
    await page.getByTestId('wizard-next').click()
    await page.getByTestId('new-vm-com').selectOption('2')
    await page.getByTestId('wizard-next').click()
    const summary = await page.getByTestId('wizard-summary').innerText()
    expect(summary).toContain('e2e-hello')
    expect(summary).toContain('32 MB')
    expect(summary).toContain("hello.elf (uploaded; stored in the VM's folder)")
    await screenshot(page, 'e2e-wizard-summary')
    await page.getByTestId('new-vm-finish').click()
    await expect.poll(() => stateOf(page, 'e2e-hello')).toBe('Off')
    // The upload was moved into the VM's own folder.
    await page.getByTestId('vm-row-e2e-hello').click()
    await expect.poll(() => page.locator('.details').innerText()).toMatch(/files.*hello\.elf/)

    // Connect before starting; typing into an Off VM is refused by the host: a clear error toast.
    await page.getByTestId('action-connect').click()
    const term = page.locator('[data-testid="connect-window-e2e-hello"] [data-testid="terminal"]')
    await term.click()
    await page.keyboard.type('x')
    const toast = page.getByTestId('error-toast').first()
    await expect.poll(() => toast.innerText(), { timeout: 10_000 }).toMatch(/Typing into the console failed[\s\S]*is Off[\s\S]*INVALID_STATE/)
    await clearToasts(page)

    // Start from the Connect toolbar: the title shows Running, the banner appears.
    await page.getByTestId('connect-start').click()
    await expect.poll(() => stateOf(page, 'e2e-hello'), { timeout: 30_000 }).toBe('Running')
    await expect.poll(() => page.getByTestId('connect-title').innerText()).toContain('Running')
    expect(await page.getByTestId('connect-start').getAttribute('aria-disabled')).toBe('true')
    await waitForTerminal(page, 'e2e-hello', BANNER, BOOT_TIMEOUT_MS, 'The uploaded hello image did not boot', serve.output)
    await waitForTerminal(page, 'e2e-hello', 'ready', BOOT_TIMEOUT_MS, 'The hello guest did not reach its echo loop', serve.output)

    // Type a line: the guest echoes it (the UI has no local echo).
    await term.click()
    await page.keyboard.type('echo from chromium 42')
    await page.keyboard.press('Enter')
    await waitForTerminal(page, 'e2e-hello', 'echo from chromium 42', 30_000, 'The guest did not echo the typed line')

    // Copy: select everything in the terminal and copy it to the clipboard.
    await page.locator('[data-testid="connect-window-e2e-hello"] .xterm-screen').dblclick({ position: { x: 20, y: 8 } })
    await page.getByTestId('connect-copy').click()
    const copied = await page.evaluate<string>('navigator.clipboard.readText()')
    expect(copied.length).toBeGreaterThan(0)
    expect(BANNER).toContain(copied.trim())

    // Type clipboard text: the guest echoes what the clipboard held.
    await page.evaluate("navigator.clipboard.writeText('from the clipboard 7')")
    await page.getByTestId('connect-type-clipboard').click()
    await waitForTerminal(page, 'e2e-hello', 'from the clipboard 7', 30_000, 'Typing the clipboard text did not reach the guest')
    await screenshot(page, 'e2e-hello-connect')

    // COM2 is a separate stream: the hello guest writes nothing there.
    await page.getByTestId('connect-port').selectOption('1')
    await expect.poll(() => terminalText(page, 'e2e-hello')).not.toContain(BANNER)
    await page.getByTestId('connect-port').selectOption('0')
    await waitForTerminal(page, 'e2e-hello', BANNER, 5_000, 'Switching back to COM1 did not show its history')

    // The details pane's thumbnail shows the console's last lines.
    await expect.poll(() => page.getByTestId('console-thumbnail').innerText()).toContain('from the clipboard 7')

    // A second manager window opened now gets the earlier output from the host's console history.
    const p2 = await ctx.newPage()
    await p2.goto(serve.url)
    await p2.getByTestId('vm-row-e2e-hello').click()
    await p2.getByTestId('action-connect').click()
    await waitForTerminal(p2, 'e2e-hello', 'echo from chromium 42', 10_000, 'A new window did not get the console history')
    expect(await terminalText(p2, 'e2e-hello')).toContain(BANNER)
    await p2.close()

    // Turn off (confirmed), then delete through the confirmation dialog.
    await page.getByTestId('connect-close').click()
    await page.getByTestId('action-turnoff').click()
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => stateOf(page, 'e2e-hello'), { timeout: 20_000 }).toBe('Off')
    await page.getByTestId('action-delete').click()
    await expect.poll(() => page.getByTestId('confirm-dialog').innerText()).toContain('e2e-hello')
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => page.getByTestId('vm-row-e2e-hello').count()).toBe(0)
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
