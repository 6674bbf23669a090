/**
 * What core/host sees of a running machine. A Machine is one child partition turned into
 * a PC (chipset devices, loaded kernel, run loop). core/host creates one per running VM
 * inside a worker thread and forwards these events to the UI.
 */

/** VM lifecycle states (issue: VM lifecycle; Hyper-V Manager's State column). */
export type VmState = 'Off' | 'Starting' | 'Running' | 'Paused' | 'Saving' | 'Saved' | 'Restoring' | 'Stopping'

export type ClockKind = 'virtual' | 'host'

export interface MachineConfig {
  /** Guest RAM in MiB. */
  memoryMiB: number
  /** Virtual processors. */
  cpus: number
  /** Kernel image: multiboot v1 ELF32/ELF64, Linux bzImage, ELF64 or flat binary. */
  kernel: Uint8Array
  initrd?: Uint8Array
  cmdline?: string
  clock: ClockKind
  /** What a triple fault does to this VM. */
  onTripleFault: 'stop' | 'reset'
  /** Open a hypervisor debug session (TLFS ch. 20) for the guest; default true. */
  debug?: boolean
  /**
   * Processor resource control (TLFS ch. 18: reserve and limit in percent of one logical
   * processor per VP, weight 1-10000) and compatibility mode (5.2.11). Absent: 0 %, 100 %, 100, off.
   */
  processor?: { reserve: number; limit: number; weight: number; compatibilityMode: boolean }
  /**
   * A saved-state container (core/vmm/saved-state) to continue from: start() then goes
   * Off → Restoring → Running with the container's hardware, kernel and state (its config
   * wins over the fields above; read it with `savedStateConfig`). A bad container is refused
   * by start() with a SavedStateError and the machine stays Off.
   */
  restoreFrom?: Uint8Array
}

/** Why a machine stopped running. */
export interface MachineStop {
  kind: 'poweroff' | 'debug-exit' | 'triple-fault' | 'error' | 'turned-off'
  /** isa-debug-exit status ((value << 1) | 1), when kind is 'debug-exit'. */
  exitCode?: number
  message: string
}

export interface MachineEvents {
  /** Bytes the guest transmitted on COM1 (port 0) or COM2 (port 1). */
  serial(port: number, data: Uint8Array): void
  /** Bytes the guest wrote to its hypervisor debug session. */
  debug?(data: Uint8Array): void
  /** The machine stopped for good (it will not run again without a new start). */
  stopped(stop: MachineStop): void
  /**
   * The machine is about to stop: the guest still exists, so its final state can be read
   * (`captureSavedState`). Optional; tests compare final states with it.
   */
  stopping?(stop: MachineStop): void
}

/** The control surface of a running machine (implemented by core/vmm/machine.ts). */
export interface MachineControl {
  readonly state: VmState
  /** Load the kernel and start the run loop; resolves once the machine is Running. */
  start(): Promise<void>
  /** Hard power off (Hyper-V's "Turn Off"); resolves once Off. */
  turnOff(): Promise<void>
  pause(): void
  resume(): void
  reset(): void
  /**
   * Ask the guest to shut down (ACPI power button: PM1_STS.PWRBTN_STS, SCI on IRQ 9). Guests
   * without ACPI may poll port 0x600 bit 8 and power off by writing 0x3400 to port 0x604.
   */
  shutDown(): void
  /** Bytes typed by the user into COM1 (port 0) or COM2 (port 1). */
  sendSerial(port: number, data: Uint8Array): void
  /** Counters the host samples for the VM list's CPU Usage (instructions retired by all VPs). */
  readonly stats?: { readonly instructions: number }
  /**
   * Save the VM (Running|Paused → Saving → Saved): returns the saved-state container; the
   * machine then holds no guest and can only be turned off. Optional for other implementations.
   */
  save?(): Promise<Uint8Array>
}

/** Construct with `new Machine(config, events)` from core/vmm/machine.ts. */
export type MachineFactory = (config: MachineConfig, events: MachineEvents) => MachineControl

/** One stats object's decoded page (TLFS ch. 21, appendix J group short names). */
export interface HvStatsObject {
  kind: 'hypervisor' | 'lp' | 'partition' | 'vp'
  /** LP or VP index; 0 for the hypervisor and the partition. */
  index: number
  counters: Array<{ group: string; index: number; name: string; value: number }>
}

/** Every stats page the root maps for a VM, read at one moment. */
export interface HvStatsSnapshot {
  partitionId: string
  objects: HvStatsObject[]
}

/** One decoded event-log entry (TLFS ch. 19, appendix I), numbered for cursors. */
export interface HvEventLogRecord {
  seq: number
  log: 'GlobalSystemEvents' | 'LocalDiagnostics'
  type: number
  name: string
  /** Reference time (100 ns units) when logged. */
  timeStamp: number
  lp: number
  partitionId: string
  /** VP index when the event belongs to one, else null. */
  vp: number | null
  /** u64 parameters as hex strings. */
  params: string[]
}

/** Hypervisor services a machine may expose (core/vmm/machine.ts does); optional for fakes. */
export interface MachineHvServices {
  /** Decoded stats pages of the hypervisor, each LP, the partition and each VP. */
  hvStats(): HvStatsSnapshot
  /** Event-log entries after `cursor` (0: from the oldest kept), at most `limit`. */
  eventLog(cursor: number, limit?: number): { entries: HvEventLogRecord[]; cursor: number; lost: number }
  /** Bytes to the guest's debug session (ch. 20); returns how many were accepted. */
  sendDebug(data: Uint8Array): number
}
