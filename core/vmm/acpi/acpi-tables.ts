/**
 * The ACPI tables of the machine (ACPI 6.x ch. 5), built at boot into the reserved BIOS area
 * 0xF0000–0xFFFFF where operating systems scan for the RSDP on 16-byte boundaries:
 *  - RSDP (revision 2) → RSDT and XSDT → FADT, MADT
 *  - FADT: PM1a event/control blocks at 0x600/0x604, the PM timer at 0x608, SCI on IRQ 9,
 *    no SMI_CMD (always in ACPI mode), the power button as a fixed feature, the reset
 *    register (I/O 0x64 ← 0xFE, the i8042 reset line), IAPC_BOOT_ARCH: legacy devices and
 *    an 8042, no VGA; FACS; DSDT with \_S5 = SLP_TYP 5 (what acpi-pm1 powers off on)
 *  - MADT: one local APIC per VP (APIC ID = VP index), the I/O APIC at 0xFEC00000 (GSI 0),
 *    ISA IRQ0 → GSI 2 and the SCI (IRQ 9) as level/active-high, LINT1 = NMI on every CPU.
 */
import { PM1A_CNT_PORT, PM1A_EVT_PORT, SCI_IRQ, SLP_TYP_S5 } from '../devices/acpi-pm1/spec'
import { PM_TIMER_PORT } from '../devices/acpi-pm-timer/spec'
import { describedTable, finish, TableBytes, ACPI_OEM_ID, ACPI_HEADER_SIZE } from './table-writer'

export const ACPI_AREA_BASE = 0xf0000
export const ACPI_AREA_SIZE = 0x10000
export const LOCAL_APIC_ADDRESS = 0xfee00000
export const IOAPIC_ADDRESS = 0xfec00000

export interface AcpiConfig {
  cpus: number
  ioapicId?: number
}

export interface AcpiImage {
  /** Guest-physical address of the RSDP. */
  rsdp: number
  /** Bytes to place at ACPI_AREA_BASE. */
  bytes: Uint8Array
  /** Where each table landed (signature → GPA), for tests and diagnostics. */
  tables: Record<string, number>
}

/** AML of the DSDT body: Name (_S5, Package (4) { 5, 5, 0, 0 }). */
function dsdtAml(): number[] {
  return [0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08, 0x04, 0x0a, SLP_TYP_S5, 0x0a, SLP_TYP_S5, 0x00, 0x00]
}

function buildDsdt(): Uint8Array {
  const aml = dsdtAml()
  const t = describedTable('DSDT', ACPI_HEADER_SIZE + aml.length, 2)
  t.set(ACPI_HEADER_SIZE, aml)
  return finish(t)
}

function buildFacs(): Uint8Array {
  const t = new TableBytes(64)
  t.ascii(0, 'FACS')
  t.u32(4, 64)
  t.u8(32, 2) // version
  return t.bytes
}

function buildFadt(facs: number, dsdt: number): Uint8Array {
  const t = describedTable('FACP', 244, 3)
  t.u32(36, facs)
  t.u32(40, dsdt)
  t.u8(45, 0) // unspecified PM profile
  t.u16(46, SCI_IRQ)
  t.u32(48, 0) // SMI_CMD: no legacy/ACPI mode switch
  t.u32(56, PM1A_EVT_PORT)
  t.u32(64, PM1A_CNT_PORT)
  t.u32(76, PM_TIMER_PORT)
  t.u8(88, 4) // PM1_EVT_LEN
  t.u8(89, 2) // PM1_CNT_LEN
  t.u8(91, 4) // PM_TMR_LEN
  t.u16(96, 101) // P_LVL2_LAT > 100: C2 not supported
  t.u16(98, 1001) // P_LVL3_LAT > 1000: C3 not supported
  t.u8(108, 0x32) // CENTURY: CMOS index of the century byte
  t.u16(109, (1 << 0) | (1 << 1) | (1 << 2)) // IAPC_BOOT_ARCH: LEGACY_DEVICES, 8042, VGA not present
  // Flags: WBINVD, PROC_C1, SLP_BUTTON (no fixed sleep button), RESET_REG_SUP.
  t.u32(112, (1 << 0) | (1 << 2) | (1 << 5) | (1 << 10))
  // RESET_REG: Generic Address Structure, System I/O port 0x64, byte access.
  t.u8(116, 1)
  t.u8(117, 8)
  t.u8(118, 0)
  t.u8(119, 1)
  t.u64(120, 0x64)
  t.u8(128, 0xfe) // RESET_VALUE
  t.u64(132, facs) // X_FIRMWARE_CTRL
  t.u64(140, dsdt) // X_DSDT
  return finish(t)
}

