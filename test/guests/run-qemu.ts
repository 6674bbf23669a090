/**
 * Runs a bundled guest (resources/guests/build/<name>.elf) under qemu-system-x86_64 with
 * TCG, COM1 on stdio and isa-debug-exit at 0xF4, and returns what it printed and how QEMU
 * exited. The reference half of the QEMU-versus-emulator comparison: the lead's
 * side-by-side test calls `runQemu` and our own runner with the same guest and input.
 * Exit codes follow isa-debug-exit: a guest writing v to port 0xF4 makes QEMU exit with
 * (v << 1) | 1; a triple fault with -no-reboot exits with 0.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const QEMU_BINARY = process.env.HV_QEMU ?? 'qemu-system-x86_64'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const GUEST_BUILD_DIR = join(repoRoot, 'resources', 'guests', 'build')

export interface QemuRunOptions {
  /** Multiboot command line (`-append`); QEMU prefixes it with the kernel path. */
  append?: string
  /** Bytes typed into COM1; sent once `sendAfter` has appeared in the output (or at once). */
  input?: string | Uint8Array
  sendAfter?: string
  /** Kill QEMU as soon as the output contains this (for guests that never exit). */
  until?: string | RegExp
  /** Wall-clock limit; QEMU is killed and `timedOut` set when it is reached. */
  timeoutMs?: number
  memoryMiB?: number
  /** Extra QEMU arguments (e.g. `-cpu` options). */
  extraArgs?: string[]
}

export interface QemuRunResult {
  /** Serial output decoded as latin1, so every byte maps to one char (byte-exact). */
  stdout: string
  stdoutBytes: Buffer
  /** QEMU's exit status; null when it was killed (until / timeout). */
  exitCode: number | null
  /** True when `until` matched and QEMU was stopped on purpose. */
  stoppedByUntil: boolean
  timedOut: boolean
  /** QEMU's own diagnostics. */
  stderr: string
}

/** Why QEMU cannot be used here, or null when it can (tests skip with this reason). */
export function qemuUnavailableReason(): string | null {
  const r = spawnSync(QEMU_BINARY, ['--version'], { encoding: 'utf8' })
  if (r.error) return `${QEMU_BINARY} not found (install qemu-system-x86)`
  if (r.status !== 0) return `${QEMU_BINARY} --version failed: ${r.stderr}`
  return null
}

export function guestPath(name: string): string {
  return join(GUEST_BUILD_DIR, `${name}.elf`)
}

/** The QEMU command line used for every guest (exported so docs and tests agree). */
export function qemuArgs(kernel: string, options: QemuRunOptions = {}): string[] {
  const args = [
    '-accel', 'tcg', '-display', 'none', '-vga', 'none', '-monitor', 'none', '-serial', 'stdio',
    '-parallel', 'none', '-net', 'none', '-no-reboot',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
    '-m', String(options.memoryMiB ?? 128),
    '-kernel', kernel,
  ]
  if (options.append !== undefined) args.push('-append', options.append)
  return [...args, ...(options.extraArgs ?? [])]
}

function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)
}

export function runQemu(name: string, options: QemuRunOptions = {}): Promise<QemuRunResult> {
  const kernel = guestPath(name)
  if (!existsSync(kernel)) {
    return Promise.reject(new Error(`${kernel} is missing: run npm run build:guests first`))
  }
  return runGuestProcess(QEMU_BINARY, qemuArgs(kernel, options), options)
}

/**
 * Spawn a machine process (QEMU or our runner) with COM1 on its stdio: send `input` (after
 * `sendAfter` appears, or at once), stop it when `until` matches or the time limit passes,
 * and collect its output byte-exactly. Shared by runQemu and runOurs so both are driven alike.
 */
export function runGuestProcess(command: string, args: string[], options: QemuRunOptions): Promise<QemuRunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    let text = ''
    let stderr = ''
    let inputSent = false
    let stoppedByUntil = false
    let timedOut = false

    const sendInput = (): void => {
      if (inputSent || options.input === undefined) return
      inputSent = true
      child.stdin.write(typeof options.input === 'string' ? Buffer.from(options.input, 'latin1') : options.input)
    }
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 30_000)

    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d)
      text += d.toString('latin1')
      if (options.sendAfter !== undefined && text.includes(options.sendAfter)) sendInput()
      if (options.until !== undefined && !stoppedByUntil && matches(text, options.until)) {
        stoppedByUntil = true
        child.kill('SIGKILL')
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    child.stdin.on('error', () => {
      // The machine may exit before reading its input; that is not a test failure by itself.
    })
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      const bytes = Buffer.concat(chunks)
      resolvePromise({
        stdout: bytes.toString('latin1'),
        stdoutBytes: bytes,
        exitCode: stoppedByUntil || timedOut ? null : code,
        stoppedByUntil,
        timedOut,
        stderr,
      })
    })
    if (options.sendAfter === undefined) sendInput()
  })
}
