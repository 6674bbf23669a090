import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { HostService } from '../../../core/host/host-service'
import { startWsServer, type RunningWsServer } from '../../../core/host/ws-server'
import { helloConfig, makeFixture, openHost, type Fixture } from './helpers'

let f: Fixture
let host: HostService
let server: RunningWsServer

beforeEach(async () => {
  f = makeFixture()
  host = await openHost(f)
  const www = join(f.root, 'www')
  mkdirSync(www)
  writeFileSync(join(www, 'index.html'), '<!doctype html><title>UI</title>')
  writeFileSync(join(f.root, 'secret.txt'), 'top secret')
  server = await startWsServer({ host, port: 0, staticDir: www, token: 'tok-123' })
})

afterEach(async () => {
  await server.close()
  await host.close()
  f.cleanup()
})

function wsUrl(token: string | null): string {
  return `ws://127.0.0.1:${server.port}/ws${token === null ? '' : `?token=${token}`}`
}

function closeCodeOf(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.on('close', (code) => resolve(code)))
}

function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('ws-server', () => {
  it('prints a loopback URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=tok-123`)
  })

  it('refuses a wrong or missing token with close code 4401', async () => {
    expect(await closeCodeOf(new WebSocket(wsUrl('nope')))).toBe(4401)
    expect(await closeCodeOf(new WebSocket(wsUrl(null)))).toBe(4401)
  })

  it('refuses a page from another origin with 4403', async () => {
    const ws = new WebSocket(wsUrl('tok-123'), { origin: 'http://evil.example' })
    expect(await closeCodeOf(ws)).toBe(4403)
  })

  it('lets another HV Manager on this computer (loopback page, desktop app) in with the token, and only with it', async () => {
    for (const origin of ['http://127.0.0.1:9', 'http://localhost:65000', 'file://']) {
      const ws = new WebSocket(wsUrl('tok-123'), { origin })
      await new Promise((resolve, reject) => {
        ws.on('open', resolve)
        ws.on('close', (code) => reject(new Error(`${origin} closed with ${code}`)))
      })
      ws.close()
      expect(await closeCodeOf(new WebSocket(wsUrl('nope'), { origin }))).toBe(4401)
    }
    expect(await closeCodeOf(new WebSocket(wsUrl('tok-123'), { origin: 'http://127.0.0.1.evil.example:80' }))).toBe(4403)
  })

  it('runs commands and pushes events to an authorized client', async () => {
    const ws = new WebSocket(wsUrl('tok-123'))
    const messages: { kind: string; id?: number; channel?: string; result?: { ok: boolean } }[] = []
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())))
    await new Promise((r) => ws.on('open', r))
    ws.send(JSON.stringify({ kind: 'request', id: 7, channel: 'vm:create', args: { config: helloConfig('Over WS') } }))
    ws.send(JSON.stringify({ kind: 'request', id: 8, channel: 'vm:start', args: { id: 'missing' } }))
    ws.send('][')
    await expect.poll(() => messages.length).toBe(4)
    expect(messages.find((m) => m.kind === 'event')).toMatchObject({ channel: 'vm:changed' })
    expect(messages.find((m) => m.id === 7)).toMatchObject({ result: { ok: true, value: { config: { name: 'Over WS' } } } })
    expect(messages.find((m) => m.id === 8)).toMatchObject({ result: { ok: false, error: { code: 'VM_NOT_FOUND' } } })
    expect(messages.find((m) => m.kind === 'response' && m.id === null)).toMatchObject({ result: { ok: false, error: { code: 'INVALID_ARGUMENT' } } })
    ws.close()
  })

  it('serves the UI with a CSP and stays inside its folder', async () => {
    const index = await get('/?token=tok-123')
    expect(index.status).toBe(200)
    expect(index.body).toContain('<title>UI</title>')
    expect(String(index.headers['content-security-policy'])).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`)
    expect(index.headers['referrer-policy']).toBe('no-referrer')
    expect((await get('/../secret.txt')).body).not.toContain('top secret')
    expect((await get('/%2e%2e/secret.txt')).body).not.toContain('top secret')
    expect((await get('/..%2fsecret.txt')).status).toBe(403)
    expect((await get('/nothing.js')).status).toBe(404)
    expect((await get('/', 'POST')).status).toBe(405)
  })
})
