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

export interface VmConfig {
  name: string
  memoryMiB: number
  cpus: number
  boot: BootSource
  clock: ClockKind
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
  /** Memory assigned to the running VM in MiB (0 when Off, like Hyper-V Manager). */
  assignedMemoryMiB: number
  /** Hyper-V Manager's Status column, e.g. "Operating normally". */
  status: string
  lastStop: VmStopInfo | null
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
