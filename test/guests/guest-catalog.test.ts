/**
 * The guest catalog agrees with QEMU: every case runs with the exit status it declares,
 * and after dropping the lines allowed to differ, the output still holds the guest's
 * banner (so a catalog entry cannot hide a whole run).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { comparableLines, GUEST_CASES } from './guest-catalog'
import { qemuUnavailableReason, runQemu } from './run-qemu'

const reason = qemuUnavailableReason()
if (reason) console.log(`skipping QEMU guest tests: ${reason}`)

describe.skipIf(reason !== null)('guest catalog under QEMU', () => {
  beforeAll(() => {
    ensureGuestsBuilt(GUEST_CASES.map((g) => g.name))
  })

  for (const guest of GUEST_CASES) {
    it(`${guest.name} runs as catalogued`, async () => {
      const r = await runQemu(guest.name, guest.run)
      expect(r.timedOut).toBe(false)
      expect(r.exitCode).toBe(guest.qemuExitCode)
      const lines = comparableLines(guest, r.stdout)
      expect(lines[0]).toMatch(/^HV Manager /)
      expect(lines.some((l) => l.startsWith('FAIL'))).toBe(false)
    })
  }
})
