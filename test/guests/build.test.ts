/**
 * The guest build: scripts/build-guests.mjs builds every guest folder into an ELF32
 * multiboot image plus its ELF64 twin, both carrying a valid multiboot v1 header whose
 * a.out-kludge addresses describe the loaded image, and skips guests that are up to date.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { findMultibootHeader } from './multiboot-header'
import { GUEST_BUILD_DIR } from './run-qemu'

const guestsDir = join(GUEST_BUILD_DIR, '..')
// The loader-test guests are built differently on purpose (no a.out kludge; a bzImage) and
// are checked by test/guests/loaders-*.test.ts.
const OWN_FORMAT = new Set(['bootinfo', 'tinylinux'])
const guestNames = readdirSync(guestsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'lib' && d.name !== 'build' && !OWN_FORMAT.has(d.name))
  .map((d) => d.name)

describe('build-guests', () => {
  beforeAll(() => {
    ensureGuestsBuilt()
  })

  it('finds the guests', () => {
    expect(guestNames).toContain('hello')
  })

  for (const name of guestNames) {
    it(`${name}.elf is an ELF32 i386 image with a valid multiboot header`, () => {
      const file = readFileSync(join(GUEST_BUILD_DIR, `${name}.elf`))
      expect([...file.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46])
      expect(file[4]).toBe(1) // ELFCLASS32
      expect(file.readUInt16LE(18)).toBe(3) // EM_386
      const mb = findMultibootHeader(file)
      expect(mb).not.toBeNull()
      if (!mb) return
      expect(mb.flags & 0x10000).toBe(0x10000)
      expect(mb.loadAddr).toBe(0x100000)
      expect(mb.headerAddr).toBeGreaterThanOrEqual(mb.loadAddr)
      expect(mb.loadEndAddr).toBeGreaterThan(mb.headerAddr)
      expect(mb.bssEndAddr).toBeGreaterThanOrEqual(mb.loadEndAddr)
      expect(mb.entryAddr).toBeGreaterThanOrEqual(mb.loadAddr)
      expect(mb.entryAddr).toBeLessThan(mb.loadEndAddr)
      // The file offset implied by the kludge fields must hold the image that many bytes on.
      const imageOffset = mb.offset - (mb.headerAddr - mb.loadAddr)
      expect(imageOffset).toBeGreaterThanOrEqual(0)
      expect(imageOffset + (mb.loadEndAddr - mb.loadAddr)).toBeLessThanOrEqual(file.byteLength)
      expect(file.readUInt32LE(24)).toBe(mb.entryAddr) // e_entry agrees with the header
    })

    it(`${name}64.elf is the ELF64 x86-64 twin with the same header`, () => {
      const file64 = readFileSync(join(GUEST_BUILD_DIR, `${name}64.elf`))
      const file32 = readFileSync(join(GUEST_BUILD_DIR, `${name}.elf`))
      expect(file64[4]).toBe(2) // ELFCLASS64
      expect(file64.readUInt16LE(18)).toBe(62) // EM_X86_64
      const a = findMultibootHeader(file64)
      const b = findMultibootHeader(file32)
      expect(a).not.toBeNull()
      expect({ ...a, offset: 0 }).toEqual({ ...b, offset: 0 })
    })
  }

  it('skips up-to-date guests on a second run', () => {
    const before = statSync(join(GUEST_BUILD_DIR, 'hello.elf')).mtimeMs
    const out = ensureGuestsBuilt(['hello'])
    expect(out).toContain('hello: up to date')
    expect(statSync(join(GUEST_BUILD_DIR, 'hello.elf')).mtimeMs).toBe(before)
  })

  it('rejects an unknown guest name with a clear message', () => {
    expect(() => ensureGuestsBuilt(['no-such-guest'])).toThrow(/unknown guest 'no-such-guest'/)
  })
})
