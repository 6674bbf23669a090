/**
 * Debian Linux with two VPs (`--cpus 2`): the BSP brings the AP up through INIT/SIPI from
 * its local APIC (real-mode trampoline below 1 MiB) and a task pinned to CPU 1 runs there.
 * Another full boot (2.5-5 minutes on the shared build machine), so it runs only with
 * HV_LINUX_SMP=1; otherwise it skips and says so (docs/linux.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FILES, PROMPT, SerialSession, skipReason } from './linux-session'

const reason = skipReason() ?? (process.env.HV_LINUX_SMP === '1' ? null : 'set HV_LINUX_SMP=1 to run the 2-VP Linux boot (another boot: 2.5-5 minutes)')
if (reason) console.log(`skipping the 2-VP Linux guest test: ${reason}`)

describe.skipIf(reason !== null)('Debian Linux on two VPs', () => {
  let vm: SerialSession

  beforeAll(async () => {
    vm = new SerialSession([FILES[0], '--initrd', FILES[1], '--append', 'console=ttyS0 panic=-1', '--memory', '256', '--cpus', '2', '--clock', 'virtual', '--timeout', '560'])
    const ready = await vm.waitFor('HV Manager Linux guest', 0, 480_000)
    await vm.waitFor(PROMPT, ready, 60_000)
  }, 600_000)

  afterAll(() => vm?.kill())

  it('brings up the second CPU', async () => {
    expect(vm.text).toContain('smp: Brought up 1 node, 2 CPUs')
    const out = await vm.run('grep -c ^processor /proc/cpuinfo')
    expect(out).toBe('2\n')
  })

  it('runs a task pinned to CPU 1 there', async () => {
    // Field 39 of /proc/<pid>/stat is the CPU the task last ran on (proc(5)).
    const out = await vm.run('taskset 2 cat /proc/self/stat')
    const fields = out.trim().split(' ')
    expect(fields[1]).toBe('(cat)')
    expect(fields[38]).toBe('1')
  })
})
