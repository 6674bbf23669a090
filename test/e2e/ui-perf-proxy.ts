/**
 * A loopback proxy in front of `hv-manager serve` for the console-throughput test: it passes
 * the page's HTTP requests and its contract WebSocket through unchanged, and lets the test
 * push extra server messages (e.g. `console:output` events) into the page's real WebSocket,
 * so injected bytes take exactly the path the host's take. (Playwright's routeWebSocket
 * would replace the page's WebSocket with a shim and measure the shim instead.)
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import WebSocket, { WebSocketServer } from 'ws'

export interface ConsoleProxy {
  /** The page URL (with the serve token) through the proxy. */
  url: string
  /** Sends a server message to every page connected through the proxy. */
  inject(message: unknown): void
  /** Pages connected through the proxy right now. */
  connections(): number
  close(): Promise<void>
}

export async function startProxy(serveUrl: string): Promise<ConsoleProxy> {
  const upstream = new URL(serveUrl)
  const server: Server = createServer((req, res) => {
    const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  const pages = new Set<WebSocket>()
  const wss = new WebSocketServer({ server })
  wss.on('connection', (page, req) => {
    const host = new WebSocket(`ws://${upstream.host}${req.url ?? '/'}`)
    const early: WebSocket.RawData[] = []
    pages.add(page)
    host.on('open', () => {
      for (const d of early.splice(0)) host.send(d, { binary: false })
    })
    page.on('message', (d) => (host.readyState === WebSocket.OPEN ? host.send(d, { binary: false }) : early.push(d)))
    host.on('message', (d) => page.readyState === WebSocket.OPEN && page.send(d, { binary: false }))
    host.on('close', (code) => page.close(code))
    page.on('close', () => {
      pages.delete(page)
      host.close()
    })
    host.on('error', () => page.terminate())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/${upstream.search}`,
    inject(message) {
      const text = JSON.stringify(message)
      for (const p of pages) if (p.readyState === WebSocket.OPEN) p.send(text)
    },
    connections: () => pages.size,
    async close() {
      for (const p of pages) p.terminate()
      wss.close()
      await new Promise((r) => server.close(r))
    },
  }
}
