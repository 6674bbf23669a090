/**
 * The format of an exported VM (Hyper-V Manager's Export / Import / Move): a self-contained
 * folder with a manifest, `hv-manager-export.json`, that names every file with its size and
 * SHA-256 — the saved state (`saved-state.hvs`), the checkpoints (`checkpoints/tree.json`
 * and their containers) and the boot files of a kernel VM (`boot/<file>`, the config refers
 * to them relatively). For Move the same files travel as one package file (`.hvmpkg`):
 * `"HVMPKG\0\0" | u32 version | u32 count | (u16 path length, path, u32 size, bytes)*`, the
 * manifest first. Everything read from either is untrusted: `parseManifest` checks every
 * field and path before a byte is used.
 */
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { ErrorCode, HvError, validateVmConfig, type VmConfig } from '../../contract'

export const MANIFEST_NAME = 'hv-manager-export.json'
export const MANIFEST_FORMAT = 'hv-manager-vm-export'
export const MANIFEST_VERSION = 1
export const PACKAGE_MAGIC = Buffer.from('HVMPKG\0\0', 'latin1')
export const PACKAGE_VERSION = 1
/** Largest file an import accepts (saved states of 64 GiB VMs are not a goal). */
export const MAX_FILE_BYTES = 2 ** 31
const MAX_FILES = 10_000

export interface ManifestFile {
  path: string
  size: number
  sha256: string
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT
  version: typeof MANIFEST_VERSION
  /** The VM's id on the host it came from (kept on import unless it is taken). */
  id: string
  createdAt: number
  exportedAt: number
  /** Kernel boot paths are relative (`boot/<file>`). */
  config: VmConfig
  files: ManifestFile[]
}

/** Paths a manifest may name: nothing else is ever read or written. */
const allowedPath = /^(saved-state\.hvs|checkpoints\/tree\.json|checkpoints\/[A-Za-z0-9][A-Za-z0-9.-]{0,80}\.hvs|checkpoints\/config-[A-Za-z0-9.-]{0,80}\.json|boot\/[A-Za-z0-9_][A-Za-z0-9._ +-]{0,127})$/

export function isAllowedPath(p: string): boolean {
  return allowedPath.test(p) && !p.includes('..')
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function bad(why: string): HvError {
  return new HvError(ErrorCode.INVALID_ARGUMENT, `The export is not valid: ${why}`)
}

/** Parses and checks a manifest's JSON text; throws INVALID_ARGUMENT saying what is wrong. */
export function parseManifest(text: string): Manifest {
  let v: Record<string, unknown>
  try {
    v = JSON.parse(text) as Record<string, unknown>
  } catch (e) {
    throw bad(`${MANIFEST_NAME} is not JSON (${(e as Error).message})`)
  }
  if (typeof v !== 'object' || v === null || v.format !== MANIFEST_FORMAT) throw bad(`${MANIFEST_NAME} is not an HV Manager export`)
  if (v.version !== MANIFEST_VERSION) throw bad(`${MANIFEST_NAME} has version ${String(v.version)}; this host reads version ${MANIFEST_VERSION}`)
  if (typeof v.id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(v.id)) throw bad('the VM id is missing or malformed')
  for (const k of ['createdAt', 'exportedAt'] as const) {
    if (typeof v[k] !== 'number' || !Number.isFinite(v[k])) throw bad(`${k} is missing`)
  }
  let config: VmConfig
  try {
    config = validateVmConfig(v.config)
  } catch (e) {
    throw bad(`the VM settings are invalid (${(e as Error).message})`)
  }
  if (!Array.isArray(v.files) || v.files.length > MAX_FILES) throw bad('the file list is missing')
  const seen = new Set<string>()
  const files = v.files.map((f: unknown, i: number): ManifestFile => {
    const o = f as Record<string, unknown>
    if (typeof o !== 'object' || o === null || typeof o.path !== 'string' || !isAllowedPath(o.path)) throw bad(`file ${i} has a path that is not allowed`)
    if (seen.has(o.path)) throw bad(`${o.path} is listed twice`)
    seen.add(o.path)
    if (typeof o.size !== 'number' || !Number.isInteger(o.size) || o.size < 0 || o.size > MAX_FILE_BYTES) throw bad(`${o.path} has an invalid size`)
    if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) throw bad(`${o.path} has an invalid checksum`)
    return { path: o.path, size: o.size, sha256: o.sha256 }
  })
  if (config.boot.kind === 'kernel') {
    for (const p of [config.boot.kernelPath, config.boot.initrdPath]) {
      if (p !== undefined && !seen.has(p)) throw bad(`the boot file ${p} is not part of the export`)
    }
  }
  return { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, id: v.id, createdAt: v.createdAt as number, exportedAt: v.exportedAt as number, config, files }
}

/** Writes a package file: the manifest first, then each file the manifest lists. */
export async function writePackage(target: string, manifestText: string, read: (path: string) => Promise<Uint8Array>, paths: string[]): Promise<number> {
  const fh = await open(target, 'wx', 0o600)
  let total = 0
  try {
    const head = Buffer.alloc(16)
    PACKAGE_MAGIC.copy(head, 0)
    head.writeUInt32LE(PACKAGE_VERSION, 8)
    head.writeUInt32LE(paths.length + 1, 12)
    await fh.write(head)
    total += head.length
    const entry = async (path: string, bytes: Uint8Array): Promise<void> => {
      const name = Buffer.from(path, 'utf8')
      const h = Buffer.alloc(2 + name.length + 4)
      h.writeUInt16LE(name.length, 0)
      name.copy(h, 2)
      h.writeUInt32LE(bytes.length, 2 + name.length)
      await fh.write(h)
      await fh.write(bytes)
      total += h.length + bytes.length
    }
    await entry(MANIFEST_NAME, Buffer.from(manifestText, 'utf8'))
    for (const p of paths) await entry(p, await read(p))
    await fh.sync()
  } finally {
    await fh.close()
  }
  return total
}

/** Reads a package file's entries (path → bytes); a malformed package is INVALID_ARGUMENT. */
export async function readPackage(path: string): Promise<Map<string, Uint8Array>> {
  const fh = await open(path, 'r')
  try {
    const size = (await fh.stat()).size
    let at = 0
    const take = async (n: number): Promise<Buffer> => {
      if (n > size - at) throw bad('the package is truncated')
      const b = Buffer.alloc(n)
      await fh.read(b, 0, n, at)
      at += n
      return b
    }
    const head = await take(16)
    if (!head.subarray(0, 8).equals(PACKAGE_MAGIC)) throw bad('the file is not an HV Manager package')
    if (head.readUInt32LE(8) !== PACKAGE_VERSION) throw bad(`package version ${head.readUInt32LE(8)} is not supported`)
    const count = head.readUInt32LE(12)
    if (count < 1 || count > MAX_FILES + 1) throw bad('the package has an invalid entry count')
    const out = new Map<string, Uint8Array>()
    for (let i = 0; i < count; i++) {
      const len = (await take(2)).readUInt16LE(0)
      const name = (await take(len)).toString('utf8')
      if (i === 0 ? name !== MANIFEST_NAME : !isAllowedPath(name) || out.has(name)) throw bad(`entry ${i} has a path that is not allowed`)
      const n = (await take(4)).readUInt32LE(0)
      out.set(name, new Uint8Array(await take(n)))
    }
    if (at !== size) throw bad('the package has trailing bytes')
    return out
  } finally {
    await fh.close()
  }
}
