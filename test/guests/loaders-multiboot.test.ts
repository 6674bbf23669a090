/**
 * Issue 4's loader proof for multiboot v1: our own bootinfo guest, built as a true ELF32
 * multiboot image (no a.out-kludge flag, code and data in two PT_LOAD segments 1 MiB apart)
 * and as its ELF64 twin, boots under `hv-manager run` with --append and --initrd and prints
 * the command line, memory map and module it was given. Under QEMU TCG the module line
 * is byte-identical and the command line differs only by QEMU's kernel-path prefix; QEMU
 * refuses the ELF64 file (it takes ELF64 multiboot images only with the a.out kludge).
 * The QEMU half skips, with the reason printed, only when QEMU is absent.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { fnv1a, hex, lines, makeModuleFile, ourMemoryMap, runOursKernel, runQemuKernel } from './loaders-boot'
import { guestPath, qemuUnavailableReason } from './run-qemu'

const ELF32 = guestPath('bootinfo')
const ELF64 = guestPath('bootinfo64')
const MEMORY_MIB = 96
const APPEND = 'console=com1 answer=42  two-spaces "quoted words" end'
const noQemu = qemuUnavailableReason()
if (noQemu) console.log(`loaders-multiboot: QEMU comparison skipped: ${noQemu}`)

let module: { path: string; bytes: Uint8Array }
let moduleLine: string

beforeAll(() => {
  ensureGuestsBuilt(['bootinfo'])
  module = makeModuleFile('module.bin', 70_001, 'bootinfo module first line')
  moduleLine = `module 0: ${module.bytes.length} bytes fnv1a 0x${hex(fnv1a(module.bytes), 8)} page-aligned`
})

function mmapLines(memoryMiB: number): string[] {
  const map = ourMemoryMap(memoryMiB)
  return [`mmap: ${map.length} entries`, ...map.map(([b, l, t]) => `mmap 0x${hex(b, 16)} 0x${hex(l, 16)} type ${t}`)]
}

describe('multiboot loader boots bootinfo (ELF32 and ELF64, no a.out kludge) under hv-manager run', () => {
  it('the ELF32 image prints our command line, memory map and module, and exits 0', async () => {
    const r = await runOursKernel(ELF32, { append: APPEND, initrd: module.path, memoryMiB: MEMORY_MIB })
    expect(r.timedOut, r.stderr).toBe(false)
    const out = lines(r.stdout)
    expect(out[0]).toBe('HV Manager bootinfo guest')
    expect(out).toContain('boot loader: "HV Manager"')
    expect(out).toContain(`cmdline: "${APPEND}"`)
    expect(out).toContain(`memory: lower 639 KiB upper ${(MEMORY_MIB - 1) * 1024} KiB`)
    const at = out.indexOf('mmap: 4 entries')
    expect(out.slice(at, at + 5)).toEqual(mmapLines(MEMORY_MIB))
    expect(out).toContain('modules: 1')
    expect(out).toContain(moduleLine)
    expect(out).toContain('module 0 string: "initrd"')
    // The data PT_LOAD is at 2 MiB but right after the code in the file: only a loader that
    // reads the program headers puts it there.
    expect(out).toContain('data segment at 0x0020000c: marker 0x5eed1e55 ok')
    expect(out.at(-1)).toBe('bootinfo done')
    expect(r.exitCode).toBe(1) // isa-debug-exit: (0 << 1) | 1
  }, 60_000)

  it('the ELF64 image (program headers of class 64) prints exactly the same', async () => {
    const opts = { append: APPEND, initrd: module.path, memoryMiB: MEMORY_MIB }
    const [a, b] = await Promise.all([runOursKernel(ELF32, opts), runOursKernel(ELF64, opts)])
    expect(b.stdout).toContain('bootinfo done')
    expect(b.stdout).toBe(a.stdout)
    expect(b.exitCode).toBe(1)
  }, 60_000)

  it('reports no modules and the empty command line when given none', async () => {
    const r = await runOursKernel(ELF32, { memoryMiB: 32 })
    const out = lines(r.stdout)
    expect(out).toContain('cmdline: ""')
    expect(out).toContain('modules: none')
    const at = out.indexOf('mmap: 4 entries')
    expect(out.slice(at, at + 5)).toEqual(mmapLines(32))
    expect(r.exitCode).toBe(1)
  }, 60_000)
})

describe.skipIf(noQemu !== null)('bootinfo under QEMU TCG vs hv-manager run', () => {
  it('ELF32: module line identical, command line identical after QEMU\'s kernel-path prefix', async () => {
    const opts = { append: APPEND, initrd: module.path, memoryMiB: MEMORY_MIB }
    const [qemu, ours] = await Promise.all([runQemuKernel(ELF32, opts), runOursKernel(ELF32, opts)])
    const q = lines(qemu.stdout)
    const o = lines(ours.stdout)
    const pick = (ls: string[], re: RegExp) => ls.filter((l) => re.test(l))
    // QEMU (hw/i386/multiboot.c) passes "<kernel file> <append>", as GRUB does; we pass <append>.
    expect(pick(q, /^cmdline: /)).toEqual([`cmdline: "${ELF32} ${APPEND}"`])
    expect(pick(o, /^cmdline: /)).toEqual([`cmdline: "${APPEND}"`])
    expect(pick(q, /^module 0: /)).toEqual(pick(o, /^module 0: /))
    expect(pick(q, /^module 0: /)).toEqual([moduleLine])
    // Module strings: QEMU gives the -initrd argument, we give "initrd".
    expect(pick(q, /^module 0 string: /)).toEqual([`module 0 string: "${module.path}"`])
    const same = (l: string) => !/^(flags|boot loader|cmdline|memory|mmap|module 0 string)/.test(l)
    expect(q.filter(same)).toEqual(o.filter(same))
    expect(qemu.exitCode).toBe(ours.exitCode)
    // QEMU's map (SeaBIOS e820) differs: RAM from 1 MiB stops 128 KiB short of -m, which it reserves.
    expect(q).toContain(`mmap 0x0000000000100000 0x${hex(MEMORY_MIB * 0x100000 - 0x120000, 16)} type 1`)
  }, 90_000)

  it('QEMU refuses the ELF64 image without the a.out kludge; we boot it', async () => {
    const qemu = await runQemuKernel(ELF64, { memoryMiB: MEMORY_MIB })
    expect(qemu.stderr).toContain('Cannot load x86-64 image, give a 32bit one.')
    expect(qemu.stdout).toBe('')
    expect(qemu.exitCode).toBe(1)
  }, 60_000)
})
