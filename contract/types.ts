/**
 * Data types that cross the HV Manager contract: VM configuration as the user enters it, the
 * VM summary the manager's list shows (Hyper-V Manager's Name, State, CPU Usage, Assigned
 * Memory, Uptime and Status columns), host information and console chunks. Plain JSON only,
 * so the same values travel over Electron IPC and WebSocket.
 */

/** VM lifecycle states, the same names as core/vmm's machine state machine. */
export const VmStates = ['Off', 'Starting', 'Running', 'Paused', 'Saving', 'Saved', 'Restoring', 'Stopping'] as const
export type VmState = (typeof VmStates)[number]

export const ClockKinds = ['virtual', 'host'] as const
export type ClockKind = (typeof ClockKinds)[number]

/** Where the VM's kernel comes from. */
export type BootSource =
  /** A guest bundled with the app (`resources/guests/build/<guest>.elf`), e.g. `hello`. */
  | { kind: 'bundled'; guest: string }
  /** Files on the host: a kernel image and optional initrd and command line. */
  | { kind: 'kernel'; kernelPath: string; initrdPath?: string; cmdline?: string }

export const TripleFaultActions = ['stop', 'reset'] as const
export type TripleFaultAction = (typeof TripleFaultActions)[number]

export interface VmConfig {
  name: string
  memoryMiB: number
  cpus: number
  boot: BootSource
  clock: ClockKind
  /** How many COM ports have a console (1 = COM1 only, 2 = COM1 and COM2). Default 2. */
  comPorts: 1 | 2
  /** What a guest triple fault does: stop the VM (Off, reason in Status) or reset it. Default 'stop'. */
  onTripleFault: TripleFaultAction
  /** Free text the user keeps with the VM (Hyper-V Manager's Notes). Default ''. */
  notes: string
  /** Open a hypervisor debug session (TLFS ch. 20) for the guest. Absent means on. */
  debug?: boolean
  /** Processor resource control and compatibility (TLFS 5.2, ch. 18). Absent = the defaults. */
  processor?: ProcessorSettings
  /** Checkpoint settings (Hyper-V Manager's Checkpoints page). Absent = the defaults. */
  checkpoints?: CheckpointSettings
  /** What the host does with this VM when it starts. Absent = 'start-if-running'. */
  automaticStartAction?: AutomaticStartAction
  /** Seconds the host waits before the automatic start. Absent = 0. */
  automaticStartDelaySeconds?: number
  /** What the host does with this VM when it shuts down. Absent = 'save'. */
  automaticStopAction?: AutomaticStopAction
}

/** Hyper-V Manager's Processor page, mapped onto the partition's scheduler properties. */
export interface ProcessorSettings {
  /** Virtual machine reserve, percent of one logical processor per VP (HvPartitionPropertyCpuReserve). */
  reserve: number
  /** Virtual machine limit, percent of one logical processor per VP (HvPartitionPropertyCpuCap). */
  limit: number
  /** Relative weight, 1-10000 (HvPartitionPropertyCpuWeight). */
  weight: number
  /** Processor compatibility mode (HvPartitionPropertyProcessorFeatures = the spec's compatibility mask, 5.2.11). */
  compatibilityMode: boolean
}

export const defaultProcessorSettings: ProcessorSettings = { reserve: 0, limit: 100, weight: 100, compatibilityMode: false }

export const CheckpointTypes = ['standard', 'production'] as const
export type CheckpointType = (typeof CheckpointTypes)[number]

export interface CheckpointSettings {
  enabled: boolean
  /** 'standard' captures the running memory and devices; 'production' only the configuration (no in-guest VSS here). */
  type: CheckpointType
  /** Production checkpoints of a running VM fall back to standard ones instead of being refused. */
  fallbackToStandard: boolean
  /** Folder holding the checkpoint files; absent = `<VM folder>/checkpoints`. */
  location?: string
}

export const defaultCheckpointSettings: CheckpointSettings = { enabled: true, type: 'production', fallbackToStandard: true }

export const AutomaticStartActions = ['nothing', 'start-if-running', 'always-start'] as const
export type AutomaticStartAction = (typeof AutomaticStartActions)[number]
export const AutomaticStopActions = ['save', 'turn-off', 'shut-down'] as const
export type AutomaticStopAction = (typeof AutomaticStopActions)[number]

/** Settings that change the machine itself: refused while the VM is not Off. */
export const settingsNeedingOff = ['memoryMiB', 'cpus', 'boot', 'clock', 'comPorts', 'onTripleFault', 'debug', 'processor'] as const satisfies readonly (keyof VmConfig)[]

/** A live sample of a running VM's activity, pushed about once a second. */
export interface VmStatsSample {
  id: string
  /** Epoch ms of the sample. */
  at: number
  /** Instructions retired by all VPs since the VM started. */
  instructions: number
  instructionsPerSecond: number
  cpuUsagePercent: number
}

/** How the VM last stopped (mirrors core/vmm's MachineStop). */
export interface VmStopInfo {
  kind: 'poweroff' | 'debug-exit' | 'triple-fault' | 'error' | 'turned-off'
  exitCode?: number
  message: string
  at: number
}

export interface VmSummary {
  id: string
  config: VmConfig
  state: VmState
  /** Epoch ms when the VM was created. */
  createdAt: number
  /** Epoch ms when the VM last entered Running; null when not running. Uptime = now - startedAt. */
  startedAt: number | null
  /** Guest CPU usage in percent; null until the machine reports it. */
  cpuUsagePercent: number | null
  /** Instructions retired per second over the last sample; null until the machine reports it. */
  instructionsPerSecond: number | null
  /** Memory assigned to the running VM in MiB (0 when Off, like Hyper-V Manager). */
  assignedMemoryMiB: number
  /** Hyper-V Manager's Status column, e.g. "Operating normally". */
  status: string
  lastStop: VmStopInfo | null
}

