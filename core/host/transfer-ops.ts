/**
 * Export, Import and Move (Hyper-V Manager's actions of those names) on the host. Export
 * copies an Off or Saved VM — settings, saved state, checkpoints and boot files — into a new
 * folder (vm-package.ts format), written under a hidden temp name and renamed into place
 * when complete. Import checks an export (folder or package file) completely — manifest,
 * sizes, SHA-256 of every file, the checkpoint tree, every saved-state container — before it
 * copies anything into the data folder, stages the copy, renames it into the VM's folder and
 * only then registers the VM (keeping its id unless taken). Move = `vm:package` on the
 * source, `package:read` chunks → `file:upload` + `vm:import` on the target, then
 * `vm:completeMove` on the source, which deletes the VM only if it did not change meanwhile.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { ErrorCode, HvError, validateVmConfig, type CommandResult, type VmConfig, type VmSummary } from '../../contract'
import { CheckpointTree } from '../vmm/saved-state/checkpoint-tree'
import { renameDurable, syncDir, writeFileAtomic } from './atomic-file'
import { listBundledGuests } from './boot-source'
import { isConfigRef } from './checkpoint-store'
import { crashPoint } from './crash-seam'
import type { Inventory } from './inventory'
import type { VmHost } from './live-vm'
import {
  MANIFEST_FORMAT, MANIFEST_NAME, MANIFEST_VERSION, parseManifest, readPackage, sha256, writePackage, type Manifest, type ManifestFile,
} from './vm-package'

export interface TransferHost extends VmHost {
  inventory: Inventory
  dataDir: string
  guestsDir: string
  /** Throws when bytes are not a saved-state container this host can read. */
  checkSavedState(bytes: Uint8Array): void
  /** True when the path is inside the host's uploads folder (removed after an import). */
  isUpload(path: string): boolean
  /** Drops a deleted VM from the live set and tells subscribers. */
  forget(id: string): void
}

/** One file of an export: its path in the export and where its bytes come from now. */
interface Source {
  path: string
  from: string
}

interface PackageInfo {
  id: string
  file: string
  size: number
  /** The record and saved-state presence when packaged: a change in between cancels the move. */
  fingerprint: string
}

export const PACKAGE_CHUNK_BYTES = 384 * 1024

export class TransferOps {
  private readonly packages = new Map<string, PackageInfo>()

  constructor(private readonly host: TransferHost) {}

  private exportable(id: string): { name: string; saved: boolean } {
    const record = this.host.record(id)
    const state = this.host.live(id).state
    if (state !== 'Off' && state !== 'Saved') {
      throw new HvError(ErrorCode.INVALID_STATE, `"${record.config.name}" is ${state}; only a VM that is Off or Saved can be exported or moved`)
    }
    return { name: record.config.name, saved: state === 'Saved' }
  }

  private fingerprint(id: string): string {
    const r = this.host.record(id)
    return JSON.stringify([r.config, r.createdAt, this.host.live(id).state])
  }

  /** The files of a VM's export and its manifest (config with relative boot paths). */
  private async collect(id: string, saved: boolean): Promise<{ sources: Source[]; config: VmConfig }> {
    const h = this.host
    const record = h.record(id)
    const folder = h.vmFolder(id)
    const sources: Source[] = []
    if (saved) sources.push({ path: 'saved-state.hvs', from: h.savedStatePath(id) })
    const cpFolder = h.checkpointFolder(id)
    const treePath = join(cpFolder, 'tree.json')
    if (existsSync(treePath)) {
      const tree = CheckpointTree.fromJSON(JSON.parse(await readFile(treePath, 'utf8')))
      sources.push({ path: 'checkpoints/tree.json', from: treePath })
      for (const c of tree.all()) sources.push({ path: `checkpoints/${c.stateRef}`, from: join(cpFolder, c.stateRef) })
    }
    // The export carries the checkpoints itself; a location belongs to this host's disks.
    let config = withoutCheckpointLocation(record.config)
    if (config.boot.kind === 'kernel') {
      const boot = { ...config.boot }
      const kernel = `boot/${bootFileName(basename(boot.kernelPath))}`
      sources.push({ path: kernel, from: boot.kernelPath })
      boot.kernelPath = kernel
      if (boot.initrdPath !== undefined) {
        let initrd = `boot/${bootFileName(basename(boot.initrdPath))}`
        if (initrd === kernel) initrd = `boot/initrd-${bootFileName(basename(boot.initrdPath))}`
        sources.push({ path: initrd, from: boot.initrdPath })
        boot.initrdPath = initrd
      }
      config = { ...config, boot }
    }
    return { sources, config }
  }

