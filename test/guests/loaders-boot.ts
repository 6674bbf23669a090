/**
 * Helpers for the loader boot tests (loaders-*.test.ts): boot any kernel file with an initrd
 * under our headless runner (`node out/cli/hv-manager.js run`, what `npm run hv -- run`
 * executes) or under qemu-system-x86_64 -accel tcg with the same options, make a module
 * file with known contents, and the FNV-1a checksum the loader guests print.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { qemuArgs, QEMU_BINARY, runGuestProcess, type QemuRunResult } from './run-qemu'
import { CLI } from './run-ours'

export interface KernelRun {
  append?: string
  initrd?: string
  memoryMiB?: number
  timeoutMs?: number
}

export function runOursKernel(kernel: string, o: KernelRun): Promise<QemuRunResult> {
  const args = [CLI, 'run', kernel, '--clock', 'virtual', '--memory', String(o.memoryMiB ?? 128)]
  if (o.append !== undefined) args.push('--append', o.append)
  if (o.initrd !== undefined) args.push('--initrd', o.initrd)
  return runGuestProcess(process.execPath, args, { timeoutMs: o.timeoutMs ?? 30_000 })
}

export function runQemuKernel(kernel: string, o: KernelRun): Promise<QemuRunResult> {
  const extraArgs = o.initrd !== undefined ? ['-initrd', o.initrd] : []
  return runGuestProcess(QEMU_BINARY, qemuArgs(kernel, { append: o.append, memoryMiB: o.memoryMiB, extraArgs }), { timeoutMs: o.timeoutMs ?? 30_000 })
}

/** FNV-1a, 32 bits (offset basis 0x811c9dc5, prime 0x01000193), as the guests compute it. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h
}

export function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0')
}

/**
 * A module/initrd file: `firstLine` + LF, then `size - firstLine.length - 1` xorshift32
 * bytes (so any misplaced or truncated byte changes the checksum). Returns its path and bytes.
 */
export function makeModuleFile(name: string, size: number, firstLine: string): { path: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(size)
  const head = Buffer.from(`${firstLine}\n`, 'latin1')
  bytes.set(head.subarray(0, size))
  let x = 0x2545f491
  for (let i = head.length; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    bytes[i] = x & 0xff
  }
  const path = join(mkdtempSync(join(tmpdir(), 'hv-loader-')), name)
  writeFileSync(path, bytes)
  return { path, bytes }
}

/** Serial output as lines without CR LF (the guests end lines with CR LF). */
export function lines(out: string): string[] {
  return out.split('\r\n').filter((l, i, a) => l !== '' || i < a.length - 1)
}

/**
 * The memory map our machine reports for `memoryMiB` (docs/machine.md, loaders): RAM below
 * the 639 KiB EBDA boundary, the EBDA remainder and the BIOS area reserved, RAM from 1 MiB
 * to the top of guest memory. Independent of the loader's own table on purpose.
 */
export function ourMemoryMap(memoryMiB: number): Array<[number, number, number]> {
  const top = memoryMiB * 1024 * 1024
  return [
    [0, 0x9fc00, 1],
    [0x9fc00, 0x400, 2],
    [0xf0000, 0x10000, 2],
    [0x100000, top - 0x100000, 1],
  ]
}
