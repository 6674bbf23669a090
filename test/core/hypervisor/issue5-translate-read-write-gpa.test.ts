/**
 * HvTranslateVirtualAddress, HvReadGpa and HvWriteGpa (TLFS 12.4.4-12.4.6) on the REAL CPU
 * (core/x64 through `new Hypervisor()`): the parent sets the child VP's paging registers with
 * HvSetVpRegisters, builds page tables in the child's RAM and asks the hypervisor to walk them.
 * Every status code and every HV_TRANSLATE_GVA_RESULT_CODE / HV_ACCESS_GPA_RESULT_CODE the
 * handlers can produce is reached here.
 */
import { describe, expect, it } from 'vitest'
import { HvTranslateGvaResultCode as G } from '../../../core/hypervisor/gva-walk'
import * as S from '../../../core/hypervisor/hv-status'
import { Hypervisor } from '../../../core/hypervisor/hypervisor'
import { writeHypercallMsr } from '../../../core/hypervisor/hypercall-page'
import { HvRegister as R } from '../../../core/hypervisor/register-names'
import { makeChild, rootPages } from './helpers'

const PAGES = 64
const PML4 = 0x1000
const PDPT = 0x2000
const PD = 0x3000
const PT = 0x4000
const P = 1n
const W = 2n
const U = 4n
const PS = 0x80n
const NX = 1n << 63n
/** GVA 0x400000 + n*4 KiB (PD slot 2) uses the 4 KiB table at PT; 0x600000 (PD slot 3) is a 2 MiB page. */
const GVA4K = 0x400n
const GVA2M = 0x600n

function setup(opts: { nxe?: boolean; cpl3?: boolean } = {}) {
  const hv = new Hypervisor()
  const c = makeChild(hv, PAGES * 4096, 16)
  const root = hv.wrapper()
  expect(root.HvMapGpaPages(c, 0, 7, rootPages(PAGES)).status).toBe(S.HV_STATUS_SUCCESS)
  expect(root.HvCreateVp(c, 0)).toBe(S.HV_STATUS_SUCCESS)
  const p = hv.partition(c)!
  const mem = p.memory!
  const pte = (gpa: number, v: bigint) => mem.view.setBigUint64(gpa, v, true)
  pte(PML4, BigInt(PDPT) | P | W | U)
  pte(PDPT, BigInt(PD) | P | W | U)
  pte(PD + 2 * 8, BigInt(PT) | P | W | U)
  pte(PD + 3 * 8, 0n | P | W | PS) // 2 MiB page at GPA 0, supervisor only
  pte(PT + 0 * 8, 0x10000n | P | W | U) // RW user
  pte(PT + 1 * 8, 0x11000n | P | U) // read-only user
  pte(PT + 2 * 8, 0x12000n) // not present
  pte(PT + 3 * 8, 0x13000n | P | W | NX) // supervisor, no-execute
  const efer = 0x500n | (opts.nxe === false ? 0n : 0x800n)
  const cs = { lo: 0n, hi: 0xffffffffn | (0xa09bn << 32n) | (BigInt(opts.cpl3 ? 0x1b : 0x08) << 48n) }
  const st = root.HvSetVpRegisters(c, 0, [
    { name: R.HvX64RegisterCr4, value: 0x20n },
    { name: R.HvX64RegisterEfer, value: efer },
    { name: R.HvX64RegisterCr3, value: BigInt(PML4) },
    { name: R.HvX64RegisterCr0, value: 0x80010011n }, // PG | WP | ET | PE
    { name: R.HvX64RegisterCs, value: cs },
  ])
  expect(st).toEqual({ status: S.HV_STATUS_SUCCESS, repsCompleted: 5 })
  return { hv, c, root, p, mem, pte }
}

