/**
 * Crash-safe file writes for the VM inventory: write a temp file beside the target, fsync
 * it, rename it over the target, then fsync the directory so the rename itself is durable.
 * A crash at any moment leaves either the old or the new content, never a torn file; the
 * temp files a crash leaves (`.<name>.<hex>.tmp`) are never read and are swept on the next
 * start (`sweepTempFiles`). Named crash points (crash-seam.ts) let the kill tests stop the
 * process between each step.
 */
import { open, readdir, rename, rm } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { crashPoint } from './crash-seam'

const tempPattern = /^\..+\.[0-9a-f]{12}\.tmp$/

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const fh = await open(tmp, 'wx', 0o600)
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    const half = bytes.length >> 1
    await fh.write(bytes, 0, half)
    crashPoint('atomic:temp-partial', path)
    await fh.write(bytes, half, bytes.length - half)
    await fh.sync()
  } catch (e) {
    await fh.close().catch(() => undefined)
    await rm(tmp, { force: true })
    throw e
  }
  await fh.close()
  crashPoint('atomic:before-rename', path)
  try {
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
  crashPoint('atomic:after-rename', path)
  await syncDir(dirname(path))
}

/** Removes a file and makes the removal durable (fsync of its folder). */
export async function removeFileDurable(path: string): Promise<void> {
  await rm(path, { force: true })
  await syncDir(dirname(path))
}

/** Renames a file or folder and makes it durable in both folders. */
export async function renameDurable(from: string, to: string): Promise<void> {
  await rename(from, to)
  await syncDir(dirname(to))
  if (dirname(from) !== dirname(to)) await syncDir(dirname(from))
}

export async function syncDir(dir: string): Promise<void> {
  // Directories cannot be opened for fsync on Windows; durability there relies on rename.
  if (process.platform === 'win32') return
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** Deletes the temp files an interrupted writeFileAtomic left in `dir`; returns how many. */
export async function sweepTempFiles(dir: string): Promise<number> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }
  const stale = names.filter((n) => tempPattern.test(n))
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })))
  return stale.length
}
