/**
 * `hv-manager serve`: the HostService behind an HTTP + WebSocket server on loopback
 * (ws-server.ts), with VMs in worker threads (out/cli/vm-worker.js beside the bundle).
 * Prints exactly one line, `HV Manager is serving at http://127.0.0.1:PORT/?token=TOKEN`,
 * and runs until SIGINT/SIGTERM, applying each VM's Automatic Stop Action on the way out.
 */
import { resolve } from 'node:path'
import { findAppRoot, guestsDir, readAppVersion, rendererDir } from './app-paths'
import { defaultDataDir } from './data-dir'
import { defaultVmConfig } from './default-vm'
import { HostService } from './host-service'
import { defaultWorkerPath, workerRunner } from './worker-runner'
import { startWsServer } from './ws-server'

export interface ServeOptions {
  port: number
  host: string
  dataDir: string
  /** Create the hello VM when the inventory is new (off with --no-default-vm). */
  defaultVm: boolean
}

export function parseServeArgs(args: string[]): ServeOptions {
  const o: ServeOptions = { port: 0, host: '127.0.0.1', dataDir: defaultDataDir(), defaultVm: true }
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!
    const value = (): string => {
      const v = args[++i]
      if (v === undefined) throw new Error(`${flag} needs a value`)
      return v
    }
    switch (flag) {
      case '--port': {
        const v = value()
        const n = Number(v)
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be 0..65535, got '${v}'`)
        o.port = n
        break
      }
      case '--host':
        o.host = value()
        break
      case '--no-default-vm':
        o.defaultVm = false
        break
      case '--data-dir':
        o.dataDir = resolve(value())
        break
      default:
        throw new Error(`unknown option '${flag}' for serve`)
    }
  }
  return o
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost'
}

export async function serveCommand(args: string[]): Promise<number> {
  const opts = parseServeArgs(args)
  const workerPath = defaultWorkerPath()
  if (!workerPath) throw new Error('out/cli/vm-worker.js is missing; run "npm run build:core"')
  const appRoot = findAppRoot()
  const host = await HostService.open({
    dataDir: opts.dataDir,
    guestsDir: guestsDir(appRoot),
    runner: workerRunner(workerPath),
    version: readAppVersion(appRoot),
    defaultVm: opts.defaultVm ? defaultVmConfig() : undefined,
    // Each VM's Automatic Start Action now, its Automatic Stop Action on SIGINT/SIGTERM.
    automaticActions: true,
    onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
  })
  for (const p of host.problems) process.stderr.write(`warning: ${p}\n`)
  if (!isLoopback(opts.host)) {
    process.stderr.write(`warning: serving on ${opts.host}, reachable from other machines; anyone with the token controls your VMs\n`)
  }
  const server = await startWsServer({ host, port: opts.port, hostname: opts.host, staticDir: rendererDir(appRoot) })
  process.stdout.write(`HV Manager is serving at ${server.url}\n`)
  return new Promise<number>((done) => {
    let stopping = false
    const stop = (): void => {
      if (stopping) return
      stopping = true
      void Promise.allSettled([server.close(), host.close()]).then(() => done(0))
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