describe('HvTranslateVirtualAddress (12.4.4) on real page tables', () => {
  it('translates 4 KiB and 2 MiB pages in long mode and reports WB, not overlay', () => {
    const { c, root } = setup()
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K)).toEqual({
      status: S.HV_STATUS_SUCCESS, resultCode: G.HvTranslateGvaSuccess, cacheType: 6, overlayPage: false, gpaPage: 0x10n,
    })
    expect(root.HvTranslateVirtualAddress(c, 0, 3n, GVA4K).gpaPage).toBe(0x10n)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K + 1n).gpaPage).toBe(0x11n)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA2M + 0x25n)).toMatchObject({ resultCode: G.HvTranslateGvaSuccess, gpaPage: 0x25n })
  })

  it('reports PageNotPresent for a clear P bit, an empty upper level and a non-canonical GVA', () => {
    const { c, root } = setup()
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K + 2n).resultCode).toBe(G.HvTranslateGvaPageNotPresent)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, 0x800n).resultCode).toBe(G.HvTranslateGvaPageNotPresent) // PD slot 4 empty
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, 1n << 36n).resultCode).toBe(G.HvTranslateGvaPageNotPresent) // GVA 2^48
  })

  it('reports PrivilegeViolation for write to read-only (WP), execute of NX, user access to supervisor', () => {
    const { c, root } = setup()
    expect(root.HvTranslateVirtualAddress(c, 0, 2n, GVA4K + 1n).resultCode).toBe(G.HvTranslateGvaPrivilegeViolation)
    expect(root.HvTranslateVirtualAddress(c, 0, 4n, GVA4K + 3n).resultCode).toBe(G.HvTranslateGvaPrivilegeViolation)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K + 3n).resultCode).toBe(G.HvTranslateGvaSuccess)
    const u = setup({ cpl3: true })
    expect(u.root.HvTranslateVirtualAddress(u.c, 0, 1n, GVA4K + 3n).resultCode).toBe(G.HvTranslateGvaPrivilegeViolation)
    expect(u.root.HvTranslateVirtualAddress(u.c, 0, 1n, GVA2M).resultCode).toBe(G.HvTranslateGvaPrivilegeViolation)
    // PRIVILEGE_EXEMPT: walk as CPL 0.
    expect(u.root.HvTranslateVirtualAddress(u.c, 0, 1n | 8n, GVA4K + 3n).resultCode).toBe(G.HvTranslateGvaSuccess)
    expect(u.root.HvTranslateVirtualAddress(u.c, 0, 1n, GVA4K).resultCode).toBe(G.HvTranslateGvaSuccess)
  })

  it('reports InvalidPageTableFlags for an XD bit while EFER.NXE is clear', () => {
    const { c, root } = setup({ nxe: false })
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K + 3n).resultCode).toBe(G.HvTranslateGvaInvalidPageTableFlags)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K).resultCode).toBe(G.HvTranslateGvaSuccess)
  })

  it('reports GPA access failures of page-table pages with the failing GPA page', () => {
    const { c, root } = setup()
    // Unmapped page table page.
    expect(root.HvUnmapGpaPages(c, PT / 4096, 1).status).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K)).toMatchObject({ resultCode: G.HvTranslateGvaGpaUnmapped, gpaPage: 4n })
    // Mapped but inaccessible (flags 0): not readable.
    expect(root.HvMapGpaPages(c, PT / 4096, 0, rootPages(1)).status).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K)).toMatchObject({ resultCode: G.HvTranslateGvaGpaNoReadAccess, gpaPage: 4n })
    // Read-only: fine for a plain walk, not when the walk must set A/D bits.
    expect(root.HvMapGpaPages(c, PT / 4096, 1, rootPages(1)).status).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K).resultCode).toBe(G.HvTranslateGvaSuccess)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n | 0x10n, GVA4K)).toMatchObject({ resultCode: G.HvTranslateGvaGpaNoWriteAccess, gpaPage: 4n })
  })

  it('reports IllegalOverlayAccess when A/D bits would be written into an overlay page table', () => {
    const { c, root, p, pte } = setup()
    // Put a page table on the hypercall overlay page: the walk must not write A/D bits there.
    pte(PD + 5 * 8, BigInt(0x8000) | P | W)
    // The overlay's bytes replace the RAM; its entry 0 starts with the VMCALL stub (0x0f: P = 1).
    p.guestOsId = 1n
    expect(writeHypercallMsr(p, 0x8001n)).toBe(true)
    const r = root.HvTranslateVirtualAddress(c, 0, 1n | 0x10n, 0xa00n)
    expect(r).toMatchObject({ resultCode: G.HvTranslateGvaGpaIllegalOverlayAccess, gpaPage: 8n })
  })

  it('sets A and D bits as asked and TlbFlushInhibit on success', () => {
    const { c, root, mem } = setup()
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA4K).resultCode).toBe(G.HvTranslateGvaSuccess)
    expect(mem.view.getUint32(PT, true) & 0x60).toBe(0) // no flag: tables untouched
    root.HvTranslateVirtualAddress(c, 0, 1n | 0x10n, GVA4K)
    expect(mem.view.getUint32(PT, true) & 0x60).toBe(0x20)
    expect(mem.view.getUint32(PML4, true) & 0x20).toBe(0x20)
    root.HvTranslateVirtualAddress(c, 0, 2n | 0x10n, GVA4K)
    expect(mem.view.getUint32(PT, true) & 0x60).toBe(0x60)
    expect(root.HvGetVpRegister(c, 0, R.HvRegisterInterceptSuspend).value & 2n).toBe(0n)
    root.HvTranslateVirtualAddress(c, 0, 1n | 0x20n, GVA4K + 2n) // fails: no inhibit
    expect(root.HvGetVpRegister(c, 0, R.HvRegisterInterceptSuspend).value & 2n).toBe(0n)
    root.HvTranslateVirtualAddress(c, 0, 1n | 0x20n, GVA4K)
    expect(root.HvGetVpRegister(c, 0, R.HvRegisterInterceptSuspend).value & 2n).toBe(2n)
  })

  it('walks 32-bit (4 MiB PSE) and PAE tables and passes through with paging off', () => {
    const { c, root, mem } = setup()
    // Paging off: GVA = GPA.
    root.HvSetVpRegisters(c, 0, [{ name: R.HvX64RegisterCr0, value: 0x11n }, { name: R.HvX64RegisterEfer, value: 0n }])
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, 0x12345n).gpaPage).toBe(0x12345n)
    // 32-bit: PD at 0x5000, 4 MiB page 1 → GPA 0x800000; PDE 0 → PT at 0x6000.
    mem.view.setUint32(0x5000 + 4, 0x800000 | 0x83, true)
    mem.view.setUint32(0x5000, 0x6000 | 3, true)
    mem.view.setUint32(0x6000 + 7 * 4, 0x21000 | 3, true)
    root.HvSetVpRegisters(c, 0, [
      { name: R.HvX64RegisterCr3, value: 0x5000n }, { name: R.HvX64RegisterCr4, value: 0x10n }, { name: R.HvX64RegisterCr0, value: 0x80000011n },
    ])
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, 0x403n)).toMatchObject({ resultCode: G.HvTranslateGvaSuccess, gpaPage: 0x803n })
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, 7n)).toMatchObject({ resultCode: G.HvTranslateGvaSuccess, gpaPage: 0x21n })
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, 8n).resultCode).toBe(G.HvTranslateGvaPageNotPresent)
    // PAE: PDPT at 0x7000 (entry 1 → PD at 0x8000 whose entry 0 is a 2 MiB page at 0x200000).
    mem.view.setBigUint64(0x7000 + 8, 0x8000n | 1n, true)
    mem.view.setBigUint64(0x8000, 0x200000n | 0x83n, true)
    root.HvSetVpRegisters(c, 0, [{ name: R.HvX64RegisterCr0, value: 0x11n }])
    root.HvSetVpRegisters(c, 0, [
      { name: R.HvX64RegisterCr3, value: 0x7000n }, { name: R.HvX64RegisterCr4, value: 0x20n }, { name: R.HvX64RegisterCr0, value: 0x80000011n },
    ])
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, 0x40005n)).toMatchObject({ resultCode: G.HvTranslateGvaSuccess, gpaPage: 0x205n })
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, 5n).resultCode).toBe(G.HvTranslateGvaPageNotPresent)
  })

  it('returns every status code of 12.4.4', () => {
    const { hv, c, root, p } = setup()
    expect(root.HvTranslateVirtualAddress(0x7777n, 0, 1n, 0n).status).toBe(S.HV_STATUS_INVALID_PARTITION_ID)
    expect(hv.wrapper(p).HvTranslateVirtualAddress(c, 0, 1n, 0n).status).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(root.HvTranslateVirtualAddress(hv.root.id, 0, 1n, 0n).status).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(root.HvTranslateVirtualAddress(c, 1, 1n, 0n).status).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    expect(root.HvTranslateVirtualAddress(c, 0, 0n, 0n).status).toBe(S.HV_STATUS_INVALID_PARAMETER) // no R/W/X
    expect(root.HvTranslateVirtualAddress(c, 0, 8n | 0x10n, 0n).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n | 0x40n, 0n).status).toBe(S.HV_STATUS_INVALID_PARAMETER) // reserved bit
    expect(root.HvTranslateVirtualAddress(c, 0, 1n | (1n << 63n), 0n).status).toBe(S.HV_STATUS_INVALID_PARAMETER)
    root.HvDepositMemory(hv.root.id, rootPages(1))
    const fresh = root.HvCreatePartition()
    expect(root.HvTranslateVirtualAddress(fresh.newPartitionId, 0, 1n, 0n).status).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    expect(root.HvFinalizePartition(c)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, 0n).status).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
  })
})

