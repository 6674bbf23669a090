/**
 * Serial consoles (COM1 and COM2) of the VMs: which Connect windows are open, and each VM's console
 * stream assembled from `console:history` and `console:output` events. Chunks carry their
 * byte offset in the host's stream, so overlapping history and live events are merged
 * without duplicating or losing bytes. Terminals (xterm) register as sinks to receive new
 * bytes; the stream itself stays outside Vue's reactivity (it is large and append-only).
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { textToByteString, type ConsoleChunk } from '../../../contract'
import type { HvClient } from '../transport/hv-client'
import { useErrorStore } from './errors'

export const COM1 = 0
export const COM2 = 1
const PORTS = [COM1, COM2]
const KEEP_BYTES = 256 * 1024
/** The thumbnail is redrawn at most this often: a flooding guest must not re-render the pane per chunk. */
export const THUMBNAIL_INTERVAL_MS = 250
const key = (id: string, port: number): string => `${id}:${port}`

/** Receives new bytes; when `reset` is true, `bytes` is the whole stream and replaces what was shown. */
export type ConsoleSink = (bytes: string, reset: boolean) => void

export interface ConsoleStream {
  /** Offsets in the host's stream of the first byte held and just past the last one. */
  start: number
  end: number
  /** The bytes held (a byte string), at most KEEP_BYTES. */
  data: string
  sinks: Set<ConsoleSink>
}

export const useConsoleStore = defineStore('consoles', () => {
  const client = shallowRef<HvClient | null>(null)
  /** VM ids whose Connect window is open, in opening order. */
  const open = ref<string[]>([])
  const streams = new Map<string, ConsoleStream>()
  /** Bumped when a VM's COM1 stream changes, so views of its text (the thumbnail) recompute. */
  const revision = ref<Record<string, number>>({})

  function stream(id: string, port = COM1): ConsoleStream {
    let s = streams.get(key(id, port))
    if (!s) streams.set(key(id, port), (s = { start: 0, end: 0, data: '', sinks: new Set() }))
    return s
  }

  /** VMs whose COM1 changed while a thumbnail update was held back; their timer. */
  const heldBack = new Set<string>()
  const throttles = new Map<string, ReturnType<typeof setTimeout>>()

  function bump(id: string): void {
    revision.value = { ...revision.value, [id]: (revision.value[id] ?? 0) + 1 }
  }

  /** Leading edge at once, then at most one bump per THUMBNAIL_INTERVAL_MS while bytes keep coming. */
  function touch(id: string): void {
    if (throttles.has(id)) {
      heldBack.add(id)
      return
    }
    bump(id)
    const tick = (): void => {
      if (!heldBack.delete(id)) {
        throttles.delete(id)
        return
      }
      bump(id)
      throttles.set(id, setTimeout(tick, THUMBNAIL_INTERVAL_MS))
    }
    throttles.set(id, setTimeout(tick, THUMBNAIL_INTERVAL_MS))
  }

  /** The last `lines` lines of a VM's console as text (UTF-8 decoded, control codes dropped). */
  function tail(id: string, lines: number, port = COM1): string {
    void revision.value[id]
    const s = streams.get(key(id, port))
    if (!s) return ''
    const bytes = Uint8Array.from(s.data.slice(-8192), (c) => c.charCodeAt(0))
    const text = new TextDecoder().decode(bytes).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '')
    return text.split('\n').slice(-lines).join('\n')
  }

  function replace(s: ConsoleStream, start: number, data: string): void {
    const drop = Math.max(0, data.length - KEEP_BYTES)
    s.data = data.slice(drop)
    s.start = start + drop
    s.end = s.start + s.data.length
    for (const sink of s.sinks) sink(s.data, true)
  }

  /** Merges the chunk [offset, offset + data.length) of a VM's console stream on `port`. */
  function merge(id: string, offset: number, data: string, port = COM1): void {
    if (port === COM1 && data.length) touch(id)
    const s = stream(id, port)
    const end = offset + data.length
    if (data.length === 0) return
    if (s.data.length === 0 && s.end === s.start) {
      replace(s, offset, data)
      return
    }
    if (offset < s.start) {
      // Older bytes than we hold: history answered after live chunks arrived. Rebuild.
      const tail = end >= s.start ? s.data.slice(Math.min(s.data.length, end - s.start)) : s.data
      replace(s, offset, data + tail)
      return
    }
    if (end <= s.end) return
    if (offset > s.end) {
      // The host's ring dropped bytes we never saw: show what follows the gap.
      replace(s, offset, data)
      return
    }
    const fresh = data.slice(s.end - offset)
    s.data += fresh
    s.end = end
    if (s.data.length > KEEP_BYTES) {
      const drop = s.data.length - KEEP_BYTES
      s.data = s.data.slice(drop)
      s.start += drop
    }
    for (const sink of s.sinks) sink(fresh, false)
  }

  function attach(c: HvClient): () => void {
    client.value = c
    streams.clear()
    open.value = []
    const offOutput = c.on('console:output', (chunk: ConsoleChunk) => merge(chunk.id, chunk.offset, chunk.data, chunk.port))
    // A fresh boot starts a fresh stream at offset 0 on the host: drop what the last boot printed.
    const offChanged = c.on('vm:changed', (e) => {
      if (e.vm?.state !== 'Starting') return
      for (const port of PORTS) {
        const s = streams.get(key(e.id, port))
        if (s) replace(s, 0, '')
      }
    })
    return () => {
      offOutput()
      offChanged()
    }
  }

  /** Loads a VM's console history (both ports), e.g. for the details pane's thumbnail. */
  async function load(id: string): Promise<void> {
    try {
      for (const port of PORTS) {
        const h = await client.value!.invoke('console:history', { id, port })
        merge(id, h.offset, h.data, port)
      }
    } catch (e) {
      useErrorStore().report('Connecting to the console', e)
    }
  }

  /** Opens the VM's Connect panel (once) and loads its history. */
  async function connect(id: string): Promise<void> {
    if (!open.value.includes(id)) open.value.push(id)
    await load(id)
  }

  function disconnect(id: string): void {
    open.value = open.value.filter((x) => x !== id)
  }

  /** Registers a terminal; it first gets what was already received. Returns the unsubscribe. */
  function addSink(id: string, sink: ConsoleSink, port = COM1): () => void {
    const s = stream(id, port)
    if (s.data) sink(s.data, true)
    s.sinks.add(sink)
    return () => s.sinks.delete(sink)
  }

  async function type(id: string, text: string, port = COM1): Promise<void> {
    try {
      await client.value!.invoke('console:input', { id, port, data: textToByteString(text) })
    } catch (e) {
      useErrorStore().report('Typing into the console', e)
    }
  }

  function forget(id: string): void {
    for (const port of PORTS) streams.delete(key(id, port))
    disconnect(id)
  }

  return { open, revision, attach, load, connect, disconnect, addSink, type, merge, forget, stream, tail }
})
