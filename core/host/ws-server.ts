/**
 * The HV Manager contract over WebSocket, for browsers (e2e tests in real Chromium) and
 * remote UIs: an HTTP server on loopback that serves the built renderer and upgrades
 * `/ws?token=T` to a WebSocket. A random token (crypto) is required: a missing or wrong
 * token is refused with close code 4401, a foreign page's Origin with 4403. Requests are
 * validated by HostService.invoke; malformed frames get an error response, never a crash.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, WebSocket, type RawData } from 'ws'
import { ErrorCode, fail, WS_CLOSE_UNAUTHORIZED, type WireServerMessage } from '../../contract'
import type { HostService } from './host-service'
import { contentSecurityPolicy, staticHandler } from './static-files'

export const WS_CLOSE_FORBIDDEN_ORIGIN = 4403
const MAX_FRAME_BYTES = 1024 * 1024
/** Console events are dropped for a client this far behind rather than growing memory without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024

export interface WsServerOptions {
  host: Pick<HostService, 'invoke' | 'subscribe'>
  port?: number
  hostname?: string
  token?: string
  staticDir: string
}

export interface RunningWsServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export async function startWsServer(options: WsServerOptions): Promise<RunningWsServer> {
  const hostname = options.hostname ?? '127.0.0.1'
  const token = options.token ?? randomBytes(24).toString('base64url')
  let port = 0
  const urlHost = hostname.includes(':') ? `[${hostname}]` : hostname
  const allowedOrigins = (): string[] => [`http://${urlHost}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`]

  const server = createServer(staticHandler(options.staticDir, () => contentSecurityPolicy(`ws://${urlHost}:${port}`)))
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const given = url.searchParams.get('token') ?? ''
      if (!tokensEqual(given, token)) {
        ws.close(WS_CLOSE_UNAUTHORIZED, 'Unauthorized: missing or wrong token')
        return
      }
      const origin = req.headers.origin
      if (origin !== undefined && !allowedOrigins().includes(origin) && !isHvManagerOrigin(origin)) {
        ws.close(WS_CLOSE_FORBIDDEN_ORIGIN, 'Forbidden origin')
        return
      }
      serveConnection(ws, req, options.host)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, hostname, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `http://${urlHost}:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/**
 * Pages of another HV Manager on this computer (a loopback `serve`, or the desktop app's
 * file:// page) may manage this host with its token ("Connect to Server…"); web pages from
 * anywhere else may not, even with the token.
 */
function isHvManagerOrigin(origin: string): boolean {
  if (origin === 'file://' || origin === 'null') return true
  return /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/.test(origin)
}

function serveConnection(ws: WebSocket, _req: IncomingMessage, host: WsServerOptions['host']): void {
  const send = (msg: WireServerMessage): void => {
    if (ws.readyState !== WebSocket.OPEN) return
    if (msg.kind === 'event' && msg.channel === 'console:output' && ws.bufferedAmount > MAX_BUFFERED_BYTES) return
    ws.send(JSON.stringify(msg))
  }
  const unsubscribe = host.subscribe((event) => send({ kind: 'event', ...event } as WireServerMessage))
  ws.on('close', unsubscribe)
  ws.on('error', unsubscribe)
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    void handleFrame(raw, isBinary)
  })

  async function handleFrame(raw: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      send({ kind: 'response', id: null, result: fail(ErrorCode.INVALID_ARGUMENT, 'Binary frames are not part of the contract') })
      return
    }
    let msg: unknown
    try {
      msg = JSON.parse(raw.toString())
    } catch {
      send({ kind: 'response', id: null, result: fail(ErrorCode.INVALID_ARGUMENT, 'The request is not valid JSON') })
      return
    }
    const m = (typeof msg === 'object' && msg !== null ? msg : {}) as Record<string, unknown>
    const id = typeof m.id === 'number' && Number.isSafeInteger(m.id) ? m.id : null
    if (m.kind !== 'request' || id === null) {
      send({ kind: 'response', id, result: fail(ErrorCode.INVALID_ARGUMENT, 'A request needs kind "request" and a numeric id') })
      return
    }
    const result = await host.invoke(m.channel, m.args)
    send({ kind: 'response', id, result })
  }
}
