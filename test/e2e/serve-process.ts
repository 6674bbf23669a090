/**
 * Starts the BUILT `hv-manager serve` (out/cli/hv-manager.js) as a child process on a random
 * port with a temp data dir, and returns the URL it prints. For e2e tests.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const appRoot = join(import.meta.dirname, '..', '..')
export const cliPath = join(appRoot, 'out', 'cli', 'hv-manager.js')
export const rendererIndex = join(appRoot, 'out', 'renderer', 'index.html')

export interface ServeProcess {
  url: string
  child: ChildProcess
  output(): string
  stop(): Promise<number | null>
}

export function assertBuilt(): void {
  for (const f of [cliPath, join(appRoot, 'out', 'cli', 'vm-worker.js'), rendererIndex]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run "npm run build" before the e2e tests`)
  }
}

export function startServe(dataDir: string, timeoutMs = 20_000, extraArgs: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    cwd: appRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`hv-manager serve printed no URL within ${timeoutMs} ms; output:\n${out}`))
    }, timeoutMs)
    const onData = (): void => {
      const m = /^HV Manager is serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out)
      if (!m) return
      clearTimeout(timer)
      child.stdout!.off('data', onData)
      resolve({ url: m[1]!, child, output: () => out, stop })
    }
    child.stdout!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`hv-manager serve exited with ${code}; output:\n${out}`))
    })
  })
}