describe('HvReadGpa / HvWriteGpa (12.4.5, 12.4.6)', () => {
  it('reads and writes up to 16 bytes within one page, zero-filling the unused output', () => {
    const { c, root, mem } = setup()
    mem.writeBytes(0x9000, Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i))
    const r = root.HvReadGpa(c, 0, 0x9000n, 5)
    expect(r.status).toBe(S.HV_STATUS_SUCCESS)
    expect(r.accessResult).toBe(0)
    expect([...r.data]).toEqual([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    expect([...root.HvReadGpa(c, 0, 0x9ff0n, 16).data]).toEqual(new Array(16).fill(0))
    const w = root.HvWriteGpa(c, 0, 0x9ffdn, Uint8Array.of(1, 2, 3))
    expect(w).toEqual({ status: S.HV_STATUS_SUCCESS, accessResult: 0 })
    expect([...mem.ram.subarray(0x9ffc, 0xa000)]).toEqual([0, 1, 2, 3])
    // Every valid cache type is accepted.
    for (const ct of [0n, 1n, 4n, 5n, 6n]) expect(root.HvReadGpa(c, 0, 0x9000n, 1, ct).status).toBe(S.HV_STATUS_SUCCESS)
  })

  it('reports Unmapped, ReadIntercept and WriteIntercept access results', () => {
    const { c, root, mem } = setup()
    mem.ram[0xa000] = 0x77
    root.HvUnmapGpaPages(c, 0xa, 1)
    expect(root.HvReadGpa(c, 0, 0xa000n, 1)).toMatchObject({ status: S.HV_STATUS_SUCCESS, accessResult: 1 })
    expect(root.HvWriteGpa(c, 0, 0xa000n, Uint8Array.of(9))).toMatchObject({ status: S.HV_STATUS_SUCCESS, accessResult: 1 })
    root.HvMapGpaPages(c, 0xa, 0, rootPages(1)) // inaccessible
    expect(root.HvReadGpa(c, 0, 0xa000n, 1).accessResult).toBe(2)
    root.HvMapGpaPages(c, 0xa, 1, rootPages(1)) // read-only
    expect(root.HvReadGpa(c, 0, 0xa000n, 1)).toMatchObject({ accessResult: 0 })
    expect(root.HvWriteGpa(c, 0, 0xa000n, Uint8Array.of(9)).accessResult).toBe(3)
    expect(root.HvReadGpa(c, 0, 0xa000n, 1).data[0]).toBe(mem.ram[0xa000])
    expect(mem.ram[0xa000]).not.toBe(9)
  })

  it('directs accesses to the hypercall overlay page, which refuses writes', () => {
    const { c, root, p, mem } = setup()
    mem.ram.fill(0x5a, 0xb000, 0xc000)
    p.guestOsId = 1n
    expect(writeHypercallMsr(p, 0xb001n)).toBe(true)
    expect([...root.HvReadGpa(c, 0, 0xb000n, 3).data.subarray(0, 3)]).toEqual([0x0f, 0x01, 0xc1])
    expect(root.HvWriteGpa(c, 0, 0xb000n, Uint8Array.of(0)).accessResult).toBe(3)
    expect(root.HvTranslateVirtualAddress(c, 0, 1n, GVA2M + 0xbn)).toMatchObject({ resultCode: 0, overlayPage: true, gpaPage: 0xbn })
  })

  it('returns every status code of 12.4.5 / 12.4.6', () => {
    const { hv, c, root, p } = setup()
    const both = (fn: (r: typeof root) => { status: number }, want: number) => expect(fn(root).status).toBe(want)
    for (const rd of [true, false]) {
      const call = (r: typeof root, id: bigint, vp: number, gpa: bigint, n: number, ctl = 6n) =>
        rd ? r.HvReadGpa(id, vp, gpa, n, ctl) : r.HvWriteGpa(id, vp, gpa, new Uint8Array(n), ctl)
      both((r) => call(r, 0x7777n, 0, 0n, 1), S.HV_STATUS_INVALID_PARTITION_ID)
      expect(call(hv.wrapper(p), c, 0, 0n, 1).status).toBe(S.HV_STATUS_ACCESS_DENIED)
      both((r) => call(r, hv.root.id, 0, 0n, 1), S.HV_STATUS_ACCESS_DENIED)
      both((r) => call(r, c, 3, 0n, 1), S.HV_STATUS_INVALID_VP_INDEX)
      both((r) => call(r, c, 0, 0n, 0), S.HV_STATUS_INVALID_PARAMETER) // zero bytes
      both((r) => call(r, c, 0, 0n, 17), S.HV_STATUS_INVALID_PARAMETER) // > 16 bytes
      both((r) => call(r, c, 0, 0xff8n, 9), S.HV_STATUS_INVALID_PARAMETER) // crosses a page
      both((r) => call(r, c, 0, BigInt(PAGES * 4096), 1), S.HV_STATUS_INVALID_PARAMETER) // beyond the GPA space
      both((r) => call(r, c, 0, 1n << 62n, 1), S.HV_STATUS_INVALID_PARAMETER)
      both((r) => call(r, c, 0, 0n, 1, 2n), S.HV_STATUS_INVALID_PARAMETER) // cache type 2 undefined
      both((r) => call(r, c, 0, 0n, 1, 6n | 0x100n), S.HV_STATUS_INVALID_PARAMETER) // reserved bit
    }
    root.HvDepositMemory(hv.root.id, rootPages(1))
    const fresh = root.HvCreatePartition().newPartitionId
    expect(root.HvReadGpa(fresh, 0, 0n, 1).status).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
    expect(root.HvWriteGpa(fresh, 0, 0n, Uint8Array.of(1)).status).toBe(S.HV_STATUS_INVALID_PARTITION_STATE)
  })
})
