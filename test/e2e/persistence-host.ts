/**
 * Node-side helpers for the persistence and transfer tests: spawns the BUILT `hv-manager
 * serve` with extra environment (HV_TEST_CRASH_AT, core/host/crash-seam.ts) and talks the
 * contract to it over its WebSocket (contract/wire.ts framing), without a browser.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import WebSocket from 'ws'
import type { Channel, CommandArgs, CommandResult, HostEvent, Result } from '../../contract'
import { appRoot, cliPath } from './serve-process'

export interface Host {
  url: string
  child: ChildProcess
  output(): string
  /** Resolves with the exit code or signal name once the process is gone. */
  exited: Promise<string>
  client: Client
  stop(): Promise<string>
  kill(): Promise<string>
}

export interface Client {
  call<C extends Channel>(channel: C, args: CommandArgs<C>): Promise<CommandResult<C>>
  raw(channel: string, args: unknown): Promise<Result<unknown>>
  events: HostEvent[]
  close(): void
}

export async function spawnHost(dataDir: string, env: Record<string, string> = {}): Promise<Host> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--data-dir', dataDir, '--no-default-vm'], {
    cwd: appRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d))
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL; output:\n${out}`)), 20_000)
    const onData = (): void => {
      const m = /^HV Manager is serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out)
      if (!m) return
      clearTimeout(timer)
      resolve(m[1]!)
    }
    child.stdout!.on('data', onData)
    void exited.then((how) => reject(new Error(`serve exited (${how}) before serving; output:\n${out}`)))
  })
  const client = await connect(url)
  const stop = async (): Promise<string> => {
    client.close()
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    return exited
  }
  const kill = async (): Promise<string> => {
    client.close()
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    return exited
  }
  return { url, child, output: () => out, exited, client, stop, kill }
}

export async function connect(httpUrl: string): Promise<Client> {
  const u = new URL(httpUrl)
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  let nextId = 1
  const pending = new Map<number, (r: Result<unknown>) => void>()
  const events: HostEvent[] = []
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { kind: string; id?: number; result?: Result<unknown>; channel?: string; payload?: unknown }
    if (m.kind === 'response' && typeof m.id === 'number') {
      pending.get(m.id)?.(m.result!)
      pending.delete(m.id)
    } else if (m.kind === 'event') events.push({ channel: m.channel, payload: m.payload } as HostEvent)
  })
  // A host killed mid-request answers nothing: fail every open call.
  ws.on('close', () => {
    for (const done of pending.values()) done({ ok: false, error: { code: 'TRANSPORT', message: 'connection closed' } })
    pending.clear()
  })
  const raw = (channel: string, args: unknown): Promise<Result<unknown>> =>
    new Promise((resolve) => {
      if (ws.readyState !== WebSocket.OPEN) return resolve({ ok: false, error: { code: 'TRANSPORT', message: 'not connected' } })
      const id = nextId++
      pending.set(id, resolve)
      ws.send(JSON.stringify({ kind: 'request', id, channel, args }))
    })
  return {
    raw,
    events,
    async call(channel, args) {
      const r = await raw(channel, args)
      if (!r.ok) throw new Error(`${channel} failed: ${r.error.code}: ${r.error.message}`)
      return r.value as never
    },
    close: () => ws.close(),
  }
}
