/**
 * The one typed contract between the UI and the host: commands (request → response) and
 * pushed events, named `domain:verb`. Electron's preload, the IPC handlers in electron/main,
 * the WebSocket server and the renderer's clients are all typed from these two maps.
 */
import type { ByteString, ConsoleChunk, ConsoleHistory, HostInfo, UploadResult, VmConfig, VmStatsSample, VmSummary } from './types'

export interface Commands {
  'host:info': { args: Record<string, never>; result: HostInfo }
  'vm:list': { args: Record<string, never>; result: VmSummary[] }
  'vm:get': { args: { id: string }; result: VmSummary }
  'vm:create': { args: { config: VmConfig }; result: VmSummary }
  'vm:start': { args: { id: string }; result: VmSummary }
  'vm:turnOff': { args: { id: string }; result: VmSummary }
  'vm:delete': { args: { id: string }; result: { id: string } }
  'vm:pause': { args: { id: string }; result: VmSummary }
  'vm:resume': { args: { id: string }; result: VmSummary }
  'vm:reset': { args: { id: string }; result: VmSummary }
  /** A guest-visible shutdown request (ACPI-style), unlike Turn Off. */
  'vm:shutDown': { args: { id: string }; result: VmSummary }
  /** Replaces the VM's settings; machine settings (settingsNeedingOff) only while Off. */
  'vm:update': { args: { id: string; config: VmConfig }; result: VmSummary }
  'vm:save': { args: { id: string }; result: VmSummary }
  'vm:checkpoint': { args: { id: string; name: string }; result: VmSummary }
  /** Hypervisor statistics pages (TLFS ch. 21) of the VM's partition. */
  'vm:hvStats': { args: { id: string }; result: { id: string; counters: Record<string, number> } }
  /** Hypervisor event log entries (TLFS ch. 19). */
  'vm:eventLog': { args: { id: string }; result: { id: string; entries: string[] } }
  /**
   * Uploads a file into the host's data folder in base64 chunks (the browser's stand-in for
   * a native file dialog). The final chunk answers with the stored path; vm:create then moves
   * uploads it refers to into the VM's own folder.
   */
  'file:upload': {
    args: { uploadId: string; name: string; offset: number; data: string; final: boolean }
    result: { uploadId: string; received: number; file: UploadResult | null }
  }
  /** Shell-only commands (Electron): a native file picker and a Connect window per VM. */
  'shell:openFile': { args: { title: string }; result: { path: string | null } }
  'shell:openConnect': { args: { id: string }; result: { opened: boolean } }
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
  'vm:stats': VmStatsSample
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
  'vm:pause',
  'vm:resume',
  'vm:reset',
  'vm:shutDown',
  'vm:update',
  'vm:save',
  'vm:checkpoint',
  'vm:hvStats',
  'vm:eventLog',
  'file:upload',
  'shell:openFile',
  'shell:openConnect',
  'console:input',
  'console:history',
]

export const eventChannels: readonly EventChannel[] = ['vm:changed', 'console:output', 'vm:stats']

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (channels as readonly string[]).includes(value)
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && (eventChannels as readonly string[]).includes(value)
}
