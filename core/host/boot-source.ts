/**
 * Turns a VM's boot source (contract `BootSource`) into the bytes core/vmm's MachineConfig
 * wants: a bundled guest from the guests folder, or kernel/initrd files on the host. Every
 * failure is a BOOT_SOURCE error that says which file is missing, not an exception.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { ErrorCode, HvError, type BootSource, type BundledGuest, type VmConfig } from '../../contract'
import type { MachineConfig } from '../vmm/machine-api'

const guestExtensions = ['.elf', '.bin']
/** A kernel bigger than this is surely a mistake (a disk image picked by accident). */
const MAX_IMAGE_BYTES = 512 * 1024 * 1024

export async function listBundledGuests(dir: string): Promise<BundledGuest[]> {
  let files: string[]
  try {
    files = await readdir(dir)
  } catch {
    return []
  }
  const guests = new Map<string, BundledGuest>()
  for (const f of files.sort()) {
    const ext = extname(f)
    if (!guestExtensions.includes(ext)) continue
    const name = f.slice(0, -ext.length)
    if (!guests.has(name)) guests.set(name, { name, description: f })
  }
  return [...guests.values()]
}

async function readImage(path: string, what: string): Promise<Uint8Array> {
  try {
    const s = await stat(path)
    if (!s.isFile()) throw new HvError(ErrorCode.BOOT_SOURCE, `The ${what} ${path} is not a file`)
    if (s.size > MAX_IMAGE_BYTES) throw new HvError(ErrorCode.BOOT_SOURCE, `The ${what} ${path} is too large (${s.size} bytes)`)
    return new Uint8Array(await readFile(path))
  } catch (e) {
    if (e instanceof HvError) throw e
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${(e as Error).message})`
    throw new HvError(ErrorCode.BOOT_SOURCE, `The ${what} ${path} ${why}`)
  }
}

async function bundledGuestPath(guestsDir: string, guest: string): Promise<string> {
  for (const ext of guestExtensions) {
    const p = join(guestsDir, guest + ext)
    try {
      if ((await stat(p)).isFile()) return p
    } catch {
      // try the next extension
    }
  }
  throw new HvError(
    ErrorCode.BOOT_SOURCE,
    `The bundled guest "${guest}" was not found in ${guestsDir} (build the guests with "npm run build:guests")`,
  )
}

export async function resolveMachineConfig(config: VmConfig, guestsDir: string): Promise<MachineConfig> {
  const boot: BootSource = config.boot
  const base = { memoryMiB: config.memoryMiB, cpus: config.cpus, clock: config.clock, onTripleFault: 'stop' as const }
  if (boot.kind === 'bundled') {
    const kernel = await readImage(await bundledGuestPath(guestsDir, boot.guest), 'bundled guest')
    return { ...base, kernel }
  }
  const kernel = await readImage(boot.kernelPath, 'kernel')
  const initrd = boot.initrdPath !== undefined ? await readImage(boot.initrdPath, 'initrd') : undefined
  return { ...base, kernel, ...(initrd ? { initrd } : {}), ...(boot.cmdline !== undefined ? { cmdline: boot.cmdline } : {}) }
}
