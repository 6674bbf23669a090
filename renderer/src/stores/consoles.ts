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

export interface ConsoleStream {
  /** Offset just past the last byte received. */
  end: number
  /** The most recent bytes (a byte string), at most KEEP_BYTES. */
  data: string
  sinks: Set<(bytes: string) => void>
}

export const useConsoleStore = defineStore('consoles', () => {
  const client = shallowRef<HvClient | null>(null)
  /** VM ids whose Connect window is open, in opening order. */
  const open = ref<string[]>([])
  const streams = new Map<string, ConsoleStream>()

  function stream(id: string): ConsoleStream {
    let s = streams.get(id)
    if (!s) streams.set(id, (s = { end: 0, data: '', sinks: new Set() }))
    return s
  }

  /** Merges a chunk at `offset`; returns the bytes that were new. */
  function merge(id: string, offset: number, data: string): string {
    const s = stream(id)
    const skip = Math.max(0, s.end - offset)
    if (skip >= data.length) return ''
    const fresh = data.slice(skip)
    // offset > end means the host dropped bytes we never saw; we just continue from here.
    s.end = offset + data.length
    s.data = (s.data + fresh).slice(-KEEP_BYTES)
    for (const sink of s.sinks) sink(fresh)
    return fresh
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
  function addSink(id: string, sink: (bytes: string) => void): () => void {
    const s = stream(id)
    if (s.data) sink(s.data)
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
