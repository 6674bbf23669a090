/**
 * Helpers for the Linux guest tests: where the guest files are, why a test must skip, and a
 * serial conversation with the headless runner (`hv-manager run`) over its stdin/stdout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const GUEST_DIR = join(repoRoot, 'resources', 'guests', 'build', 'linux')
const CLI = join(repoRoot, 'out', 'cli', 'hv-manager.js')
export const FILES = ['vmlinuz', 'initramfs.cpio.gz'].map((f) => join(GUEST_DIR, f))
export const PROMPT = '~ # '

export function skipReason(): string | null {
  for (const f of FILES) if (!existsSync(f)) return `${f} is missing (run npm run guests:linux)`
  if (!existsSync(CLI)) return `${CLI} is missing (run npm run build)`
  return null
}

/** A serial conversation with the headless runner: wait for text, send a command, read its output. */
export class SerialSession {
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

  /** Send the runner a signal (SIGTERM = Shut Down, see core/host/run-command.ts). */
  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig)
  }

  /** Resolve with the runner's exit status once it has exited. */
  async waitExit(timeoutMs: number): Promise<number> {
    const end = Date.now() + timeoutMs
    while (this.exited === null) {
      if (Date.now() > end) throw new Error(`runner still running after ${timeoutMs} ms:\n${this.out.slice(-3000)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    return this.exited
  }
}

