/**
 * Files uploaded through the contract (`file:upload`): the browser's stand-in for a native
 * file dialog. Chunks arrive in order with their byte offset and are appended to
 * `<data dir>/uploads/<uploadId>.part`; the final chunk renames it to
 * `<data dir>/uploads/<uploadId>/<name>`. When a VM is created whose boot paths point at
 * uploads, `adopt` moves those files into the VM's own folder, so deleting the VM removes them.
 */
import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, relative, isAbsolute } from 'node:path'
import { ErrorCode, HvError, limits, type CommandArgs, type CommandResult, type VmConfig } from '../../contract'

export class Uploads {
  constructor(private readonly dataDir: string) {}

  private get dir(): string {
    return join(this.dataDir, 'uploads')
  }

  async receive(args: CommandArgs<'file:upload'>): Promise<CommandResult<'file:upload'>> {
    const part = join(this.dir, `${args.uploadId}.part`)
    await mkdir(this.dir, { recursive: true })
    const size = await stat(part).then((s) => s.size, () => 0)
    if (args.offset === 0 && size > 0) await rm(part, { force: true })
    else if (args.offset !== size) {
      throw new HvError(ErrorCode.INVALID_ARGUMENT, `file:upload: chunk at offset ${args.offset} does not follow the ${size} bytes received; restart the upload`)
    }
    const bytes = Buffer.from(args.data, 'base64')
    if (args.offset + bytes.length > limits.uploadMaxBytes) {
      await rm(part, { force: true })
      throw new HvError(ErrorCode.INVALID_ARGUMENT, `file:upload: the file is larger than ${limits.uploadMaxBytes} bytes`)
    }
    try {
      await appendFile(part, bytes)
      const received = args.offset + bytes.length
      if (!args.final) return { uploadId: args.uploadId, received, file: null }
      const target = join(this.dir, args.uploadId, args.name)
      await mkdir(dirname(target), { recursive: true })
      await rename(part, target)
      return { uploadId: args.uploadId, received, file: { path: target, size: received } }
    } catch (e) {
      throw new HvError(ErrorCode.STORAGE, `The upload could not be stored: ${(e as Error).message}`)
    }
  }

  /** True when `path` is a file inside the uploads folder. */
  isUpload(path: string): boolean {
    const rel = relative(this.dir, path)
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
  }

  /** Moves uploaded boot files into the VM's folder and returns the config pointing at them. */
  async adopt(config: VmConfig, vmFolder: string): Promise<VmConfig> {
    const boot = config.boot
    if (boot.kind !== 'kernel') return config
    const move = async (path: string | undefined): Promise<string | undefined> => {
      if (path === undefined || !this.isUpload(path)) return path
      const target = join(vmFolder, basename(path))
      try {
        await mkdir(vmFolder, { recursive: true })
        await rename(path, target)
        await rm(dirname(path), { recursive: true, force: true })
      } catch (e) {
        throw new HvError(ErrorCode.BOOT_SOURCE, `The uploaded file ${basename(path)} could not be moved into the VM's folder: ${(e as Error).message}`)
      }
      return target
    }
    const kernelPath = (await move(boot.kernelPath))!
    const initrdPath = await move(boot.initrdPath)
    return { ...config, boot: { ...boot, kernelPath, ...(initrdPath !== undefined ? { initrdPath } : {}) } }
  }
}
