import { describe, expect, it } from 'vitest'
import { ACPI_AREA_BASE, buildAcpiTables } from '../../../../core/vmm/acpi/acpi-tables'
import { checksumOk } from '../../../../core/vmm/acpi/table-writer'

/** Read the tables the way an OS does: scan for the RSDP, then follow pointers. */
function osView(cpus: number) {
  const img = buildAcpiTables({ cpus })
  const mem = new Uint8Array(0x100000)
  mem.set(img.bytes, ACPI_AREA_BASE)
  const dv = new DataView(mem.buffer)
  const sig = (a: number, n = 4) => String.fromCharCode(...mem.subarray(a, a + n))
  const table = (a: number) => mem.subarray(a, a + dv.getUint32(a + 4, true))
  let rsdp = -1
  for (let a = 0xe0000; a < 0x100000; a += 16) if (sig(a, 8) === 'RSD PTR ') { rsdp = a; break }
  return { img, mem, dv, sig, table, rsdp }
}

describe('ACPI tables', () => {
  it('the RSDP is found by a 16-byte scan of 0xE0000–0xFFFFF with both checksums valid', () => {
    const { rsdp, mem, dv } = osView(2)
    expect(rsdp).toBe(0xf0000)
    expect(checksumOk(mem.subarray(rsdp, rsdp + 20))).toBe(true)
    expect(checksumOk(mem.subarray(rsdp, rsdp + 36))).toBe(true)
    expect(mem[rsdp + 15]).toBe(2)
    expect(dv.getUint32(rsdp + 20, true)).toBe(36)
  })

  it('every table reached through the XSDT and RSDT has a valid checksum and length', () => {
    const { rsdp, dv, sig, table } = osView(3)
    const xsdt = Number(dv.getBigUint64(rsdp + 24, true))
    const rsdt = dv.getUint32(rsdp + 16, true)
    expect(sig(xsdt)).toBe('XSDT')
    expect(sig(rsdt)).toBe('RSDT')
    const x = table(xsdt)
    const entries = (x.length - 36) / 8
    const seen: string[] = []
    for (let i = 0; i < entries; i++) {
      const a = Number(dv.getBigUint64(xsdt + 36 + 8 * i, true))
      expect(dv.getUint32(rsdt + 36 + 4 * i, true)).toBe(a)
      expect(checksumOk(table(a))).toBe(true)
      seen.push(sig(a))
    }
    expect(seen).toEqual(['FACP', 'APIC'])
  })

  it('the FADT points at the PM1 blocks, PM timer, SCI 9, FACS, DSDT and the i8042 reset register', () => {
    const { img, dv, sig, table, mem } = osView(1)
    const f = img.tables.FACP
    expect(dv.getUint16(f + 46, true)).toBe(9)
    expect(dv.getUint32(f + 56, true)).toBe(0x600)
    expect(dv.getUint32(f + 64, true)).toBe(0x604)
    expect(dv.getUint32(f + 76, true)).toBe(0x608)
    expect([mem[f + 88], mem[f + 89], mem[f + 91]]).toEqual([4, 2, 4])
    expect(dv.getUint32(f + 48, true)).toBe(0) // no SMI_CMD
    expect(dv.getUint32(f + 112, true) & (1 << 10)).not.toBe(0) // RESET_REG_SUP
    expect(Number(dv.getBigUint64(f + 120, true))).toBe(0x64)
    expect(mem[f + 128]).toBe(0xfe)
    const facs = dv.getUint32(f + 36, true)
    expect(sig(facs)).toBe('FACS')
    expect(facs % 64).toBe(0)
    const dsdt = dv.getUint32(f + 40, true)
    expect(Number(dv.getBigUint64(f + 140, true))).toBe(dsdt)
    expect(checksumOk(table(dsdt))).toBe(true)
    // \_S5 package: SLP_TYP 5 for PM1a and PM1b
    const aml = Array.from(table(dsdt).subarray(36))
    expect(aml.slice(0, 5)).toEqual([0x08, 0x5f, 0x53, 0x35, 0x5f])
    expect(aml[9]).toBe(5)
  })

  it('the MADT lists one enabled local APIC per VP, the I/O APIC and the overrides', () => {
    const { img, dv, mem } = osView(4)
    const m = img.tables.APIC
    const len = dv.getUint32(m + 4, true)
    expect(dv.getUint32(m + 36, true)).toBe(0xfee00000)
    const kinds: number[] = []
    const apicIds: number[] = []
    const overrides: Array<[number, number, number]> = []
    for (let o = m + 44; o < m + len; o += mem[o + 1]) {
      kinds.push(mem[o])
      if (mem[o] === 0) {
        expect(dv.getUint32(o + 4, true) & 1).toBe(1)
        apicIds.push(mem[o + 3])
      }
      if (mem[o] === 1) expect(dv.getUint32(o + 4, true)).toBe(0xfec00000)
      if (mem[o] === 2) overrides.push([mem[o + 3], dv.getUint32(o + 4, true), dv.getUint16(o + 8, true)])
    }
    expect(apicIds).toEqual([0, 1, 2, 3])
    expect(kinds.filter((k) => k === 1)).toHaveLength(1)
    expect(overrides).toEqual([[0, 2, 0], [9, 9, 0x0d]])
    expect(kinds[kinds.length - 1]).toBe(4)
  })

  it('refuses an impossible processor count', () => {
    expect(() => buildAcpiTables({ cpus: 0 })).toThrow(RangeError)
    expect(() => buildAcpiTables({ cpus: 255 })).toThrow(RangeError)
  })
})
