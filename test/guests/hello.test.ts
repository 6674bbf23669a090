/**
 * The hello guest under QEMU TCG: banner, hypervisor report (QEMU's TCG vendor leaf, not
 * Hyper-V's), "ready", then an echo of typed bytes with CR turned into CR LF.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { qemuUnavailableReason, runQemu } from './run-qemu'

const reason = qemuUnavailableReason()
if (reason) console.log(`skipping QEMU guest tests: ${reason}`)

describe.skipIf(reason !== null)('hello guest under QEMU', () => {
  beforeAll(() => {
    ensureGuestsBuilt(['hello'])
  })

  it('prints the banner, the hypervisor leaves and echoes input', async () => {
    const r = await runQemu('hello', { sendAfter: 'ready\r\n', input: 'ab\rc!', until: 'ab\r\nc!', timeoutMs: 20_000 })
    expect(r.timedOut).toBe(false)
    const lines = r.stdout.split('\r\n')
    expect(lines[0]).toBe('HV Manager hello guest')
    // qemu64 under TCG sets CPUID.1:ECX[31] and answers leaf 0x40000000 with "TCGTCGTCGTCG".
    expect(lines[1]).toMatch(/^hypervisor vendor: "TCGTCGTCGTCG" max leaf 0x4000000[0-9a-f]$/)
    expect(r.stdout).toMatch(/\r\nready\r\nab\r\nc!$/)
  })
})
