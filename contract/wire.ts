/**
 * Messages of the contract over a WebSocket (core/host/ws-server.ts ↔ renderer's ws client):
 * requests carry a client-chosen id echoed by the response; events are pushed unasked.
 * Electron IPC does not need this framing (ipcRenderer.invoke pairs replies itself).
 */
import type { EventChannel, Events } from './channels'
import { isResult, type Result } from './errors'

export interface WireRequest {
  kind: 'request'
  id: number
  channel: string
  args?: unknown
}

export interface WireResponse {
  kind: 'response'
  /** null when the request was too malformed to have a usable id. */
  id: number | null
  result: Result<unknown>
}

export type WireEvent = { [E in EventChannel]: { kind: 'event'; channel: E; payload: Events[E] } }[EventChannel]

export type WireServerMessage = WireResponse | WireEvent

/** Close code sent when the connection's token is missing or wrong (like HTTP 401). */
export const WS_CLOSE_UNAUTHORIZED = 4401

/** Parses a server message in the client; returns null for anything malformed. */
export function parseServerMessage(text: string): WireServerMessage | null {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof v !== 'object' || v === null) return null
  const m = v as Record<string, unknown>
  if (m.kind === 'response' && (m.id === null || typeof m.id === 'number') && isResult(m.result)) {
    return m as unknown as WireResponse
  }
  if (m.kind === 'event' && typeof m.channel === 'string' && typeof m.payload === 'object' && m.payload !== null) {
    return m as unknown as WireEvent
  }
  return null
}
