/**
 * Test helper: runs scripts/build-guests.mjs (which skips up-to-date guests and is safe to
 * run from parallel test files) and throws with the compiler's output when it fails.
 */
import { spawnSync } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BUILD_SCRIPT = join(repoRoot, 'scripts', 'build-guests.mjs')

export function ensureGuestsBuilt(names: string[] = [], extra: string[] = []): string {
  const r = spawnSync(process.execPath, [BUILD_SCRIPT, ...extra, ...names], { cwd: repoRoot, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`build-guests failed (${r.status}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}
