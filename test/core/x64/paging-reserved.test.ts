import { describe, it, expect } from 'vitest'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { CpuState } from '../../../core/x64/cpu-state'
import { translate, Access } from '../../../core/x64/paging'
import { FAULT } from '../../../core/x64/faults'
import { CR0, CR4, EFER } from '../../../core/x64/constants'

// Reserved bits in paging-structure entries raise #PF with P=1 and RSVD=1 (SDM vol. 3, 4.7,
// MAXPHYADDR 40 from CPUID 0x80000008) instead of reaching a guest-physical address.

const PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000, PT = 0x4000, PAGE = 0x5000

function fourLevel(nxe = true): { c: CpuState; v: DataView } {
  const mem = new GuestMemory(1 << 20)
  const c = new CpuState(mem)
  const v = mem.view
  v.setBigUint64(PML4, BigInt(PDPT | 7), true)
  v.setBigUint64(PDPT, BigInt(PD | 7), true)
  v.setBigUint64(PD, BigInt(PT | 7), true)
  v.setBigUint64(PT, BigInt(PAGE | 7), true)
  c.cr0 = (CR0.PG | CR0.PE) >>> 0
  c.cr4 = CR4.PAE
  c.efer = EFER.LME | EFER.LMA | (nxe ? EFER.NXE : 0)
  c.cr3 = PML4
  return { c, v }
}

/** The #PF error code translate() raises, or -1 when it translates. */
function pfCode(c: CpuState, lin: number, access: number = Access.Read, user = false): number {
  try { translate(c, lin, access, user); return -1 } catch (e) {
    if (e !== FAULT) throw e
    expect(FAULT.vector).toBe(14)
    return FAULT.errorCode
  }
}

describe('paging reserved bits', () => {
  it('a clean 4-level walk translates', () => {
    const { c } = fourLevel()
    expect(translate(c, 0x123, Access.Read, false)).toBe(PAGE + 0x123)
  })
  it('an address bit above MAXPHYADDR in any 4-level entry is RSVD', () => {
    for (const entry of [PML4, PDPT, PD, PT]) {
      const { c, v } = fourLevel()
      v.setBigUint64(entry, v.getBigUint64(entry, true) | (1n << 40n), true)
      expect(pfCode(c, 0x10)).toBe(1 | 8)
      expect(pfCode(c, 0x10, Access.Write, true)).toBe(1 | 2 | 4 | 8)
      expect(c.cr2).toBe(0x10)
    }
  })
  it('bit 51 is reserved, bits 52-62 are ignored', () => {
    const { c, v } = fourLevel()
    v.setBigUint64(PT, BigInt(PAGE | 7) | (1n << 51n), true)
    expect(pfCode(c, 0)).toBe(9)
    v.setBigUint64(PT, BigInt(PAGE | 7) | (0x7ffn << 52n), true)
    expect(pfCode(c, 0)).toBe(-1)
  })
  it('XD with EFER.NXE=0 and PS in a PML4E are reserved', () => {
    const a = fourLevel(false)
    a.v.setBigUint64(PT, BigInt(PAGE | 7) | (1n << 63n), true)
    expect(pfCode(a.c, 0)).toBe(9)
    const b = fourLevel()
    b.v.setBigUint64(PML4, BigInt(PDPT | 0x87), true)
    expect(pfCode(b.c, 0)).toBe(9)
  })
  it('reserved low bits of 2-MiB and 1-GiB leaves', () => {
    const a = fourLevel()
    a.v.setBigUint64(PD, BigInt(0x200000 | 0x87), true)
    expect(pfCode(a.c, 0x1234)).toBe(-1)
    a.v.setBigUint64(PD, BigInt(0x200000 | 0x2000 | 0x87), true)
    expect(pfCode(a.c, 0x1234)).toBe(9)
    const b = fourLevel()
    b.v.setBigUint64(PDPT, BigInt(0x40000000 | 0x100000 | 0x87), true)
    expect(pfCode(b.c, 0x1234)).toBe(9)
  })
  it('a not-present entry is a plain #PF whatever its other bits', () => {
    const { c, v } = fourLevel()
    v.setBigUint64(PT, (1n << 45n) | 6n, true)
    expect(pfCode(c, 0)).toBe(0)
  })
  it('PAE and 32-bit paging reserved bits', () => {
    const mem = new GuestMemory(1 << 20)
    const c = new CpuState(mem)
    const v = mem.view
    c.cr0 = (CR0.PG | CR0.PE) >>> 0
    c.cr4 = CR4.PAE
    c.cr3 = PML4
    v.setBigUint64(PML4, BigInt(PD | 1), true)
    v.setBigUint64(PD, BigInt(PT | 7), true)
    v.setBigUint64(PT, BigInt(PAGE | 7), true)
    expect(pfCode(c, 0x10)).toBe(-1)
    v.setBigUint64(PT, BigInt(PAGE | 7) | (1n << 62n), true)
    expect(pfCode(c, 0x10)).toBe(9)
    v.setBigUint64(PT, BigInt(PAGE | 7), true)
    v.setBigUint64(PML4, BigInt(PD | 1 | 2), true) // PDPTE bit 1 is reserved
    expect(pfCode(c, 0x10)).toBe(9)
    // 32-bit paging, 4-MiB page: bit 21 is reserved
    c.cr4 = CR4.PSE
    v.setUint32(PML4, 0x400000 | 0x87, true)
    expect(pfCode(c, 0x10)).toBe(-1)
    v.setUint32(PML4, 0x400000 | 0x200000 | 0x87, true)
    expect(pfCode(c, 0x10)).toBe(9)
  })
})
