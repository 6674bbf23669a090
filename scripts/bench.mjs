#!/usr/bin/env node
// `npm run bench`: whole-process timings of our machine against QEMU TCG on the same guest,
// median of several runs, written to test/bench/results.json (git-ignored, rewritten each run).
//   cpu.mips            instructions retired by the bench guest / our median wall time
//   cpu.qemu_tcg_ratio  our median wall time / QEMU's (same kernel, same command line)
//   linux.boot_s          (with --linux) Debian kernel + our initramfs to its "ready" line, ours
//   linux.qemu_tcg_ratio  ours (virtual clock) / qemu-system-x86_64 -accel tcg, same files and command line
// Options: --runs N (default 5), --scale N (bench guest work size, default 2), --linux (also boot
// Linux, npm run guests:linux first; each boot takes minutes).
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const runs = arg('runs', 5)
const scale = arg('scale', 2)
const cli = join(root, 'out/cli/hv-manager.js')
const kernel = join(root, 'resources/guests/build/bench.elf')

const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`)
}
step(process.execPath, ['scripts/build-guests.mjs', '--quiet', 'bench'])
step(process.execPath, ['scripts/build-core.mjs', '--quiet'])

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function timeRun(cmd, args) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'latin1', maxBuffer: 64 << 20 })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  if (r.error) throw r.error
  return { seconds, status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const oursArgs = [cli, 'run', kernel, '--append', `scale=${scale}`, '--clock', 'virtual', '--stats']
const qemuArgs = ['-accel', 'tcg', '-display', 'none', '-vga', 'none', '-monitor', 'none', '-serial', 'stdio',
  '-parallel', 'none', '-net', 'none', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
  '-m', '128', '-kernel', kernel, '-append', `scale=${scale}`]
const haveQemu = spawnSync('qemu-system-x86_64', ['--version']).status === 0

const ours = [], qemu = []
let instructions = 0
let reference = null
for (let i = 0; i < runs; i++) {
  const o = timeRun(process.execPath, oursArgs)
  if (o.status !== 1) throw new Error(`our run exited ${o.status}:\n${o.stderr}`)
  const m = /instructions retired\s+(\d+)/.exec(o.stderr)
  if (!m) throw new Error(`no instruction count in --stats output:\n${o.stderr}`)
  instructions = Number(m[1])
  ours.push(o.seconds)
  if (haveQemu) {
    const q = timeRun('qemu-system-x86_64', qemuArgs)
    if (q.status !== 1) throw new Error(`QEMU exited ${q.status}:\n${q.stderr}`)
    reference ??= q.stdout
    if (q.stdout !== o.stdout) throw new Error('QEMU and our machine printed different results for the bench guest')
    qemu.push(q.seconds)
  }
  process.stdout.write(`run ${i + 1}/${runs}: ours ${o.seconds.toFixed(2)} s${haveQemu ? `, qemu ${qemu[i].toFixed(2)} s` : ''}\n`)
}

const results = {
  'cpu.guest': `bench scale=${scale}`,
  'cpu.instructions': instructions,
  'cpu.runs': runs,
  'cpu.ours_median_s': Number(median(ours).toFixed(3)),
  'cpu.mips': Number((instructions / median(ours) / 1e6).toFixed(1)),
  'cpu.qemu_median_s': haveQemu ? Number(median(qemu).toFixed(3)) : null,
  'cpu.qemu_tcg_ratio': haveQemu ? Number((median(ours) / median(qemu)).toFixed(2)) : null,
}
if (process.argv.includes('--linux')) Object.assign(results, await benchLinux())
mkdirSync(join(root, 'test/bench'), { recursive: true })
writeFileSync(join(root, 'test/bench/results.json'), JSON.stringify(results, null, 2) + '\n')
console.log(JSON.stringify(results, null, 2))
if (!haveQemu) console.log('QEMU is not installed: qemu_tcg_ratio not measured (npm run setup installs it)')

/** Seconds from process start until `marker` appears on the guest's serial output (then kill it). */
function timeToMarker(cmd, args, marker, limitS) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const child = spawn(cmd, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd}: no '${marker}' within ${limitS} s`)) }, limitS * 1000)
    child.stdout.on('data', (d) => {
      out += d.toString('latin1')
      if (out.includes(marker)) {
        clearTimeout(timer)
        resolve(Number(process.hrtime.bigint() - t0) / 1e9)
        child.kill('SIGKILL')
      }
    })
  })
}

async function benchLinux() {
  const dir = join(root, 'resources/guests/build/linux')
  if (!existsSync(join(dir, 'vmlinuz'))) throw new Error('no Linux guest: run npm run guests:linux first')
  const files = ['--initrd', join(dir, 'initramfs.cpio.gz'), '--append', 'console=ttyS0 panic=-1', '--memory', '256']
  const marker = 'HV Manager Linux guest'
  const linuxRuns = Math.max(1, Math.min(runs, 3))
  const virt = [], host = [], q = []
  for (let i = 0; i < linuxRuns; i++) {
    virt.push(await timeToMarker(process.execPath, [cli, 'run', join(dir, 'vmlinuz'), ...files, '--clock', 'virtual'], marker, 900))
    host.push(await timeToMarker(process.execPath, [cli, 'run', join(dir, 'vmlinuz'), ...files, '--clock', 'host'], marker, 900))
    if (haveQemu) {
      q.push(await timeToMarker('qemu-system-x86_64', ['-accel', 'tcg', '-display', 'none', '-vga', 'none', '-monitor', 'none',
        '-serial', 'stdio', '-no-reboot', '-m', '256', '-kernel', join(dir, 'vmlinuz'), '-initrd', join(dir, 'initramfs.cpio.gz'),
        '-append', 'console=ttyS0 panic=-1'], marker, 300))
    }
    process.stdout.write(`linux run ${i + 1}/${linuxRuns}: virtual ${virt[i].toFixed(1)} s, host ${host[i].toFixed(1)} s${haveQemu ? `, qemu ${q[i].toFixed(1)} s` : ''}\n`)
  }
  return {
    'linux.runs': linuxRuns,
    'linux.boot_s': Number(median(virt).toFixed(1)),
    'linux.boot_s_host_clock': Number(median(host).toFixed(1)),
    'linux.qemu_boot_s': haveQemu ? Number(median(q).toFixed(1)) : null,
    'linux.qemu_tcg_ratio': haveQemu ? Number((median(virt) / median(q)).toFixed(1)) : null,
  }
}
