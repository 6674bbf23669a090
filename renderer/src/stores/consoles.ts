/**
 * Serial consoles (COM1) of the VMs: which Connect windows are open, and each VM's console
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
const KEEP_BYTES = 256 * 1024

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

  function stream(id: string): ConsoleStream {
    let s = streams.get(id)
    if (!s) streams.set(id, (s = { start: 0, end: 0, data: '', sinks: new Set() }))
    return s
  }

  function replace(s: ConsoleStream, start: number, data: string): void {
    const drop = Math.max(0, data.length - KEEP_BYTES)
    s.data = data.slice(drop)
    s.start = start + drop
    s.end = s.start + s.data.length
    for (const sink of s.sinks) sink(s.data, true)
  }

  /** Merges the chunk [offset, offset + data.length) of a VM's COM1 stream. */
  function merge(id: string, offset: number, data: string): void {
    const s = stream(id)
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
    return c.on('console:output', (chunk: ConsoleChunk) => {
      if (chunk.port === COM1) merge(chunk.id, chunk.offset, chunk.data)
    })
  }

  async function connect(id: string): Promise<void> {
    if (!open.value.includes(id)) open.value.push(id)
    try {
      const h = await client.value!.invoke('console:history', { id, port: COM1 })
      merge(id, h.offset, h.data)
    } catch (e) {
      useErrorStore().report('Connecting to the console', e)
    }
  }

  function disconnect(id: string): void {
    open.value = open.value.filter((x) => x !== id)
  }

  /** Registers a terminal; it first gets what was already received. Returns the unsubscribe. */
  function addSink(id: string, sink: ConsoleSink): () => void {
    const s = stream(id)
    if (s.data) sink(s.data, true)
    s.sinks.add(sink)
    return () => s.sinks.delete(sink)
  }

  async function type(id: string, text: string): Promise<void> {
    try {
      await client.value!.invoke('console:input', { id, port: COM1, data: textToByteString(text) })
    } catch (e) {
      useErrorStore().report('Typing into the console', e)
    }
  }

  function forget(id: string): void {
    streams.delete(id)
    disconnect(id)
  }

  return { open, attach, connect, disconnect, addSink, type, merge, forget, stream }
})
