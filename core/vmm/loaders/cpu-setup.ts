/**
 * The CPU environments our boot protocols promise, built in guest memory and as BootState:
 *  - 32-bit flat protected mode (Multiboot spec 3.2 "Machine state"; Linux boot protocol
 *    "32-bit boot protocol"): GDT with __BOOT_CS 0x10 code32 and __BOOT_DS 0x18, paging off.
 *  - 64-bit long mode (Linux boot protocol "64-bit boot protocol"): the same GDT layout with
 *    0x10 a 64-bit code segment, and identity-mapped 2 MiB pages covering 4 GiB.
 * Interrupts are disabled (RFLAGS = 0x2) and the IDT is empty: kernels install their own.
 */
import type { GuestMemory } from '../../memory/guest-memory'
import {
  ATTR_CODE32, ATTR_CODE64, CR0_ET, CR0_PE, CR0_PG, CR4_PAE, EFER_LMA, EFER_LME, RFLAGS_RESERVED1,
  flatSegments, zeroGprs, type BootState,
} from './boot-state'
import { BOOT_STACK_TOP, GDT_ADDR, PAGE_TABLES_ADDR, PAGE_TABLES_SIZE } from './layout'

export const BOOT_CS = 0x10
export const BOOT_DS = 0x18
const GDT_ENTRIES = 4

// Descriptors with the accessed bit already set, so that loading them writes nothing.
const DESC_CODE32 = 0x00cf9b000000ffffn
const DESC_CODE64 = 0x00af9b000000ffffn
const DESC_DATA = 0x00cf93000000ffffn

function writeGdt(memory: GuestMemory, code: bigint): void {
  const gdt = new Uint8Array(GDT_ENTRIES * 8)
  const v = new DataView(gdt.buffer)
  v.setBigUint64(BOOT_CS, code, true)
  v.setBigUint64(BOOT_DS, DESC_DATA, true)
  memory.writeBytes(GDT_ADDR, gdt)
}

/** PML4 → one PDPT → four page directories of 2 MiB pages: an identity map of [0, 4 GiB). */
function writeIdentityPageTables(memory: GuestMemory): number {
  const t = new Uint8Array(PAGE_TABLES_SIZE)
  const v = new DataView(t.buffer)
  const PRESENT_RW = 0x3
  const PS = 0x80
  const pml4 = PAGE_TABLES_ADDR
  const pdpt = pml4 + 0x1000
  const pd0 = pml4 + 0x2000
  v.setUint32(0, pdpt | PRESENT_RW, true)
  for (let i = 0; i < 4; i++) v.setUint32(0x1000 + i * 8, (pd0 + i * 0x1000) | PRESENT_RW, true)
  for (let i = 0; i < 4 * 512; i++) {
    const phys = BigInt(i) * 0x200000n
    v.setBigUint64(0x2000 + i * 8, phys | BigInt(PRESENT_RW | PS), true)
  }
  memory.writeBytes(PAGE_TABLES_ADDR, t)
  return pml4
}

interface EntryOptions {
  format: string
  entry: number
  /** GPR values by Reg index. */
  regs?: Partial<Record<number, bigint>>
  stack?: number
  regions: BootState['regions']
}

function gprs(regs: EntryOptions['regs'], stack: number): bigint[] {
  const g = zeroGprs()
  for (const [k, v] of Object.entries(regs ?? {})) g[Number(k)] = v ?? 0n
  g[4] = BigInt(stack)
  return g
}

export function enterProtectedMode32(memory: GuestMemory, o: EntryOptions): BootState {
  writeGdt(memory, DESC_CODE32)
  const stack = o.stack ?? BOOT_STACK_TOP
  return {
    format: o.format,
    mode: 'protected32',
    rip: BigInt(o.entry),
    rsp: BigInt(stack),
    rflags: RFLAGS_RESERVED1,
    gprs: gprs(o.regs, stack),
    cr0: CR0_PE | CR0_ET,
    cr3: 0n,
    cr4: 0n,
    efer: 0n,
    gdtr: { base: BigInt(GDT_ADDR), limit: GDT_ENTRIES * 8 - 1 },
    idtr: { base: 0n, limit: 0 },
    segments: flatSegments(BOOT_CS, ATTR_CODE32, BOOT_DS),
    regions: [...o.regions, { name: 'gdt', base: GDT_ADDR, size: GDT_ENTRIES * 8 }],
  }
}

export function enterLongMode64(memory: GuestMemory, o: EntryOptions): BootState {
  writeGdt(memory, DESC_CODE64)
  const cr3 = writeIdentityPageTables(memory)
  const stack = o.stack ?? BOOT_STACK_TOP
  return {
    format: o.format,
    mode: 'long64',
    rip: BigInt(o.entry),
    rsp: BigInt(stack),
    rflags: RFLAGS_RESERVED1,
    gprs: gprs(o.regs, stack),
    cr0: CR0_PG | CR0_PE | CR0_ET,
    cr3: BigInt(cr3),
    cr4: CR4_PAE,
    efer: EFER_LME | EFER_LMA,
    gdtr: { base: BigInt(GDT_ADDR), limit: GDT_ENTRIES * 8 - 1 },
    idtr: { base: 0n, limit: 0 },
    segments: flatSegments(BOOT_CS, ATTR_CODE64, BOOT_DS),
    regions: [
      ...o.regions,
      { name: 'gdt', base: GDT_ADDR, size: GDT_ENTRIES * 8 },
      { name: 'page-tables', base: PAGE_TABLES_ADDR, size: PAGE_TABLES_SIZE },
    ],
  }
}
