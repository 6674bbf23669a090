/**
 * The cpu-modes system-test guest under QEMU TCG: every check prints PASS (or SKIP with a
 * reason), none prints FAIL, the summary agrees with the lines, and the guest exits with
 * isa-debug-exit status (0 << 1) | 1.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { qemuUnavailableReason, runQemu } from './run-qemu'

/** Checks the guest must run (and pass) on any x86-64 with NX, which QEMU's qemu64 has. */
const REQUIRED = [
  'de-divide-by-zero', 'ud-ud2', 'bp-int3', 'int-n-64bit', 'gp-noncanonical', 'gp-selector-past-limit',
  'gp-selector-system-segment', 'int-n-compat-mode', 'gp-cli-ring3', 'gp-int-n-dpl0-gate-ring3',
  'int-n-dpl3-gate-ring3', 'pf-read-not-present', 'pf-write-not-present', 'pf-write-read-only-wp',
  'pf-fetch-nx', 'pf-user-read-supervisor', 'pf-user-write-read-only', 'sysret-to-ring3',
  'syscall-entry-state', 'syscall-sysret-round-trip', 'mode-protected32-no-long-mode', 'int-n-protected32',
  'mode-real', 'int-n-real-mode', 'real-mode-segmentation', 'mode-back-to-long', 'int-n-64bit-after-trip',
]

const reason = qemuUnavailableReason()
if (reason) console.log(`skipping QEMU guest tests: ${reason}`)

describe.skipIf(reason !== null)('cpu-modes guest under QEMU', () => {
  beforeAll(() => {
    ensureGuestsBuilt(['cpu-modes'])
  })

  it('passes every check and exits with status 1', async () => {
    const r = await runQemu('cpu-modes', { timeoutMs: 30_000 })
    const lines = r.stdout.split('\r\n').filter((l) => l !== '')
    expect(lines[0]).toBe('HV Manager cpu-modes guest')
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([])
    const passed = lines.filter((l) => l.startsWith('PASS ')).map((l) => l.slice(5))
    for (const name of REQUIRED) expect(passed).toContain(name)
    expect(lines.at(-1)).toBe(`cpu-modes: ${passed.length} passed, 0 failed`)
    expect(r.exitCode).toBe(1)
  })
})
