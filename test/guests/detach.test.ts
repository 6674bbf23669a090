/**
 * Issue 4: `hv-manager run` with COM1 on a terminal puts it in raw mode and detaches on
 * Ctrl-] (turning the VM off, status 0). A pseudo-terminal comes from util-linux `script`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { guestPath } from './run-qemu'
import { CLI } from './run-ours'

const noScript = spawnSync('script', ['--version']).error ? 'util-linux script is not installed' : null
if (noScript) console.log(`detach test skipped: ${noScript}`)

describe.skipIf(noScript !== null)('headless runner on a terminal', () => {
  it('echoes typed keys through the guest and detaches on Ctrl-]', async () => {
    ensureGuestsBuilt(['hello'])
    const cmd = `${process.execPath} ${CLI} run ${guestPath('hello')} --clock virtual`
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let typed = false
    let detached = false
    child.stdin.on('error', () => {}) // the runner may be gone before the last write lands
    const done = new Promise<number | null>((resolve) => child.on('close', resolve))
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1')
      if (!typed && out.includes('ready')) {
        typed = true
        child.stdin.write('typed\r')
      }
      if (!detached && /typed\r+\n/.test(out)) {
        detached = true
        child.stdin.write('\x1d') // Ctrl-]; the terminal maps the guest's LF to CR LF, hence \r+
      }
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const code = await done
    clearTimeout(timer)
    expect(out).toMatch(/typed\r+\n/)
    expect(out).toContain('detached (Ctrl-])')
    expect(code).toBe(0)
  }, 40_000)
})
