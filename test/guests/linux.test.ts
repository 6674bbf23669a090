/**
 * Unmodified Debian Linux (linux-image-cloud-amd64 + a busybox initramfs, built by
 * `npm run guests:linux`) boots headless through the CLI to the busybox prompt, and the
 * shell answers: uname, /proc/cpuinfo, the Hyper-V lines of dmesg, the clocksource the
 * kernel chose (the reference TSC page, TLFS 15.4) and a small sort workload (descending
 * input, so sort really reorders) whose checksum the test computes itself (docs/linux.md).
 * Finally Shut Down (SIGTERM to the runner) must end in the guest powering itself off.
 * Skips, saying why, when the guest files or the built CLI are missing.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FILES, PROMPT, SerialSession, skipReason } from './linux-session'

const reason = skipReason()
if (reason) console.log(`skipping the Linux guest test: ${reason}`)

describe.skipIf(reason !== null)('Debian Linux on HV Manager', () => {
  let vm: SerialSession
  let bootMs = 0

  beforeAll(async () => {
    const t0 = Date.now()
    vm = new SerialSession([FILES[0], '--initrd', FILES[1], '--append', 'console=ttyS0 panic=-1', '--memory', '256', '--clock', 'virtual', '--timeout', '560'])
    const ready = await vm.waitFor('HV Manager Linux guest', 0, 480_000)
    await vm.waitFor(PROMPT, ready, 60_000)
    bootMs = Date.now() - t0
    console.log(`Linux reached the busybox prompt in ${(bootMs / 1000).toFixed(1)} s`)
  }, 600_000)

  afterAll(() => vm?.kill())

  it('boots to the busybox prompt with the guest banner', () => {
    expect(vm.text).toMatch(/HV Manager Linux guest \S+ ready/)
    expect(vm.text).not.toContain('Kernel panic')
  })

  it('runs uname -a', async () => {
    const out = await vm.run('uname -a')
    expect(out).toMatch(/^Linux \S+ 6\.\d+\.\d+-\S+-cloud-amd64 #1 SMP .* x86_64 (GNU\/Linux|Linux)\n$/)
  })

  it('shows the CPU in /proc/cpuinfo with the hypervisor flag', async () => {
    const out = await vm.run('cat /proc/cpuinfo')
    expect(out.match(/^processor\s*:/gm)?.length).toBe(1)
    expect(out).toMatch(/^model name\s*: .*HV Manager virtual x64 CPU/m)
    const flags = /^flags\s*: (.*)$/m.exec(out)?.[1].split(' ') ?? []
    for (const f of ['fpu', 'tsc', 'msr', 'apic', 'sse2', 'lm', 'nx', 'hypervisor']) expect(flags).toContain(f)
  })

  it('detects Microsoft Hyper-V and sets up its enlightenments', async () => {
    const out = await vm.run('dmesg | grep -i hyper')
    expect(out).toContain('Hypervisor detected: Microsoft Hyper-V')
    expect(out).toMatch(/Hyper-V: privilege flags low 0x[0-9a-f]+/)
    const low = Number.parseInt(/privilege flags low 0x([0-9a-f]+)/.exec(out)![1], 16)
    expect(low & (1 << 9)).not.toBe(0) // AccessPartitionReferenceTsc
    expect(out).toContain('clocksource: hyperv_clocksource_tsc_page')
    expect(out).not.toMatch(/unchecked MSR access/i)
  })

  it('uses the reference TSC page as its clocksource', async () => {
    const out = await vm.run('cat /sys/devices/system/clocksource/clocksource0/current_clocksource')
    expect(out).toBe('hyperv_clocksource_tsc_page\n')
  })

  // 2,000 rather than 20,000 lines: the 20,000-line pipeline is correct but takes minutes
  // here (sort -n alone ~66 s, see docs/linux.md), beyond this test's time budget.
  it('runs a busybox workload with the right answer', async () => {
    const n = 2000
    let text = ''
    for (let i = n; i >= 1; i--) text = `${i}\n${text}`
    const want = createHash('md5').update(text).digest('hex')
    const out = await vm.run(`seq ${n} -1 1 | sort -n | md5sum`, 150_000)
    expect(out).toBe(`${want}  -\n`)
  }, 180_000)

  // Last, because it ends the VM. Shut Down = the ACPI power button (docs/decisions.md #6);
  // the initramfs loads button.ko + evdev.ko and busybox acpid runs poweroff on KEY_POWER.
  it('powers off through the guest on Shut Down (SIGTERM to the runner)', async () => {
    const from = vm.text.length
    vm.signal('SIGTERM')
    const status = await vm.waitExit(120_000)
    const after = vm.text.slice(from)
    expect(after).toContain('Shut Down requested (ACPI power button)')
    expect(after).toContain('power button pressed: powering off')
    expect(after).toContain('reboot: Power down') // the kernel's own power-off, via \_S5
    expect(after).not.toMatch(/turned off|timeout/)
    expect(status).toBe(0) // guest power-off; a forced stop would be 143 or 124
  }, 150_000)
})
