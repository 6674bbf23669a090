/**
 * The one typed contract between the UI and the host: commands (request → response) and
 * pushed events, named `domain:verb`. Electron's preload, the IPC handlers in electron/main,
 * the WebSocket server and the renderer's clients are all typed from these two maps.
 */
import type { ByteString, ConsoleChunk, ConsoleHistory, HostInfo, VmConfig, VmSummary } from './types'

export interface Commands {
  'host:info': { args: Record<string, never>; result: HostInfo }
  'vm:list': { args: Record<string, never>; result: VmSummary[] }
  'vm:get': { args: { id: string }; result: VmSummary }
  'vm:create': { args: { config: VmConfig }; result: VmSummary }
  'vm:start': { args: { id: string }; result: VmSummary }
  'vm:turnOff': { args: { id: string }; result: VmSummary }
  'vm:delete': { args: { id: string }; result: { id: string } }
  'console:input': { args: { id: string; port: number; data: ByteString }; result: { accepted: number } }
  'console:history': { args: { id: string; port: number }; result: ConsoleHistory }
}

export type Channel = keyof Commands
export type CommandArgs<C extends Channel> = Commands[C]['args']
export type CommandResult<C extends Channel> = Commands[C]['result']

export interface Events {
  /** A VM was created, changed state or was deleted (`vm` is null when deleted). */
  'vm:changed': { id: string; vm: VmSummary | null }
  'console:output': ConsoleChunk
}

export type EventChannel = keyof Events
export type EventPayload<E extends EventChannel> = Events[E]

export type HostEvent = { [E in EventChannel]: { channel: E; payload: Events[E] } }[EventChannel]

export const channels: readonly Channel[] = [
  'host:info',
  'vm:list',
  'vm:get',
  'vm:create',
  'vm:start',
  'vm:turnOff',
  'vm:delete',
  'console:input',
  'console:history',
]

export const eventChannels: readonly EventChannel[] = ['vm:changed', 'console:output']

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (channels as readonly string[]).includes(value)
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && (eventChannels as readonly string[]).includes(value)
}
