/**
 * The VM inventory on disk: one JSON file per VM (`vms/<id>.json`) plus an index
 * (`index.json`) that keeps the list order. Every write is atomic (see atomic-file.ts), the
 * VM file is written before the index on create and the index before the file on delete, so
 * a crash never leaves an acknowledged VM unreachable. Corrupt files are reported as
 * problems and skipped, never fatal, and never overwritten (the user may want to repair them).
 * Loading also sweeps what an interrupted write leaves: temp files, and `files/<id>/` folders
 * whose VM file does not exist (a create or import that never reached its VM file, or a
 * delete that removed the VM file but not yet its folder).
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { validateVmConfig, type VmConfig } from '../../contract'
import { removeFileDurable, sweepTempFiles, writeFileAtomic } from './atomic-file'
import { crashPoint } from './crash-seam'

export interface VmRecord {
  id: string
  createdAt: number
  config: VmConfig
  /**
   * The folder holding this VM's own folder (`<folder>/<id>/`), chosen when it was created
   * (Hypervisor Settings › Virtual Machines, or the wizard's Location); absent = `<data dir>/files`.
   */
  folder?: string
}

const FORMAT_VERSION = 1
const idPattern = /^[A-Za-z0-9-]{1,64}$/

export class Inventory {
  private readonly records = new Map<string, VmRecord>()
  private order: string[] = []
  /** Human-readable problems found while loading (corrupt or missing files). */
  readonly problems: string[] = []
  /** True when this data folder had never held an inventory (no index.json, no VM files). */
  firstRun = false

  private constructor(readonly dataDir: string) {}

  static async open(dataDir: string): Promise<Inventory> {
    const inv = new Inventory(dataDir)
    await mkdir(inv.vmsDir, { recursive: true })
    await inv.load()
    return inv
  }

  private get vmsDir(): string {
    return join(this.dataDir, 'vms')
  }

  private get indexPath(): string {
    return join(this.dataDir, 'index.json')
  }

  private vmPath(id: string): string {
    return join(this.vmsDir, `${id}.json`)
  }

  /** The VM's own folder for its files (uploaded kernels, saved state, checkpoints). */
  vmFolder(id: string): string {
    return join(this.records.get(id)?.folder ?? this.defaultFolder, id)
  }

  /** Where VM folders go unless Hypervisor Settings or the wizard name another folder. */
  get defaultFolder(): string {
    return join(this.dataDir, 'files')
  }

  list(): VmRecord[] {
    return this.order.map((id) => this.records.get(id)).filter((r): r is VmRecord => r !== undefined)
  }

  get(id: string): VmRecord | undefined {
    return this.records.get(id)
  }

  async add(record: VmRecord): Promise<void> {
    await writeFileAtomic(this.vmPath(record.id), serializeRecord(record))
    this.records.set(record.id, record)
    this.order.push(record.id)
    try {
      await this.writeIndex()
    } catch (e) {
      // Roll back in memory; the orphan file is adopted on next load, which is harmless.
      this.records.delete(record.id)
      this.order = this.order.filter((x) => x !== record.id)
      throw e
    }
  }

  /** Replaces a VM's record (settings, name, notes); the file is rewritten atomically. */
  async update(record: VmRecord): Promise<void> {
    if (!this.records.has(record.id)) throw new Error(`VM ${record.id} is not in the inventory`)
    await writeFileAtomic(this.vmPath(record.id), serializeRecord(record))
    this.records.set(record.id, record)
  }

  async remove(id: string): Promise<void> {
    // Its folder may be outside the data folder: known only while the record is.
    const folder = this.vmFolder(id)
    const previous = this.order
    this.order = this.order.filter((x) => x !== id)
    try {
      await this.writeIndex()
    } catch (e) {
      this.order = previous
      throw e
    }
    this.records.delete(id)
    crashPoint('inventory:after-index', id)
    await removeFileDurable(this.vmPath(id))
    await rm(folder, { recursive: true, force: true })
  }

  /** True when `id` names a VM here or a VM file that failed to load (ids must not collide). */
  hasId(id: string): boolean {
    return this.records.has(id) || this.unreadable.has(id)
  }

  /** Writes an empty index on first run, so "first run" is remembered even with no VMs. */
  async ensureIndex(): Promise<void> {
    if (!this.indexExisted) await this.writeIndex()
    this.indexExisted = true
  }

