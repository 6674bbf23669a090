/**
 * The shape of `window.hv`, which electron/preload.ts exposes through contextBridge: exactly
 * the contract, as untyped envelopes (the renderer's client types them with channels.ts).
 * Errors come back as `Result` data because Error objects lose their fields across IPC.
 */
import type { Channel, EventChannel } from './channels'
import type { Result } from './errors'

export interface HvBridge {
  invoke(channel: Channel, args: unknown): Promise<Result<unknown>>
  /** Subscribes to a pushed event; returns the unsubscribe function. */
  on(channel: EventChannel, listener: (payload: unknown) => void): () => void
}

/** IPC channel names used between preload and main (not visible to the renderer). */
export const IPC_INVOKE = 'hv:invoke'
export const IPC_EVENT = 'hv:event'
