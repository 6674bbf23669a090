/**
 * `hv-manager run` and SIGTERM (core/host/run-command.ts): the first SIGTERM is Shut Down —
 * it presses the ACPI power button and keeps running until the guest powers off; a second
 * one turns the VM off with status 143. The hello guest never looks at the power button,
 * so it shows the two-step path; test/guests/linux.test.ts shows a guest powering off.
 */
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from '../../guests/ensure-built'
import { guestPath } from '../../guests/run-qemu'
import { CLI } from '../../guests/run-ours'

describe('hv-manager run: SIGTERM is Shut Down', () => {
  it('presses the power button first and turns the VM off on a second SIGTERM', async () => {
    ensureGuestsBuilt(['hello'])
    const child = spawn(process.execPath, [CLI, 'run', guestPath('hello'), '--clock', 'virtual', '--timeout', '30'], { stdio: 'pipe' })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')))
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    const until = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 50))
    }
    await until(() => out.includes('ready\r\n'))
    expect(out).toContain('ready\r\n')
    child.kill('SIGTERM')
    await until(() => err.includes('Shut Down requested'))
    expect(err).toContain('hv-manager run: Shut Down requested (ACPI power button)')
    // The guest ignores the button: still running, still echoing.
    const before = out.length
    child.stdin.write('zq')
    await until(() => out.includes('zq', before))
    expect(out.slice(before)).toBe('zq')
    child.kill('SIGTERM')
    expect(await exited).toBe(143)
    expect(err).toContain('turned off (second SIGTERM)')
  }, 30_000)
})
