/**
 * HvClient over a WebSocket to core/host/ws-server.ts: requests carry an id matched by the
 * response; events are dispatched to subscribers. The token comes from the page URL
 * (`?token=`). The client reconnects after a dropped connection (pending requests fail with
 * TRANSPORT) but not after close code 4401 (wrong token), which it reports as 'unauthorized'.
 */
import {
  ErrorCode,
  HvError,
  WS_CLOSE_UNAUTHORIZED,
  parseServerMessage,
  type EventChannel,
  type WireRequest,
} from '../../../contract'
import type { ConnectionState, HvClient } from './hv-client'

const REQUEST_TIMEOUT_MS = 30_000
const RECONNECT_MS = 1000

interface Pending {
  resolve(v: unknown): void
  reject(e: Error): void
  timer: ReturnType<typeof setTimeout>
}

export function wsClient(url: string): HvClient & { close(): void } {
  let socket: WebSocket | null = null
  let state: ConnectionState = 'connecting'
  let nextId = 1
  const pending = new Map<number, Pending>()
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>()
  const connectionListeners = new Set<(s: ConnectionState) => void>()
  let opened: Promise<void>
  let closed = false

  const setState = (s: ConnectionState): void => {
    state = s
    for (const l of connectionListeners) l(s)
  }

  const failAll = (message: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      p.reject(new HvError(ErrorCode.TRANSPORT, message))
      pending.delete(id)
    }
  }

  const connect = (): void => {
    const ws = new WebSocket(url)
    socket = ws
    setState('connecting')
    opened = new Promise<void>((resolve) => {
      ws.addEventListener('open', () => {
        setState('connected')
        resolve()
      })
      ws.addEventListener('close', () => resolve())
    })
    ws.addEventListener('message', (ev) => {
      const msg = typeof ev.data === 'string' ? parseServerMessage(ev.data) : null
      if (!msg) return
      if (msg.kind === 'response') {
        const p = msg.id === null ? undefined : pending.get(msg.id)
        if (!p || msg.id === null) return
        pending.delete(msg.id)
        clearTimeout(p.timer)
        if (msg.result.ok) p.resolve(msg.result.value)
        else p.reject(new HvError(msg.result.error.code, msg.result.error.message))
        return
      }
      for (const l of listeners.get(msg.channel) ?? []) l(msg.payload)
    })
    ws.addEventListener('close', (ev) => {
      if (socket !== ws) return
      if (ev.code === WS_CLOSE_UNAUTHORIZED) {
        failAll('The host refused the connection: the token in the page URL is missing or wrong')
        setState('unauthorized')
        return
      }
      failAll('The connection to the host was lost')
      setState('disconnected')
      if (!closed) setTimeout(connect, RECONNECT_MS)
    })
  }
  connect()

  return {
    async invoke(channel, args) {
      await opened
      const ws = socket
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        throw new HvError(
          ErrorCode.TRANSPORT,
          state === 'unauthorized' ? 'Not authorized: open the URL printed by "hv-manager serve"' : 'Not connected to the host',
        )
      }
      const id = nextId++
      const req: WireRequest = { kind: 'request', id, channel, args }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new HvError(ErrorCode.TRANSPORT, `The host did not answer ${channel} in time`))
        }, REQUEST_TIMEOUT_MS)
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
        ws.send(JSON.stringify(req))
      })
    },
    on(channel, listener) {
      let set = listeners.get(channel)
      if (!set) listeners.set(channel, (set = new Set()))
      const l = listener as (p: unknown) => void
      set.add(l)
      return () => set.delete(l)
    },
    onConnection(listener) {
      connectionListeners.add(listener)
      listener(state)
      return () => connectionListeners.delete(listener)
    },
    close() {
      closed = true
      const ws = socket
      socket = null
      ws?.close()
    },
  }
}

/** The WebSocket URL for the page this UI was served from, with its `?token=`. */
export function wsUrlFromLocation(loc: Location): string {
  const token = new URLSearchParams(loc.search).get('token') ?? ''
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${loc.host}/ws?token=${encodeURIComponent(token)}`
}