  private async writeIndex(): Promise<void> {
    await writeFileAtomic(this.indexPath, JSON.stringify({ version: FORMAT_VERSION, vms: this.order }, null, 2) + '\n')
  }

  private readonly unreadable = new Set<string>()

  private async load(): Promise<void> {
    await sweepTempFiles(this.dataDir)
    await sweepTempFiles(this.vmsDir)
    const indexed = await this.readIndex()
    const files = (await readdir(this.vmsDir)).filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    this.firstRun = !this.indexExisted && files.length === 0
    const onDisk = new Set(files.map((f) => f.slice(0, -'.json'.length)))
    for (const id of indexed) {
      if (!onDisk.has(id)) this.problems.push(`VM ${id} is listed in index.json but vms/${id}.json is missing`)
    }
    // Index order first, then files the index does not know (written before a crash).
    const ids = [...indexed.filter((id) => onDisk.has(id)), ...[...onDisk].filter((id) => !indexed.includes(id)).sort()]
    for (const id of ids) {
      const record = await this.readRecord(id)
      if (record) {
        this.records.set(id, record)
        this.order.push(id)
      } else this.unreadable.add(id)
    }
    await this.sweepFolders(onDisk)
    // VMs created in another folder (Hypervisor Settings › Virtual Machines) are swept there.
    for (const r of this.records.values()) {
      if (r.folder === undefined) continue
      await sweepTempFiles(this.vmFolder(r.id))
      await sweepTempFiles(join(this.vmFolder(r.id), 'checkpoints'))
    }
    // Imports being staged and Move packages never outlive the host process that made them.
    await rm(join(this.dataDir, 'staging'), { recursive: true, force: true })
    await rm(join(this.dataDir, 'packages'), { recursive: true, force: true })
  }

  /** Removes VM folders without a VM file and temp files inside the others. */
  private async sweepFolders(vmFiles: Set<string>): Promise<void> {
    const filesDir = join(this.dataDir, 'files')
    let folders: string[]
    try {
      folders = await readdir(filesDir)
    } catch {
      return
    }
    for (const id of folders) {
      if (!vmFiles.has(id)) {
        await rm(join(filesDir, id), { recursive: true, force: true })
        continue
      }
      await sweepTempFiles(join(filesDir, id))
      await sweepTempFiles(join(filesDir, id, 'checkpoints'))
    }
  }

  private indexExisted = true

  private async readIndex(): Promise<string[]> {
    let text: string
    try {
      text = await readFile(this.indexPath, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.indexExisted = false
        return []
      }
      this.problems.push(`index.json could not be read: ${(e as Error).message}`)
      return []
    }
    try {
      const v = JSON.parse(text) as { version?: unknown; vms?: unknown }
      if (v.version !== FORMAT_VERSION || !Array.isArray(v.vms) || !v.vms.every((x) => typeof x === 'string' && idPattern.test(x))) {
        throw new Error('unexpected structure')
      }
      return [...new Set(v.vms as string[])]
    } catch (e) {
      this.problems.push(`index.json is corrupt (${(e as Error).message}); the VM list was rebuilt from vms/`)
      return []
    }
  }

  private async readRecord(id: string): Promise<VmRecord | null> {
    const file = `vms/${id}.json`
    if (!idPattern.test(id)) {
      this.problems.push(`${file} has an invalid name and was ignored`)
      return null
    }
    try {
      const v = JSON.parse(await readFile(this.vmPath(id), 'utf8')) as Record<string, unknown>
      if (v.version !== FORMAT_VERSION) throw new Error(`unsupported version ${String(v.version)}`)
      if (v.id !== id) throw new Error('id does not match the file name')
      if (typeof v.createdAt !== 'number' || !Number.isFinite(v.createdAt)) throw new Error('createdAt is missing')
      const record: VmRecord = { id, createdAt: v.createdAt, config: validateVmConfig(v.config) }
      if (v.folder !== undefined) {
        if (typeof v.folder !== 'string' || !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(v.folder)) throw new Error('folder must be an absolute path')
        record.folder = v.folder
      }
      return record
    } catch (e) {
      this.problems.push(`${file} is corrupt and was skipped: ${(e as Error).message}`)
      return null
    }
  }
}

function serializeRecord(r: VmRecord): string {
  // `folder` is written only when it is not the default, so such files read as before.
  const folder = r.folder === undefined ? {} : { folder: r.folder }
  return JSON.stringify({ version: FORMAT_VERSION, id: r.id, createdAt: r.createdAt, config: r.config, ...folder }, null, 2) + '\n'
}
