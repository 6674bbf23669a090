/**
 * Unmodified Debian Linux (linux-image-cloud-amd64 + a busybox initramfs, built by
 * `npm run guests:linux`) boots headless through the CLI to the busybox prompt, and the
 * shell answers: uname, /proc/cpuinfo, the Hyper-V lines of dmesg, the clocksource the
 * kernel chose (the reference TSC page, TLFS 15.4) and a small sort workload whose
 * checksum the test computes itself (docs/linux.md). Skips, saying why, when the guest
 * files or the built CLI are missing.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const GUEST_DIR = join(repoRoot, 'resources', 'guests', 'build', 'linux')
const CLI = join(repoRoot, 'out', 'cli', 'hv-manager.js')
const FILES = ['vmlinuz', 'initramfs.cpio.gz'].map((f) => join(GUEST_DIR, f))
const PROMPT = '~ # '

function skipReason(): string | null {
  for (const f of FILES) if (!existsSync(f)) return `${f} is missing (run npm run guests:linux)`
  if (!existsSync(CLI)) return `${CLI} is missing (run npm run build)`
  return null
}

/** A serial conversation with the headless runner: wait for text, send a command, read its output. */
class SerialSession {
  private out = ''
  private readonly child: ChildProcessWithoutNullStreams
  exited: number | null = null

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: 'pipe' })
    this.child.stdout.setEncoding('latin1')
    this.child.stdout.on('data', (s: string) => (this.out += s))
    this.child.stderr.setEncoding('latin1')
    this.child.stderr.on('data', (s: string) => (this.out += s))
    this.child.on('exit', (code) => (this.exited = code ?? -1))
  }

  get text(): string {
    return this.out
  }

  /** Resolve with the offset just past the first `needle` at or after `from`. */
  async waitFor(needle: string, from: number, timeoutMs: number): Promise<number> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const i = this.out.indexOf(needle, from)
      if (i >= 0) return i + needle.length
      if (this.exited !== null) throw new Error(`runner exited (${this.exited}) before '${needle}':\n${this.out.slice(-3000)}`)
      if (Date.now() > end) throw new Error(`timed out waiting for '${needle}':\n${this.out.slice(-3000)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** Type a command line and return what it printed before the next prompt. */
  async run(cmd: string, timeoutMs = 60_000): Promise<string> {
    const from = this.out.length
    this.child.stdin.write(`${cmd}\n`)
    const echoed = await this.waitFor(`${cmd}\r\n`, from, timeoutMs)
    const done = await this.waitFor(PROMPT, echoed, timeoutMs)
    return this.out.slice(echoed, done - PROMPT.length).replace(/\r\n/g, '\n')
  }

  kill(): void {
    if (this.exited === null) this.child.kill('SIGKILL')
  }
}

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

  it('runs a busybox workload with the right answer', async () => {
    let text = ''
    for (let i = 1; i <= 20000; i++) text += `${i}\n`
    const want = createHash('md5').update(text).digest('hex')
    const out = await vm.run('seq 1 20000 | sort -n | md5sum', 120_000)
    expect(out).toBe(`${want}  -\n`)
  }, 150_000)
})
