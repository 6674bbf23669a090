/**
 * The triple guest under QEMU TCG: it announces itself, then triple-faults; with
 * -no-reboot QEMU exits with status 0 and the guest's "still running" line never appears.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { qemuUnavailableReason, runQemu } from './run-qemu'

const reason = qemuUnavailableReason()
if (reason) console.log(`skipping QEMU guest tests: ${reason}`)

describe.skipIf(reason !== null)('triple guest under QEMU', () => {
  beforeAll(() => {
    ensureGuestsBuilt(['triple'])
  })

  it('shuts the machine down with a triple fault', async () => {
    const r = await runQemu('triple', { timeoutMs: 20_000 })
    expect(r.timedOut).toBe(false)
    expect(r.stdout).toBe('HV Manager triple guest\r\nloading an empty IDT and executing ud2\r\n')
    expect(r.exitCode).toBe(0)
  })
})
