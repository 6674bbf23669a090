/**
 * The renderer's typed view of the contract: `invoke` resolves with the command's result or
 * throws an HvError `{ code, message }`; `on` subscribes to pushed events. Implemented over
 * Electron's preload bridge (ipc-client.ts) or a WebSocket to `hv-manager serve` (ws-client.ts).
 */
import type { Channel, CommandArgs, CommandResult, EventChannel, EventPayload } from '../../../contract'

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'unauthorized'

export interface HvClient {
  invoke<C extends Channel>(channel: C, args: CommandArgs<C>): Promise<CommandResult<C>>
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void
  /** Connection changes (WebSocket only; IPC is always connected). */
  onConnection(listener: (state: ConnectionState) => void): () => void
}