function buildMadt(c: AcpiConfig): Uint8Array {
  const overrides: Array<[number, number, number]> = [
    [0, 2, 0x0000], // ISA IRQ0 (PIT) → GSI 2, bus-default polarity/trigger
    [SCI_IRQ, SCI_IRQ, 0x000d], // SCI: active high (01), level (11)
  ]
  const length = 44 + 8 * c.cpus + 12 + 10 * overrides.length + 6
  const t = describedTable('APIC', length, 3)
  t.u32(36, LOCAL_APIC_ADDRESS)
  t.u32(40, 1) // PCAT_COMPAT: dual 8259s present
  let o = 44
  for (let i = 0; i < c.cpus; i++) {
    t.set(o, [0, 8, i, i])
    t.u32(o + 4, 1) // enabled
    o += 8
  }
  t.set(o, [1, 12, c.ioapicId ?? c.cpus, 0])
  t.u32(o + 4, IOAPIC_ADDRESS)
  t.u32(o + 8, 0)
  o += 12
  for (const [irq, gsi, flags] of overrides) {
    t.set(o, [2, 10, 0, irq])
    t.u32(o + 4, gsi)
    t.u16(o + 8, flags)
    o += 10
  }
  t.set(o, [4, 6, 0xff]) // Local APIC NMI: all processors
  t.u16(o + 3, 0)
  t.u8(o + 5, 1) // LINT1
  return finish(t)
}

function buildSdt(signature: 'RSDT' | 'XSDT', entries: number[]): Uint8Array {
  const size = signature === 'RSDT' ? 4 : 8
  const t = describedTable(signature, ACPI_HEADER_SIZE + size * entries.length, 1)
  entries.forEach((e, i) => (size === 4 ? t.u32(ACPI_HEADER_SIZE + 4 * i, e) : t.u64(ACPI_HEADER_SIZE + 8 * i, e)))
  return finish(t)
}

function buildRsdp(rsdt: number, xsdt: number): Uint8Array {
  const t = new TableBytes(36)
  t.ascii(0, 'RSD PTR ')
  t.ascii(9, ACPI_OEM_ID)
  t.u8(15, 2) // revision: ACPI 2.0+
  t.u32(16, rsdt)
  t.u32(20, 36)
  t.u64(24, xsdt)
  t.checksum(8, 0, 20)
  t.checksum(32, 0, 36)
  return t.bytes
}

/** Lay the tables out in the ACPI area (RSDP first, at 0xF0000). */
export function buildAcpiTables(c: AcpiConfig): AcpiImage {
  if (!Number.isInteger(c.cpus) || c.cpus < 1 || c.cpus > 254) throw new RangeError(`ACPI: processor count ${c.cpus} out of range`)
  const area = new Uint8Array(ACPI_AREA_SIZE)
  const tables: Record<string, number> = {}
  let cursor = 0x40 // after the RSDP
  const place = (name: string, bytes: Uint8Array, align = 16): number => {
    cursor = (cursor + align - 1) & ~(align - 1)
    area.set(bytes, cursor)
    const gpa = ACPI_AREA_BASE + cursor
    tables[name] = gpa
    cursor += bytes.length
    return gpa
  }
  const facs = place('FACS', buildFacs(), 64)
  const dsdt = place('DSDT', buildDsdt())
  const fadt = place('FACP', buildFadt(facs, dsdt))
  const madt = place('APIC', buildMadt(c))
  const rsdt = place('RSDT', buildSdt('RSDT', [fadt, madt]))
  const xsdt = place('XSDT', buildSdt('XSDT', [fadt, madt]))
  area.set(buildRsdp(rsdt, xsdt), 0)
  tables['RSD PTR '] = ACPI_AREA_BASE
  return { rsdp: ACPI_AREA_BASE, bytes: area.subarray(0, cursor), tables }
}
