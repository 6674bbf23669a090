/**
 * The one typed contract between the UI and the host: commands (request → response) and
 * pushed events, named `domain:verb`. Electron's preload, the IPC handlers in electron/main,
 * the WebSocket server and the renderer's clients are all typed from these two maps.
 */
import type {
  ByteString, CheckpointList, ConsoleChunk, ConsoleHistory, DebugChunk, HostInfo, HvEventLogResult, HvStatsResult, UploadResult,
  VmConfig, VmProgress, VmStatsSample, VmSummary, ExportResult, PackageChunk, HostSettings, HostSettingsResult, StopAllMode, StopAllResult,
} from './types'
import type { MenuCommand } from './menu'

export interface Commands {
  'host:info': { args: Record<string, never>; result: HostInfo }
  'vm:list': { args: Record<string, never>; result: VmSummary[] }
  'vm:get': { args: { id: string }; result: VmSummary }
  /** `location`: the folder the VM's files go to (`<location>/<VM id>/`); absent = Hypervisor Settings › Virtual Machines. */
  'vm:create': { args: { config: VmConfig; location?: string }; result: VmSummary }
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
  /** Takes a checkpoint of a Running/Paused/Off VM; an empty name gets Hyper-V's default name. */
  'vm:checkpoint': { args: { id: string; name: string }; result: CheckpointList }
  'checkpoint:list': { args: { id: string }; result: CheckpointList }
  /** Apply (revert to) a checkpoint; `createFirst` takes a checkpoint of the current state first. */
  'checkpoint:apply': { args: { id: string; checkpointId: string; createFirst: boolean }; result: CheckpointList }
  'checkpoint:rename': { args: { id: string; checkpointId: string; name: string }; result: CheckpointList }
  'checkpoint:delete': { args: { id: string; checkpointId: string; subtree: boolean }; result: CheckpointList }
  /** Hypervisor statistics pages (TLFS ch. 21) of the hypervisor, LPs, the VM's partition and VPs. */
  'vm:hvStats': { args: { id: string }; result: HvStatsResult }
  /** Hypervisor event log entries (TLFS ch. 19) after `cursor`. */
  'vm:eventLog': { args: { id: string; cursor: number }; result: HvEventLogResult }
  /** Bytes to the guest's hypervisor debug session (ch. 20). */
  'debug:input': { args: { id: string; data: ByteString }; result: { accepted: number } }
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
  /** A native folder picker (Electron); `defaultPath` is where it opens. */
  'shell:openFolder': { args: { title: string; defaultPath?: string }; result: { path: string | null } }
  'console:input': { args: { id: string; port: number; data: ByteString }; result: { accepted: number } }
  'console:history': { args: { id: string; port: number }; result: ConsoleHistory }
  /** Export an Off or Saved VM into a new folder `<path>/<VM name>` (absolute `path` on the host). */
  'vm:export': { args: { id: string; path: string }; result: ExportResult }
  /** Import a VM from an export folder or a package file on the host (e.g. an upload); a taken id gets a new one. */
  'vm:import': { args: { path: string }; result: VmSummary }
  /** Move, step 1: packs an Off or Saved VM into one file on its host. */
  'vm:package': { args: { id: string }; result: { packageId: string; size: number } }
  /** Move, step 2: reads the package in chunks (then `file:upload` them to the target and `vm:import`). */
  'package:read': { args: { packageId: string; offset: number }; result: PackageChunk }
  /** Drops a package (a move that was cancelled or failed). */
  'package:discard': { args: { packageId: string }; result: { packageId: string } }
  /** Move, last step, after the target acknowledged the import: deletes the VM here unless it changed since packing. */
  'vm:completeMove': { args: { id: string; packageId: string }; result: { id: string } }
  /**
   * Stops every Running or Paused VM of this host: Save them, Turn Off, or Shut Down (then
   * Turn Off those still on after `timeoutSeconds`, default 15). VMs in another transition are
   * refused with the reason; answers when every VM is done.
   */
  'host:stopAll': { args: { mode: StopAllMode; timeoutSeconds?: number }; result: StopAllResult }
  /** Hypervisor Settings (host-settings.json in the data folder). */
  'host:getSettings': { args: Record<string, never>; result: HostSettingsResult }
  'host:setSettings': { args: { settings: HostSettings }; result: HostSettingsResult }
}

export type Channel = keyof Commands
export type CommandArgs<C extends Channel> = Commands[C]['args']
export type CommandResult<C extends Channel> = Commands[C]['result']

export interface Events {
  /** A VM was created, changed state or was deleted (`vm` is null when deleted). */
  'vm:changed': { id: string; vm: VmSummary | null }
  'console:output': ConsoleChunk
  'vm:stats': VmStatsSample
  'debug:output': DebugChunk
  'vm:progress': VmProgress
  /** The desktop app's menu (contract/menu.ts): sent by Electron to the manager window only. */
  'menu:command': { command: MenuCommand }
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
  'checkpoint:list',
  'checkpoint:apply',
  'checkpoint:rename',
  'checkpoint:delete',
  'vm:hvStats',
  'vm:eventLog',
  'debug:input',
  'file:upload',
  'shell:openFile',
  'shell:openConnect',
  'shell:openFolder',
  'console:input',
  'console:history',
  'vm:export',
  'vm:import',
  'vm:package',
  'package:read',
  'package:discard',
  'vm:completeMove',
  'host:stopAll',
  'host:getSettings',
  'host:setSettings',
]

export const eventChannels: readonly EventChannel[] = ['vm:changed', 'console:output', 'vm:stats', 'debug:output', 'vm:progress', 'menu:command']

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (channels as readonly string[]).includes(value)
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && (eventChannels as readonly string[]).includes(value)
}
