/**
 * Issue 4's proof: every bundled guest that does not need Hyper-V features prints the same
 * serial output under qemu-system-x86_64 -accel tcg and under `hv-manager run`, and exits
 * the same way. Lines a guest case marks `mayDiffer` (hypervisor CPUID answers, CPU-model
 * SKIPs) are compared separately or dropped. Skips, with the reason, only when QEMU is absent.
 */
import { describe, expect, it } from 'vitest'
import { comparableLines, GUEST_CASES } from './guest-catalog'
import { ensureGuestsBuilt } from './ensure-built'
import { qemuUnavailableReason, runQemu } from './run-qemu'
import { runOurs } from './run-ours'

const noQemu = qemuUnavailableReason()
if (noQemu) console.log(`emulator-vs-qemu: skipped: ${noQemu}`)

describe.skipIf(noQemu !== null)('same guest, same serial output: QEMU TCG vs hv-manager run', () => {
  for (const guest of GUEST_CASES) {
    it(`${guest.name}`, async () => {
      ensureGuestsBuilt([guest.name])
      const [qemu, ours] = await Promise.all([runQemu(guest.name, guest.run), runOurs(guest.name, guest.run)])
      expect(ours.timedOut, `ours timed out; output so far:\n${ours.stdout}\nstderr:\n${ours.stderr}`).toBe(false)
      expect(comparableLines(guest, ours.stdout)).toEqual(comparableLines(guest, qemu.stdout))
      if (guest.tripleFault) expect(ours.exitCode).toBe(2)
      else expect(ours.exitCode).toBe(qemu.exitCode)
    }, 120_000)
  }
})
