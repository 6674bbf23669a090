/**
 * Serves the built renderer (out/renderer) over HTTP for the WebSocket server, so a browser
 * pointed at `http://127.0.0.1:PORT/?token=T` gets the real UI. Read-only (GET/HEAD),
 * confined to its root (no path traversal), with a strict CSP and no-referrer so the token in
 * the page URL never leaks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

export function contentSecurityPolicy(wsOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // xterm.js and Vue transitions set inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    // Any ws: host, so one window can manage remote hosts ("Connect to Server…"); each needs its own token.
    `connect-src 'self' ${wsOrigin} ws: wss:`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export function staticHandler(root: string, csp: () => string) {
  const rootDir = normalize(root + sep)
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const common = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...common, Allow: 'GET, HEAD' }).end()
      return
    }
    let pathname: string
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
    } catch {
      res.writeHead(400, common).end('Bad request')
      return
    }
    if (pathname.includes('\0')) {
      res.writeHead(400, common).end('Bad request')
      return
    }
    if (pathname.endsWith('/')) pathname += 'index.html'
    const file = normalize(join(rootDir, pathname))
    if (!file.startsWith(rootDir)) {
      res.writeHead(403, common).end('Forbidden')
      return
    }
    try {
      const s = await stat(file)
      if (!s.isFile()) throw new Error('not a file')
      const body = await readFile(file)
      const type = mimeTypes[extname(file)] ?? 'application/octet-stream'
      const headers: Record<string, string> = { ...common, 'Content-Type': type, 'Content-Length': String(body.length) }
      if (type.startsWith('text/html')) {
        headers['Content-Security-Policy'] = csp()
        headers['Cache-Control'] = 'no-store'
      }
      res.writeHead(200, headers)
      res.end(req.method === 'HEAD' ? undefined : body)
    } catch {
      if (pathname === '/index.html') {
        res
          .writeHead(503, { ...common, 'Content-Type': 'text/plain; charset=utf-8' })
          .end(`The HV Manager UI is not built (${root} is missing). Run "npm run build:app".\n`)
        return
      }
      res.writeHead(404, { ...common, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found')
    }
  }
}
