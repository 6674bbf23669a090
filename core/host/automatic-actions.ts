/**
 * Hyper-V's Automatic Start Action and Automatic Stop Action, applied when the host service
 * starts and stops (`hv-manager serve` SIGINT/SIGTERM, the desktop app quitting).
 *
 * Stop: the VMs that are Running or Paused are written to `<data dir>/autostart.json`
 * (atomically, before anything is stopped), then each gets its stop action: Save (the saved
 * state is on disk before the host exits), Turn Off, or Shut Down (the ACPI power button;
 * turned off if the guest has not powered off after `shutDownTimeoutMs`).
 * Start: that file is read and removed, then after each VM's delay: "always-start" VMs start,
 * "start-if-running" VMs start if the file lists them, "nothing" VMs are left alone. A Saved
 * VM starts by restoring, so a VM saved on the way out continues where it was. After a crash
 * (no graceful stop) the file is absent and nothing starts by itself. Hypervisor Settings ›
 * Automatic actions off (`enabled()`): nothing starts or is recorded; the host turns VMs off.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AutomaticStartAction, AutomaticStopAction, VmState } from '../../contract'
import { removeFileDurable, writeFileAtomic } from './atomic-file'
import type { VmRecord } from './inventory'
import { isOn, stopVm } from './stop-vm'

export const AUTOSTART_FILE = 'autostart.json'

interface AutostartFile {
  version: 1
  /** Ids of the VMs that were Running or Paused when the host last stopped. */
  running: string[]
}

export interface AutomaticHost {
  dataDir: string
  records(): VmRecord[]
  state(id: string): VmState
  start(id: string): Promise<unknown>
  save(id: string): Promise<unknown>
  turnOff(id: string): Promise<unknown>
  shutDown(id: string): Promise<unknown>
  resume(id: string): Promise<unknown>
  /** A problem worth telling the user (serve prints it; the UI shows Status). */
  warn(message: string): void
  /** Hypervisor Settings › Automatic actions; read at each host start and stop (absent = on). */
  enabled?(): boolean
}

export const startActionOf = (r: VmRecord): AutomaticStartAction => r.config.automaticStartAction ?? 'start-if-running'
export const stopActionOf = (r: VmRecord): AutomaticStopAction => r.config.automaticStopAction ?? 'save'


export class AutomaticActions {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private stopped = false

  constructor(
    private readonly host: AutomaticHost,
    private readonly shutDownTimeoutMs = 10_000,
  ) {}

  private get file(): string {
    return join(this.host.dataDir, AUTOSTART_FILE)
  }

  /** Host start: schedules the start actions; resolves once they are scheduled (not started). */
  async onHostStart(): Promise<void> {
    let running = new Set<string>()
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8')) as Partial<AutostartFile>
      if (data.version === 1 && Array.isArray(data.running)) running = new Set(data.running.filter((x) => typeof x === 'string'))
      // Consumed: after a later crash, an old list must not start VMs the user stopped since.
      await removeFileDurable(this.file)
    } catch {
      // No graceful stop recorded (first start, or the host was killed): only "always-start".
    }
    // Turned off in Hypervisor Settings: the list is still consumed, so turning it on later
    // does not start VMs from an old stop.
    if (this.host.enabled?.() === false) return
    for (const r of this.host.records()) {
      const action = startActionOf(r)
      if (action === 'nothing' || (action === 'start-if-running' && !running.has(r.id))) continue
      const delayMs = (r.config.automaticStartDelaySeconds ?? 0) * 1000
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        if (this.stopped) return
        const s = this.host.state(r.id)
        if (s !== 'Off' && s !== 'Saved') return
        this.host.start(r.id).catch((e: unknown) => this.host.warn(`Automatic start of "${r.config.name}" failed: ${(e as Error).message}`))
      }, delayMs)
      this.timers.add(timer)
    }
  }

  /** Host stop: records what runs, then applies every running VM's stop action. */
  async onHostStop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    // Turned off in Hypervisor Settings: nothing is recorded and the host turns every VM off.
    if (this.host.enabled?.() === false) return
    const on = this.host.records().filter((r) => isOn(this.host.state(r.id)))
    const data: AutostartFile = { version: 1, running: on.map((r) => r.id) }
    try {
      await writeFileAtomic(this.file, JSON.stringify(data) + '\n')
    } catch (e) {
      this.host.warn(`Which VMs were running could not be recorded: ${(e as Error).message}`)
    }
    await Promise.all(on.map((r) => this.stopOne(r)))
  }

  private async stopOne(r: VmRecord): Promise<void> {
    const outcome = await stopVm(this.host, r.id, r.config.name, stopActionOf(r), this.shutDownTimeoutMs)
    if (outcome.result === 'failed') {
      this.host.warn(`The automatic stop action of "${r.config.name}" failed (${outcome.message}); turning it off`)
      if (isOn(this.host.state(r.id))) await this.host.turnOff(r.id).catch(() => undefined)
    } else if (outcome.result === 'turned-off' && stopActionOf(r) === 'shut-down') {
      this.host.warn(outcome.message)
    }
  }
}
