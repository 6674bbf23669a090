/** Set-up for e2e files that need a local and a remote `serve` and a browser on the local one. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { assertBuilt, startServe, type ServeProcess } from './serve-process'
import { launch, watchedPage } from './browser'

export interface TwoHosts {
  tmp: string
  local: ServeProcess
  remote: ServeProcess
  ctx: BrowserContext
  page: Page
  pageErrors: string[]
}

/** The local host gets its default VM; the remote one starts empty. */
export async function openTwoHosts(prefix: string): Promise<TwoHosts> {
  assertBuilt()
  const tmp = mkdtempSync(join(tmpdir(), prefix))
  const [local, remote] = await Promise.all([startServe(join(tmp, 'local')), startServe(join(tmp, 'remote'), 20_000, ['--no-default-vm'])])
  const ctx = await launch(join(tmp, 'chromium'))
  const pageErrors: string[] = []
  const page = await watchedPage(ctx, pageErrors)
  await page.goto(local.url)
  await page.getByTestId('vm-row-Hello VM').waitFor()
  return { tmp, local, remote, ctx, page, pageErrors }
}

/** Closes the browser and both hosts; returns the hosts' exit codes. */
export async function closeTwoHosts(h: TwoHosts | undefined): Promise<Array<number | null>> {
  if (!h) return []
  await h.ctx.close()
  const codes = await Promise.all([h.local.stop(), h.remote.stop()])
  rmSync(h.tmp, { recursive: true, force: true })
  return codes
}
