/**
 * hvshell under QEMU TCG: the line editor (Backspace, Ctrl-U, escape sequences, CR LF),
 * the help, cpuid, hv and cmdline commands, unknown commands, and poweroff through port
 * 0xF4 (QEMU exit status 1). reboot is checked too: with -no-reboot QEMU exits with 0.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { qemuUnavailableReason, runQemu } from './run-qemu'

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
