/**
 * hvshell under QEMU TCG: the line editor (Backspace, Ctrl-U, escape sequences, CR LF),
 * the help, cpuid, hv and cmdline commands, unknown commands, and poweroff through port
 * 0xF4 (QEMU exit status 1). reboot is checked too: with -no-reboot QEMU exits with 0.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { qemuUnavailableReason, runQemu } from './run-qemu'
import { runOurs } from './run-ours'

const reason = qemuUnavailableReason()
if (reason) console.log(`skipping QEMU guest tests: ${reason}`)

describe.skipIf(reason !== null)('hvshell guest under QEMU', () => {
  beforeAll(() => {
    ensureGuestsBuilt(['hvshell'])
  })

  it('edits lines, runs commands and powers off', async () => {
    const input = 'help\rcpuid 0x40000000 0\r\ncpuid zz\rhvx\x7f\rfoo\x15bar\r\x1b[Acmdline\rpoweroff\r'
    const r = await runQemu('hvshell', { append: 'mode=test', sendAfter: 'hv> ', input, timeoutMs: 20_000 })
    expect(r.exitCode).toBe(1)
    const out = r.stdout
    expect(out.startsWith('HV Manager hvshell (type help)\r\nhv> help\r\ncommands:\r\n')).toBe(true)
    // TCG's vendor leaf: EBX..EDX spell "TCGTCGTCGTCG".
    expect(out).toContain('hv> cpuid 0x40000000 0\r\ncpuid 0x40000000.0: eax=0x40000001 ebx=0x54474354 ecx=0x43544743 edx=0x47435447\r\n')
    expect(out).toContain('hv> cpuid zz\r\nusage: cpuid [leaf [subleaf]]\r\n')
    expect(out).toContain('hv> hvx\b \b\r\nhypervisor present: yes\r\nvendor: "TCGTCGTCGTCG" max leaf 0x40000001\r\n')
    expect(out).toContain('interface: 0x00000000 "...."\r\nnot a Hyper-V (Hv#1) interface: no privileges to show\r\n')
    expect(out).toContain('hv> foo\b \b\b \b\b \bbar\r\nunknown command \'bar\' (try help)\r\n')
    expect(out).toMatch(/hv> cmdline\r\n\S*hvshell\.elf mode=test\r\n/)
    expect(out.endsWith('hv> poweroff\r\npowering off\r\n')).toBe(true)
    // CR LF counts as one Enter: no empty prompt line after the cpuid command.
    expect(out).not.toContain('hv> \r\n')
  })

  it('reboots through the i8042 (QEMU with -no-reboot exits with 0)', async () => {
    const r = await runQemu('hvshell', { sendAfter: 'hv> ', input: 'reboot\r', timeoutMs: 20_000 })
    expect(r.stdout.endsWith('hv> reboot\r\nrebooting\r\n')).toBe(true)
    expect(r.exitCode).toBe(0)
  })
})

describe('hvshell hypervisor commands under hv-manager run (COM1 = stdin)', () => {
  it('probes hypercalls, runs a synthetic timer, posts messages/events/debug data, reads stats and uptime', async () => {
    ensureGuestsBuilt(['hvshell'])
    const input = 'hypercall 0x46\rhypercall 2 fast\rhypercall 0x99\rhypercall\rtimer 5\rmsg 7 hi\revent 7\rdbg hello\rstats\ruptime\ruptime\rpoweroff acpi\r'
    const r = await runOurs('hvshell', { sendAfter: 'hv> ', input, timeoutMs: 30_000, extraRunArgs: ['--debug-port', 'stdio'] })
    expect(r.timedOut, r.stderr).toBe(false)
    const out = r.stdout
    // The child lacks AccessPartitionId (5.2.3); Fast on a call without [fast]; an undefined code (appendix B).
    expect(out).toContain('hypercall 0x0046: HV_STATUS_ACCESS_DENIED (0x0006) reps 0\r\n')
    expect(out).toContain('hypercall 0x0002 fast: HV_STATUS_INVALID_HYPERCALL_INPUT (0x0003) reps 0\r\n')
    expect(out).toContain('hypercall 0x0099: HV_STATUS_INVALID_HYPERCALL_CODE (0x0002) reps 0\r\n')
    expect(out).toContain('hv> hypercall\r\nusage: hypercall <code> [fast]\r\n')
    const t = /timer 0 message 0x80000010 on SINT2 vector 0x50: expected expiration (\d+), message says (\d+), delivered (\d+) \(late by (\d+) x 100 ns\)/.exec(out)
    expect(t, out).not.toBeNull()
    const [expected, says, delivered, late] = t!.slice(1).map(Number)
    expect(says).toBe(expected)
    expect(delivered).toBeGreaterThanOrEqual(expected)
    expect(late).toBe(delivered - expected)
    expect(out).toMatch(/HvPostMessage: HV_STATUS_ACCESS_DENIED\r\n  this partition lacks the privilege/)
    expect(out).toMatch(/HvSignalEvent: HV_STATUS_ACCESS_DENIED\r\n  this partition lacks the privilege/)
    // Machines open a debug session by default (ch. 20: CPUID 0x40000003 EDX bit 1, the
    // Debugging privilege, a channel id): the post succeeds and the bytes reach the host end.
    expect(out).toContain('HvPostDebugData 5 bytes: HV_STATUS_SUCCESS\r\n')
    expect(r.stderr).toContain('hello')
    const hc = /VPV Hypercalls\/sec +(\d+)/.exec(out)
    expect(hc).not.toBeNull()
    expect(Number(hc![1])).toBeGreaterThanOrEqual(6) // the calls made above
    expect(Number(/VPV CPUID Instructions\/sec +(\d+)/.exec(out)![1])).toBeGreaterThan(0)
    const ups = [...out.matchAll(/uptime (\d+)\.(\d{7}) s \(reference counter (\d+)\)/g)].map((m) => Number(m[3]))
    expect(ups.length).toBe(2)
    expect(ups[1]).toBeGreaterThan(ups[0])
    expect(out.endsWith('hv> poweroff acpi\r\npowering off\r\n')).toBe(true)
    expect(r.exitCode).toBe(0) // ACPI S5: the runner reports a guest power-off as 0
  }, 60_000)

  it('reboot resets through the i8042 and the shell starts again', async () => {
    const r = await runOurs('hvshell', { sendAfter: 'hv> ', input: 'reboot\r', until: /rebooting\r\n[^]*HV Manager hvshell/, timeoutMs: 30_000 })
    expect(r.stoppedByUntil, r.stdout).toBe(true)
  }, 60_000)
})
