/**
 * Guest debug sessions (TLFS 20.1-20.2): one byte channel per partition between the guest
 * (HvPostDebugData / HvRetrieveDebugData / HvResetDebugSession) and the host's debugger end,
 * which the app attaches to an xterm console through `hv.debug.host(partitionId)`. Outgoing
 * data waits in the session until a host listener takes it (all-or-nothing posts, 20.1.3);
 * incoming bytes beyond the buffer are dropped (20.1.4). A global received-byte count and a
 * per-session copy implement activity sensing (20.1.5). Finalizing a partition discards both
 * buffers (ch. 17: the session comes back reset).
 */
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'

export const HV_DEBUG_MAXIMUM_DATA_SIZE = 4088
export const HV_DEBUG_POST_LOOP = 0x1
export const HV_DEBUG_RETRIEVE_LOOP = 0x1
export const HV_DEBUG_RETRIEVE_TEST_ACTIVITY = 0x2
export const HV_DEBUG_PURGE_INCOMING_DATA = 0x1
export const HV_DEBUG_PURGE_OUTGOING_DATA = 0x2

/** DECISION: the outgoing buffer holds two maximal posts; the incoming one 16 KiB. */
export const DEBUG_OUTGOING_CAPACITY = 2 * HV_DEBUG_MAXIMUM_DATA_SIZE
export const DEBUG_INCOMING_CAPACITY = 0x4000

/** A growable FIFO of bytes with a fixed capacity. */
class ByteQueue {
  private buf: Uint8Array
  private head = 0
  length = 0
  constructor(readonly capacity: number) {
    this.buf = new Uint8Array(capacity)
  }
  get free(): number {
    return this.capacity - this.length
  }
  push(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.free)
    for (let i = 0; i < n; i++) this.buf[(this.head + this.length + i) % this.capacity] = bytes[i]
    this.length += n
    return n
  }
  take(n: number): Uint8Array {
    const k = Math.min(n, this.length)
    const out = new Uint8Array(k)
    for (let i = 0; i < k; i++) out[i] = this.buf[(this.head + i) % this.capacity]
    this.head = (this.head + k) % this.capacity
    this.length -= k
    return out
  }
  clear(): void {
    this.head = 0
    this.length = 0
  }
}

export class DebugSession {
  readonly outgoing = new ByteQueue(DEBUG_OUTGOING_CAPACITY)
  readonly incoming = new ByteQueue(DEBUG_INCOMING_CAPACITY)
  /** The session's copy of the global received count, refreshed on every retrieve. */
  seenReceived = 0
  readonly listeners = new Set<(bytes: Uint8Array) => void>()

  /** Hand pending outgoing bytes to the host, if someone listens. */
  drain(): void {
    if (this.listeners.size === 0 || this.outgoing.length === 0) return
    const bytes = this.outgoing.take(this.outgoing.length)
    for (const l of this.listeners) l(bytes)
  }
}

/** The host (debugger) end of a partition's session. */
export interface DebugHostEnd {
  /** Send bytes to the guest; returns how many fit in the incoming buffer (the rest are dropped). */
  write(bytes: Uint8Array): number
  /** Receive what the guest posts; returns the unsubscribe function. */
  onData(listener: (bytes: Uint8Array) => void): () => void
  /** Outgoing bytes posted by the guest and not yet taken by a listener. */
  readonly pendingOutgoing: number
}

export class HvDebugService {
  /** Bytes received from the debugger over all sessions (wraps at 2^32). */
  received = 0
  private readonly sessions = new Map<Partition, DebugSession>()

  constructor(private readonly hv: Hypervisor) {}

  /** Debugging support present (CPUID 0x40000003 EDX bit 1, 20.1). */
  get available(): boolean {
    return (this.hv.config.features.miscFeatures & 0x2) !== 0
  }

  session(p: Partition): DebugSession {
    let s = this.sessions.get(p)
    if (!s) this.sessions.set(p, (s = new DebugSession()))
    return s
  }

  /** Drop the session's buffers (finalize, restore). */
  discard(p: Partition): void {
    const s = this.sessions.get(p)
    if (!s) return
    s.outgoing.clear()
    s.incoming.clear()
    if (s.listeners.size === 0) this.sessions.delete(p)
  }

  /** The host end of partition `partitionId`'s session, or undefined when there is no such partition. */
  host(partitionId: bigint): DebugHostEnd | undefined {
    const p = this.hv.partitions.get(partitionId)
    if (!p) return undefined
    const s = this.session(p)
    return {
      write: (bytes) => {
        const n = s.incoming.push(bytes)
        this.received = (this.received + bytes.length) % 0x100000000 // every received byte counts, even dropped
        return n
      },
      onData: (listener) => {
        s.listeners.add(listener)
        s.drain()
        return () => s.listeners.delete(listener)
      },
      get pendingOutgoing() {
        return s.outgoing.length
      },
    }
  }
}