  private async readSource(s: Source): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(s.from))
    } catch (e) {
      const code = s.path.startsWith('boot/') ? ErrorCode.BOOT_SOURCE : ErrorCode.STORAGE
      throw new HvError(code, `${s.path} could not be read from ${s.from}: ${(e as Error).message}`)
    }
  }

  private manifest(id: string, config: VmConfig, files: ManifestFile[]): string {
    const m: Manifest = {
      format: MANIFEST_FORMAT, version: MANIFEST_VERSION, id, createdAt: this.host.record(id).createdAt, exportedAt: this.host.now(), config, files,
    }
    return JSON.stringify(m, null, 2) + '\n'
  }

  /** Export to `<dest>/<VM name>`; answers with that folder. */
  async exportVm(id: string, dest: string): Promise<CommandResult<'vm:export'>> {
    const h = this.host
    const { name, saved } = this.exportable(id)
    if (!isAbsolute(dest)) throw new HvError(ErrorCode.INVALID_ARGUMENT, `The export folder must be an absolute path, not "${dest}"`)
    await mkdir(dest, { recursive: true }).catch(() => undefined)
    const isDir = await stat(dest).then((s) => s.isDirectory(), () => false)
    if (!isDir) throw new HvError(ErrorCode.INVALID_ARGUMENT, `${dest} is not a folder that can be created or written; choose another`)
    const target = join(dest, safeFileName(name))
    if (existsSync(target)) throw new HvError(ErrorCode.INVALID_ARGUMENT, `${target} already exists; choose another folder or rename the VM`)
    const temp = join(dest, `.${safeFileName(name)}.export-${randomBytes(4).toString('hex')}`)
    h.progress(id, 'export', 0, `Exporting "${name}"…`)
    let bytes = 0
    try {
      const { sources, config } = await this.collect(id, saved)
      await mkdir(temp)
      const files: ManifestFile[] = []
      for (const [i, s] of sources.entries()) {
        const data = await this.readSource(s)
        await mkdir(dirname(join(temp, s.path)), { recursive: true })
        await writeFileAtomic(join(temp, s.path), data)
        files.push({ path: s.path, size: data.length, sha256: sha256(data) })
        bytes += data.length
        h.progress(id, 'export', Math.round(((i + 1) / (sources.length + 1)) * 95), `Exporting "${name}": ${s.path}`)
      }
      await writeFileAtomic(join(temp, MANIFEST_NAME), this.manifest(id, config, files))
      crashPoint('export:written', target)
      await renameDurable(temp, target)
    } catch (e) {
      await rm(temp, { recursive: true, force: true }).catch(() => undefined)
      h.progress(id, 'export', 100, `Exporting "${name}" failed: ${(e as Error).message}`)
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.STORAGE, `"${name}" could not be exported: ${(e as Error).message}`)
    }
    h.progress(id, 'export', 100, `Exported "${name}" to ${target}`)
    return { id, path: target, bytes }
  }

  /** Move, step 1: the VM as one package file on this host, read with `package:read`. */
  async packageVm(id: string): Promise<CommandResult<'vm:package'>> {
    const h = this.host
    const { name, saved } = this.exportable(id)
    const packageId = randomUUID()
    const dir = join(h.dataDir, 'packages')
    const file = join(dir, `${packageId}.hvmpkg`)
    h.progress(id, 'move', 0, `Packing "${name}"…`)
    try {
      await mkdir(dir, { recursive: true })
      const { sources, config } = await this.collect(id, saved)
      const datas = new Map<string, Uint8Array>()
      const files: ManifestFile[] = []
      for (const s of sources) {
        const data = await this.readSource(s)
        datas.set(s.path, data)
        files.push({ path: s.path, size: data.length, sha256: sha256(data) })
      }
      const size = await writePackage(file, this.manifest(id, config, files), async (p) => datas.get(p)!, [...datas.keys()])
      this.packages.set(packageId, { id, file, size, fingerprint: this.fingerprint(id) })
      h.progress(id, 'move', 10, `Packed "${name}" (${size} bytes)`)
      return { packageId, size }
    } catch (e) {
      await rm(file, { force: true }).catch(() => undefined)
      h.progress(id, 'move', 100, `Moving "${name}" failed: ${(e as Error).message}`)
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.STORAGE, `"${name}" could not be packed: ${(e as Error).message}`)
    }
  }

  private pkg(packageId: string): PackageInfo {
    const p = this.packages.get(packageId)
    if (!p) throw new HvError(ErrorCode.INVALID_ARGUMENT, `There is no package "${packageId}" (it was finished, discarded, or the host restarted)`)
    return p
  }

  async readPackageChunk(packageId: string, offset: number): Promise<CommandResult<'package:read'>> {
    const p = this.pkg(packageId)
    if (offset > p.size) throw new HvError(ErrorCode.INVALID_ARGUMENT, `offset ${offset} is past the package's ${p.size} bytes`)
    const n = Math.min(PACKAGE_CHUNK_BYTES, p.size - offset)
    const buf = Buffer.alloc(n)
    const fh = await open(p.file, 'r')
    try {
      await fh.read(buf, 0, n, offset)
    } finally {
      await fh.close()
    }
    return { packageId, offset, size: p.size, data: buf.toString('base64'), final: offset + n >= p.size }
  }

  async discardPackage(packageId: string): Promise<{ packageId: string }> {
    const p = this.pkg(packageId)
    this.packages.delete(packageId)
    await rm(p.file, { force: true })
    return { packageId }
  }

  /** Move, last step: the target acknowledged the import; the VM leaves this host. */
  async completeMove(id: string, packageId: string): Promise<{ id: string }> {
    const h = this.host
    const p = this.pkg(packageId)
    if (p.id !== id) throw new HvError(ErrorCode.INVALID_ARGUMENT, `Package "${packageId}" is not of this VM`)
    const { name } = this.exportable(id)
    if (this.fingerprint(id) !== p.fingerprint) {
      throw new HvError(ErrorCode.INVALID_STATE, `"${name}" changed after it was packed; it was kept here. Delete the copy on the other host and move it again`)
    }
    crashPoint('move:before-delete', id)
    try {
      await h.inventory.remove(id)
    } catch (e) {
      throw new HvError(ErrorCode.STORAGE, `"${name}" was copied but could not be deleted here: ${(e as Error).message}`)
    }
    h.forget(id)
    await this.discardPackage(packageId)
    return { id }
  }

  /** Import from an export folder or a package file. */
  async importVm(path: string): Promise<VmSummary> {
    const h = this.host
    if (!isAbsolute(path)) throw new HvError(ErrorCode.INVALID_ARGUMENT, `The import path must be absolute, not "${path}"`)
    // A file dialog can only pick files: the manifest stands for its folder.
    if (basename(path) === MANIFEST_NAME) path = dirname(path)
    const st = await stat(path).catch(() => null)
    if (!st) throw new HvError(ErrorCode.INVALID_ARGUMENT, `${path} does not exist`)
    let entries: Map<string, Uint8Array>
    try {
      entries = st.isDirectory() ? await readFolder(path) : await readPackage(path)
    } catch (e) {
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.STORAGE, `${path} could not be read: ${(e as Error).message}`)
    }
    const m = parseManifest(Buffer.from(entries.get(MANIFEST_NAME) ?? new Uint8Array()).toString('utf8') || 'missing')
    const name = m.config.name
    const id = h.inventory.hasId(m.id) || existsSync(h.vmFolder(m.id)) ? randomUUID() : m.id
    h.progress(id, 'import', 5, `Checking "${name}"…`)
    await this.check(m, entries, path, st.isDirectory())
    const staging = join(h.dataDir, 'staging', id)
    const folder = h.vmFolder(id)
    try {
      await rm(staging, { recursive: true, force: true })
      for (const [i, f] of m.files.entries()) {
        const target = join(staging, f.path)
        await mkdir(dirname(target), { recursive: true })
        await writeFileAtomic(target, entries.get(f.path)!)
        h.progress(id, 'import', 10 + Math.round(((i + 1) / m.files.length) * 80), `Importing "${name}": ${f.path}`)
      }
      await mkdir(staging, { recursive: true })
      await syncDir(staging)
      crashPoint('import:staged', id)
      await mkdir(dirname(folder), { recursive: true })
      await renameDurable(staging, folder)
      // Imported checkpoints are in the VM's folder, whatever location the manifest names.
      let config = withoutCheckpointLocation(m.config)
      if (config.boot.kind === 'kernel') {
        const boot = { ...config.boot, kernelPath: join(folder, config.boot.kernelPath) }
        if (config.boot.initrdPath !== undefined) boot.initrdPath = join(folder, config.boot.initrdPath)
        config = { ...config, boot }
      }
      await h.inventory.add({ id, createdAt: m.createdAt, config })
    } catch (e) {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined)
      if (!h.inventory.get(id)) await rm(folder, { recursive: true, force: true }).catch(() => undefined)
      h.progress(id, 'import', 100, `Importing "${name}" failed: ${(e as Error).message}`)
      throw new HvError(ErrorCode.STORAGE, `"${name}" could not be imported: ${(e as Error).message}`)
    }
    if (!st.isDirectory() && h.isUpload(path)) await rm(path, { force: true }).catch(() => undefined)
    h.progress(id, 'import', 100, `Imported "${name}"`)
    return h.changed(id)
  }

  /** Everything an import needs, checked before anything is written. */
  private async check(m: Manifest, entries: Map<string, Uint8Array>, path: string, folder: boolean): Promise<void> {
    const bad = (why: string): HvError => new HvError(ErrorCode.INVALID_ARGUMENT, `The export ${path} is not valid: ${why}`)
    for (const f of m.files) {
      const data = entries.get(f.path)
      if (!data) throw bad(`${f.path} is missing`)
      if (data.length !== f.size) throw bad(`${f.path} has ${data.length} bytes, the manifest says ${f.size}`)
      if (sha256(data) !== f.sha256) throw bad(`${f.path} is corrupt (its checksum does not match)`)
    }
    // A package carries nothing unlisted; a folder may hold other files (ignored).
    if (!folder && entries.size !== m.files.length + 1) throw bad('the package holds files its manifest does not list')
    const listed = new Set(m.files.map((f) => f.path))
    const states = m.files.filter((f) => f.path.endsWith('.hvs') || isConfigRef(basename(f.path))).map((f) => f.path)
    const refs = new Set<string>()
    if (listed.has('checkpoints/tree.json')) {
      let tree: CheckpointTree
      try {
        tree = CheckpointTree.fromJSON(JSON.parse(Buffer.from(entries.get('checkpoints/tree.json')!).toString('utf8')))
      } catch (e) {
        throw bad(`the checkpoint list is invalid (${(e as Error).message})`)
      }
      for (const c of tree.all()) {
        if (!listed.has(`checkpoints/${c.stateRef}`)) throw bad(`checkpoint "${c.name}" has no saved state in the export`)
        refs.add(`checkpoints/${c.stateRef}`)
      }
    }
    for (const s of states) {
      if (s !== 'saved-state.hvs' && !refs.has(s)) throw bad(`${s} belongs to no checkpoint`)
      if (s.endsWith('.json')) {
        try {
          validateVmConfig(JSON.parse(Buffer.from(entries.get(s)!).toString('utf8')))
        } catch (e) {
          throw bad(`${s} is not a VM configuration (${(e as Error).message})`)
        }
        continue
      }
      try {
        this.host.checkSavedState(entries.get(s)!)
      } catch (e) {
        throw bad(`${s} is not a saved state this host can restore (${(e as Error).message})`)
      }
    }
    if (m.config.boot.kind === 'bundled') {
      const guest = m.config.boot.guest
      if (!(await listBundledGuests(this.host.guestsDir)).some((g) => g.name === guest)) {
        throw new HvError(ErrorCode.BOOT_SOURCE, `"${m.config.name}" boots the bundled guest "${guest}", which this host does not have`)
      }
    }
  }
}

/** An export folder's manifest and the files it lists (only those). */
async function readFolder(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>()
  const text = await readFile(join(dir, MANIFEST_NAME)).catch(() => {
    throw new HvError(ErrorCode.INVALID_ARGUMENT, `${dir} is not an HV Manager export: it has no ${MANIFEST_NAME}`)
  })
  out.set(MANIFEST_NAME, new Uint8Array(text))
  const m = parseManifest(text.toString('utf8'))
  for (const f of m.files) {
    const data = await readFile(join(dir, f.path)).catch(() => null)
    if (data) out.set(f.path, new Uint8Array(data))
  }
  return out
}

/** A boot file's name in an export (vm-package.ts allows only these characters). */
function bootFileName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^[^A-Za-z0-9_]+/, '')
  return s.slice(0, 100) || 'file'
}

/** A VM name as a file name on every OS. */
export function safeFileName(name: string): string {
  const s = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/^[.\s]+|[.\s]+$/g, '')
  return s.slice(0, 100) || 'vm'
}

function withoutCheckpointLocation(config: VmConfig): VmConfig {
  if (!config.checkpoints?.location) return config
  const { location: _dropped, ...checkpoints } = config.checkpoints
  return { ...config, checkpoints }
}
