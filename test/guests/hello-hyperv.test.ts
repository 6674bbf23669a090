/**
 * The walking skeleton's guest under our own machine: the hello guest sees the hypervisor
 * through CPUID (CPUID.1:ECX[31], leaves 0x40000000–0x40000001: "Microsoft Hv", "Hv#1"),
 * prints them, and echoes what it receives on COM1.
 */
import { describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { runOurs } from './run-ours'

describe('hello guest under hv-manager run', () => {
  it('prints the banner and the Microsoft hypervisor leaves, then echoes input', async () => {
    ensureGuestsBuilt(['hello'])
    const r = await runOurs('hello', { sendAfter: 'ready\r\n', input: 'hi there\r', until: 'hi there\r\n', timeoutMs: 30_000 })
    expect(r.timedOut, r.stderr).toBe(false)
    const lines = r.stdout.split('\r\n')
    expect(lines[0]).toBe('HV Manager hello guest')
    expect(lines).toContain('hypervisor vendor: "Microsoft Hv" max leaf 0x40000006')
    expect(lines).toContain('hypervisor interface: 0x31237648 "Hv#1"')
    expect(r.stdout).toContain('ready\r\nhi there\r\n')
  }, 60_000)
})