/** Optional features whose core may not exist yet; the host answers NOT_AVAILABLE for those that are false. */
export interface HostFeatures {
  shutDown: boolean
  save: boolean
  checkpoints: boolean
  hypervisorStats: boolean
  eventLog: boolean
  debugConsole: boolean
  /** Native file dialogs and Connect windows (the Electron shell only). */
  nativeShell: boolean
}

export interface UploadResult {
  /** Host path of the stored file, usable as a boot path in a VmConfig. */
  path: string
  size: number
}

export interface BundledGuest {
  name: string
  description: string
}

export interface HostInfo {
  version: string
  platform: string
  /** Bundled guests found on disk (`resources/guests/build`). */
  guests: BundledGuest[]
  /** Problems found while loading the inventory (corrupt files are reported, not fatal). */
  problems: string[]
  features: HostFeatures
  /** The host's folder for VM files (uploads are stored under it). */
  dataDir: string
}

/**
 * Serial data as a "byte string": one char per byte (code 0..255), so raw guest bytes survive
 * JSON unchanged, including UTF-8 sequences split across chunks.
 */
export type ByteString = string

export interface ConsoleChunk {
  id: string
  /** 0 = COM1, 1 = COM2. */
  port: number
  /** Byte offset of `data` in the VM's console stream; lets a client drop what it already has. */
  offset: number
  data: ByteString
}

export interface ConsoleHistory {
  id: string
  port: number
  /** Offset of the first byte of `data` (older bytes were dropped from the host's ring). */
  offset: number
  data: ByteString
}

/** One stats object's decoded page (TLFS ch. 21; groups as appendix J names them: HCA, LPA, PA, PV, VPA, VPV). */
export interface HvStatsObjectPage {
  kind: 'hypervisor' | 'lp' | 'partition' | 'vp'
  index: number
  counters: Array<{ group: string; index: number; name: string; value: number }>
}

/** `vm:hvStats`: every stats page the host maps for the VM, read at `at` (epoch ms). */
export interface HvStatsResult {
  id: string
  at: number
  partitionId: string
  objects: HvStatsObjectPage[]
}

/** One decoded hypervisor event-log entry (TLFS ch. 19, appendix I). */
export interface HvEventLogEntry {
  /** Increasing number; pass the last one seen as `cursor` to get only newer entries. */
  seq: number
  log: 'GlobalSystemEvents' | 'LocalDiagnostics'
  type: number
  name: string
  /** Reference time in 100 ns units. */
  timeStamp: number
  lp: number
  partitionId: string
  vp: number | null
  params: string[]
}

export interface HvEventLogResult {
  id: string
  entries: HvEventLogEntry[]
  cursor: number
  /** Events the hypervisor could not log (no free buffer). */
  lost: number
}

/** A checkpoint as the Checkpoints pane shows it. */
export interface CheckpointInfo {
  id: string
  name: string
  parentId: string | null
  createdAt: number
  /** 'standard': memory and devices (applying resumes the guest); 'configuration': settings only (an Off VM's production checkpoint). */
  kind?: 'standard' | 'configuration'
}

export interface CheckpointList {
  id: string
  checkpoints: CheckpointInfo[]
  /** The checkpoint "Now" descends from, or null. */
  current: string | null
}

/** Bytes from or to the guest's hypervisor debug session. */
export interface DebugChunk {
  id: string
  data: ByteString
}

/** Progress of a long operation (save, restore, checkpoint, apply, export, import, move). */
export interface VmProgress {
  id: string
  operation: 'save' | 'restore' | 'checkpoint' | 'apply' | 'export' | 'import' | 'move'
  /** 0..100; 100 with `done` at the end. */
  percent: number
  done: boolean
  message: string
}

/** `vm:export`: the folder the export was written to. */
export interface ExportResult {
  id: string
  path: string
  /** Bytes of VM files written (without the manifest). */
  bytes: number
}

/** A chunk of a package file (Move), base64. */
export interface PackageChunk {
  packageId: string
  offset: number
  /** Total size of the package in bytes. */
  size: number
  data: string
  final: boolean
}

/** Stop All (host action): how the running and paused VMs are stopped. */
export const StopAllModes = ['shutDown', 'save', 'turnOff'] as const
export type StopAllMode = (typeof StopAllModes)[number]

/** What Stop All did to one VM. 'refused': not touched (the message says why); 'failed': tried, still on. */
export interface StopAllOutcome {
  id: string
  name: string
  result: 'saved' | 'shut-down' | 'turned-off' | 'refused' | 'failed'
  message: string
  /** The VM's state after Stop All. */
  state: VmState
}

export interface StopAllResult {
  mode: StopAllMode
  vms: StopAllOutcome[]
}

/** Hyper-V Manager's Hypervisor Settings, made real for this host. */
export interface HostSettings {
  /** Absolute folder new VMs' files go to (`<folder>/<VM id>/`). */
  virtualMachinesFolder: string
  /** Absolute folder new VMs keep their checkpoints in (`<folder>/<VM id>/`); '' = inside each VM's folder. */
  checkpointsFolder: string
  /** Apply the VMs' Automatic Start/Stop Actions when the host starts and stops. */
  automaticActions: boolean
}

/** `host:getSettings` / `host:setSettings`: the settings and what they would be if never changed. */
export interface HostSettingsResult {
  settings: HostSettings
  defaults: HostSettings
}
