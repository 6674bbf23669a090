/**
 * Issue 4: a kernel that does something illegal stops (or resets) only its own VM, and the
 * runner's exit status and message say why. Each case is a real image run by the built CLI.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { guestPath } from './run-qemu'
import { CLI } from './run-ours'

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, 'run', ...args], { encoding: 'utf8', timeout: 60_000, input: '' })
}

describe('illegal guests stop only their VM, with the reason', () => {
  it('a jump to unmapped guest-physical memory stops the VM: status 1 and the GPA named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hv-illegal-'))
    const image = join(dir, 'jump-unmapped.bin')
    // Flat binary, entered in 32-bit protected mode at 1 MiB: mov eax, 0xF0000000; jmp eax
    writeFileSync(image, Uint8Array.of(0xb8, 0x00, 0x00, 0x00, 0xf0, 0xff, 0xe0))
    const r = run([image, '--clock', 'virtual', '--memory', '32', '--timeout', '30'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/executed unmapped GPA 0xf0000000/)
  })

  it('a triple fault stops the VM with status 2, or resets it when configured', () => {
    ensureGuestsBuilt(['triple'])
    const stop = run([guestPath('triple'), '--clock', 'virtual', '--timeout', '30'])
    expect(stop.status).toBe(2)
    expect(stop.stderr).toMatch(/triple-faulted/)
    const reset = run([guestPath('triple'), '--clock', 'virtual', '--on-triple-fault', 'reset', '--timeout', '3', '--stats'])
    expect(reset.status).toBe(124) // it keeps rebooting until the runner's timeout
    const resets = Number(/resets\s+(\d+)/.exec(reset.stderr)?.[1])
    expect(resets).toBeGreaterThan(1)
  })

  it('a kernel image that is not loadable is refused with a reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hv-illegal-'))
    const image = join(dir, 'truncated.elf')
    writeFileSync(image, Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1)) // an ELF header cut short
    const r = run([image, '--clock', 'virtual', '--timeout', '10'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/ELF image is truncated/)
  })
})
