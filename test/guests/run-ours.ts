/**
 * Runs a bundled guest under our own machine through the built headless runner
 * (`node out/cli/hv-manager.js run <elf> --clock virtual`, exactly what `npm run hv -- run`
 * executes) with the same options as `runQemu`, and returns the same result shape, so a
 * test can compare the two byte for byte. The runner's exit status is the guest's
 * isa-debug-exit code, 2 on triple fault, 124 on its own timeout.
 */
import { existsSync } from 'node:fs'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { guestPath, runGuestProcess, type QemuRunOptions, type QemuRunResult } from './run-qemu'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const CLI = join(repoRoot, 'out', 'cli', 'hv-manager.js')

export interface OursRunOptions extends QemuRunOptions {
  clock?: 'virtual' | 'host'
  cpus?: number
  extraRunArgs?: string[]
}

export function runOurs(name: string, options: OursRunOptions = {}): Promise<QemuRunResult> {
  const kernel = guestPath(name)
  if (!existsSync(CLI)) return Promise.reject(new Error(`${CLI} is missing: run npm run build first`))
  if (!existsSync(kernel)) return Promise.reject(new Error(`${kernel} is missing: run npm run build:guests first`))
  const args = [CLI, 'run', kernel, '--clock', options.clock ?? 'virtual', '--memory', String(options.memoryMiB ?? 128)]
  if (options.append !== undefined) args.push('--append', options.append)
  if (options.cpus !== undefined) args.push('--cpus', String(options.cpus))
  args.push(...(options.extraRunArgs ?? []))
  return runGuestProcess(process.execPath, args, options)
}
