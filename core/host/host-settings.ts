/**
 * Hyper-V Manager's Hypervisor Settings for this host, kept in `<data dir>/host-settings.json`
 * (written atomically, atomic-file.ts): the default folder for new VMs' files, the default
 * folder for new VMs' checkpoints, and whether the VMs' Automatic Start/Stop Actions run when
 * the host starts and stops. A missing file means the defaults; an unreadable or invalid one
 * also means the defaults, is reported as an inventory problem and is left untouched until
 * the settings are saved again (never a crash).
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ErrorCode, HvError, validateHostSettings, type HostSettings, type HostSettingsResult } from '../../contract'
import { writeFileAtomic } from './atomic-file'

export const HOST_SETTINGS_FILE = 'host-settings.json'
const FORMAT_VERSION = 1

export function defaultHostSettings(dataDir: string): HostSettings {
  return { virtualMachinesFolder: join(dataDir, 'files'), checkpointsFolder: '', automaticActions: true }
}

export class HostSettingsStore {
  /** What was wrong with the file when it was loaded (shown with the inventory's problems). */
  readonly problems: string[] = []
  private value: HostSettings

  private constructor(private readonly dataDir: string) {
    this.value = defaultHostSettings(dataDir)
  }

  static async open(dataDir: string): Promise<HostSettingsStore> {
    const store = new HostSettingsStore(dataDir)
    await store.load()
    return store
  }

  private get path(): string {
    return join(this.dataDir, HOST_SETTINGS_FILE)
  }

  get current(): HostSettings {
    return { ...this.value }
  }

  result(): HostSettingsResult {
    return { settings: this.current, defaults: defaultHostSettings(this.dataDir) }
  }

  private async load(): Promise<void> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.problems.push(`${HOST_SETTINGS_FILE} could not be read (${(e as Error).message}); the default Hypervisor Settings are used`)
      return
    }
    try {
      const v = JSON.parse(text) as Record<string, unknown> | null
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object')
      if (v.version !== FORMAT_VERSION) throw new Error(`unsupported version ${String(v.version)}`)
      const { version: _, ...settings } = v
      this.value = validateHostSettings(settings, HOST_SETTINGS_FILE)
    } catch (e) {
      this.problems.push(`${HOST_SETTINGS_FILE} is corrupt (${(e as Error).message}); the default Hypervisor Settings are used until they are saved again`)
    }
  }

  /** Checks the folders can be used (creating them), then persists; STORAGE error otherwise. */
  async set(settings: HostSettings): Promise<HostSettingsResult> {
    const folders: Array<[string, string]> = [['Virtual Machines', settings.virtualMachinesFolder]]
    if (settings.checkpointsFolder) folders.push(['Checkpoints', settings.checkpointsFolder])
    for (const [label, folder] of folders) {
      try {
        await mkdir(folder, { recursive: true })
      } catch (e) {
        throw new HvError(ErrorCode.STORAGE, `The ${label} folder ${folder} cannot be used: ${(e as Error).message}`)
      }
    }
    try {
      await writeFileAtomic(this.path, JSON.stringify({ version: FORMAT_VERSION, ...settings }, null, 2) + '\n')
    } catch (e) {
      throw new HvError(ErrorCode.STORAGE, `The Hypervisor Settings could not be saved: ${(e as Error).message}`)
    }
    this.value = { ...settings }
    return this.result()
  }
}
