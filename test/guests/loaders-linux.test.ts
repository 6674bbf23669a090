/**
 * Issue 4's loader proof for the Linux x86 boot protocol: tinylinux, our own bzImage
 * (resources/guests/tinylinux: setup header 2.12, real-mode setup, 32-bit and 64-bit
 * entries), boots under `hv-manager run --initrd --append` through the 64-bit entry (and
 * the 32-bit one when XLF_KERNEL_64 is cleared) and prints the boot_params fields our
 * loader filled: command line, e820 map, initrd size + checksum + first line. Under QEMU
 * TCG (which runs the real-mode setup, so e820 comes from SeaBIOS) the command-line and
 * initrd lines are byte-identical. The QEMU half skips, saying why, only when QEMU is absent.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { fnv1a, hex, lines, makeModuleFile, ourMemoryMap, runOursKernel, runQemuKernel } from './loaders-boot'
import { GUEST_BUILD_DIR, qemuUnavailableReason } from './run-qemu'

const BZIMAGE = `${GUEST_BUILD_DIR}/tinylinux.bzImage`
const MEMORY_MIB = 112
const FIRST_LINE = 'tinylinux initrd: first line'
// Long enough to cross a page, with every printable ASCII character in it.
const APPEND = `console=ttyS0 root=/dev/ram0 ${Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('')} ${'x'.repeat(4000 / 4)}`
const noQemu = qemuUnavailableReason()
if (noQemu) console.log(`loaders-linux: QEMU comparison skipped: ${noQemu}`)

let initrd: { path: string; bytes: Uint8Array }
let initrdLines: string[]
let bzImage32: string

beforeAll(() => {
  ensureGuestsBuilt(['tinylinux'])
  initrd = makeModuleFile('initrd.img', 123_457, FIRST_LINE)
  initrdLines = [`initrd: ${initrd.bytes.length} bytes fnv1a 0x${hex(fnv1a(initrd.bytes), 8)}`, `initrd first line: "${FIRST_LINE}"`]
  // The same kernel without XLF_KERNEL_64 (xloadflags at 0x236): loaders must use code32_start.
  const image = readFileSync(BZIMAGE)
  image.writeUInt16LE(image.readUInt16LE(0x236) & ~1, 0x236)
  bzImage32 = `${initrd.path}.bz32`
  writeFileSync(bzImage32, image)
})

function e820Lines(memoryMiB: number): string[] {
  const map = ourMemoryMap(memoryMiB)
  return [`e820: ${map.length} entries`, ...map.map(([b, l, t]) => `e820 0x${hex(b, 16)} 0x${hex(l, 16)} type ${t}`)]
}

function section(out: string[], first: RegExp, count: number): string[] {
  const at = out.findIndex((l) => first.test(l))
  return at < 0 ? [] : out.slice(at, at + count)
}

describe('Linux boot protocol loader boots tinylinux under hv-manager run', () => {
  it('64-bit entry: boot_params has our command line, e820 map and initrd', async () => {
    const r = await runOursKernel(BZIMAGE, { append: APPEND, initrd: initrd.path, memoryMiB: MEMORY_MIB })
    expect(r.timedOut, r.stderr).toBe(false)
    const out = lines(r.stdout)
    expect(out.slice(0, 4)).toEqual([
      'HV Manager tinylinux guest',
      'boot protocol 2.12',
      'loader: type_of_loader 0xff loadflags 0x81', // "undefined" loader; LOADED_HIGH | CAN_USE_HEAP
      'entry: 64-bit',
    ])
    expect(out).toContain(`cmdline: "${APPEND}"`)
    expect(section(out, /^e820: /, 5)).toEqual(e820Lines(MEMORY_MIB))
    expect(section(out, /^initrd: /, 2)).toEqual(initrdLines)
    expect(out.at(-1)).toBe('tinylinux done')
    expect(r.exitCode).toBe(1)
  }, 60_000)

  it('32-bit entry (XLF_KERNEL_64 clear): the same boot_params through code32_start', async () => {
    const r = await runOursKernel(bzImage32, { append: 'one two', initrd: initrd.path, memoryMiB: 64 })
    const out = lines(r.stdout)
    expect(out).toContain('entry: 32-bit')
    expect(out).toContain('cmdline: "one two"')
    expect(section(out, /^e820: /, 5)).toEqual(e820Lines(64))
    expect(section(out, /^initrd: /, 2)).toEqual(initrdLines)
    expect(r.exitCode).toBe(1)
  }, 60_000)

  it('no initrd and an empty command line', async () => {
    const r = await runOursKernel(BZIMAGE, { memoryMiB: 32 })
    const out = lines(r.stdout)
    expect(out).toContain('cmdline: ""')
    expect(out).toContain('initrd: none')
    expect(section(out, /^e820: /, 5)).toEqual(e820Lines(32))
  }, 60_000)

  it('refuses a command line longer than the kernel\'s cmdline_size', async () => {
    const r = await runOursKernel(BZIMAGE, { append: 'y'.repeat(2048) })
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/command line is 2048 bytes; this kernel accepts at most 2047/)
    expect(r.exitCode).toBe(1)
  }, 60_000)
})

describe.skipIf(noQemu !== null)('tinylinux under QEMU TCG vs hv-manager run', () => {
  it('command line and initrd lines are byte-identical; QEMU went through the real-mode setup', async () => {
    const opts = { append: APPEND, initrd: initrd.path, memoryMiB: MEMORY_MIB }
    const [qemu, ours] = await Promise.all([runQemuKernel(BZIMAGE, opts), runOursKernel(BZIMAGE, opts)])
    const q = lines(qemu.stdout)
    const o = lines(ours.stdout)
    const cmd = (ls: string[]) => ls.filter((l) => l.startsWith('cmdline: '))
    expect(cmd(q)).toEqual(cmd(o))
    expect(cmd(q)).toEqual([`cmdline: "${APPEND}"`])
    expect(section(q, /^initrd: /, 2)).toEqual(section(o, /^initrd: /, 2))
    expect(section(q, /^initrd: /, 2)).toEqual(initrdLines)
    // Differ by design: QEMU is loader type 0xB0 and enters the real-mode setup (32-bit path).
    expect(q).toContain('loader: type_of_loader 0xb0 loadflags 0x81')
    expect(q).toContain('entry: 32-bit')
    // SeaBIOS's e820 (INT 15h): RAM from 1 MiB up to 128 KiB below -m, then reserved ranges.
    expect(q).toContain(`e820 0x0000000000100000 0x${hex(MEMORY_MIB * 0x100000 - 0x120000, 16)} type 1`)
    expect(q.at(-1)).toBe('tinylinux done')
    expect(qemu.exitCode).toBe(ours.exitCode)
  }, 90_000)
})
