import { describe, it, expect } from 'vitest'
import { hasToolchain, run64, assemble, newCpu, enterFlat32, runGuest, reg } from './harness'
import { ExitReason, nativeCpuid } from '../../../core/x64'

// Global pages and PCIDs (SDM vol. 3, 4.10): the guest changes a PTE without INVLPG and
// observes which translation a later access uses. Keeping a stale translation is what
// hardware may do; dropping it is what the architecture requires for the listed events.

const PDPT = 0x71000, PD1 = 0x73000, PT1 = 0x74000
const A = 0x200000, B = 0x201000, LIN = 0x40000000

/** Map LIN (1 GiB) through PD1/PT1 to A with the PTE flags `g` (0 or 0x100). */
function mapLin(mem: { view: DataView; ram: Uint8Array }, g: number): void {
  const v = mem.view
  mem.ram.fill(0, PD1, PT1 + 0x1000)
  v.setUint32(PDPT + 8, PD1 | 3, true)
  v.setUint32(PD1, PT1 | 3, true)
  v.setUint32(PT1, A | 3 | g, true)
  v.setUint32(A, 0x1111, true)
  v.setUint32(B, 0x2222, true)
}

/**
 * Read LIN into ecx, retarget its PTE at B (G bit `g`), run `between`, read LIN into edx.
 * `pre` runs before the first read (e.g. enabling CR4.PGE).
 */
function staleProbe(g: number, pre: string, between: string): { ecx: number; edx: number } {
  const src = `
    ${pre}
    mov rbx, ${LIN}
    mov ecx, [rbx]
    mov dword ptr [${PT1}], ${B | 3 | g}
    ${between}
    mov edx, [rbx]
  `
  const { cpu, r } = run64(src, (_cpu, mem) => mapLin(mem, g))
  expect(r.reason).toBe(ExitReason.Halt)
  return { ecx: Number(reg(cpu, 1)), edx: Number(reg(cpu, 2)) }
}

const PGE_ON = 'mov rax, cr4\n or rax, 0x80\n mov cr4, rax'
const CR3_RELOAD = 'mov rax, cr3\n mov cr3, rax'

describe.skipIf(!hasToolchain())('TLB: global pages', () => {
  it('a global translation survives a CR3 reload', () => {
    expect(staleProbe(0x100, PGE_ON, CR3_RELOAD)).toEqual({ ecx: 0x1111, edx: 0x1111 })
  })
  it('a non-global translation does not', () => {
    expect(staleProbe(0, PGE_ON, CR3_RELOAD)).toEqual({ ecx: 0x1111, edx: 0x2222 })
  })
  it('the G bit is ignored while CR4.PGE = 0', () => {
    expect(staleProbe(0x100, '', CR3_RELOAD)).toEqual({ ecx: 0x1111, edx: 0x2222 })
  })
  it('without any flush the stale translation is used (the TLB caches)', () => {
    expect(staleProbe(0, PGE_ON, 'nop')).toEqual({ ecx: 0x1111, edx: 0x1111 })
  })
  it('INVLPG drops a global translation', () => {
    expect(staleProbe(0x100, PGE_ON, 'invlpg [rbx]')).toEqual({ ecx: 0x1111, edx: 0x2222 })
  })
  it('toggling CR4.PGE flushes global translations', () => {
    const toggle = 'mov rax, cr4\n and rax, ~0x80\n mov cr4, rax\n or rax, 0x80\n mov cr4, rax'
    expect(staleProbe(0x100, PGE_ON, toggle)).toEqual({ ecx: 0x1111, edx: 0x2222 })
  })
  it('a global translation of fetched code survives CR3 reloads, a non-global one does not', () => {
    // the code page at LIN returns 1 (A) or 2 (B); the PTE is retargeted before the second call
    for (const [g, want] of [[0x100, 1], [0, 2]] as const) {
      const { cpu, r } = run64(`
        ${PGE_ON}
        mov rbx, ${LIN}
        call rbx
        mov r8, rax
        mov dword ptr [${PT1}], ${B | 3 | g}
        ${CR3_RELOAD}
        call rbx
      `, (_c, mem) => {
        mapLin(mem, g)
        mem.writeBytes(A, assemble('mov eax, 1\nret', LIN))
        mem.writeBytes(B, assemble('mov eax, 2\nret', LIN))
      })
      expect(r.reason).toBe(ExitReason.Halt)
      expect(Number(reg(cpu, 8))).toBe(1)
      expect(Number(reg(cpu, 0))).toBe(want)
    }
  })
  it('INVLPG of any address in a 2-MiB page drops its other 4-KiB pieces', () => {
    const { cpu, r } = run64(`
      mov rbx, ${LIN + 0x5000}
      mov ecx, [rbx]
      mov dword ptr [${PD1}], ${0x400000 | 0x83}
      mov rax, ${LIN + 0x1f0000}
      invlpg [rax]
      mov edx, [rbx]
    `, (_c, mem) => {
      mapLin(mem, 0)
      mem.view.setUint32(PD1, 0x200000 | 0x83, true)
      mem.view.setUint32(0x205000, 0xaaaa, true)
      mem.view.setUint32(0x405000, 0xbbbb, true)
    })
    expect(r.reason).toBe(ExitReason.Halt)
    expect([Number(reg(cpu, 1)), Number(reg(cpu, 2))]).toEqual([0xaaaa, 0xbbbb])
  })
  it('INVLPG anywhere in a 1-GiB page drops its cached pieces', () => {
    const { cpu, r } = run64(`
      mov rbx, ${LIN + 0x205000}
      mov ecx, [rbx]
      mov dword ptr [${PDPT + 8}], 0
      mov rax, ${LIN + 0x3ff00000}
      invlpg [rax]
      mov edx, [rbx]
    `, (c, mem) => {
      mem.view.setUint32(PDPT + 8, 0x83, true) // LIN -> physical 0 as one 1-GiB page
      mem.view.setUint32(0x205000, 0xcccc, true)
      c.exceptionBitmap = 1 << 14
    })
    expect(r.reason).toBe(ExitReason.Exception)
    expect(cpu.exit.vector).toBe(14)
    expect(Number(reg(cpu, 1))).toBe(0xcccc)
  })
  it('32-bit paging: a global 4-KiB translation survives a CR3 reload', () => {
    for (const [g, want] of [[0x100, 0x1111], [0, 0x2222]] as const) {
      const { cpu, mem } = newCpu()
      const PDIR = 0x10000, PTAB = 0x11000
      const v = mem.view
      // identity 4-MiB page for the code, one 4-KiB page at 0x00400000 -> A
      v.setUint32(PDIR, 0x83, true)
      v.setUint32(PDIR + 4, PTAB | 3, true)
      v.setUint32(PTAB, A | 3 | g, true)
      v.setUint32(A, 0x1111, true); v.setUint32(B, 0x2222, true)
      mem.writeBytes(0x1000, assemble(`
        mov eax, ${PDIR}
        mov cr3, eax
        mov eax, 0x90
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov ecx, [0x400000]
        mov dword ptr [${PTAB}], ${B | 3 | g}
        mov eax, cr3
        mov cr3, eax
        mov edx, [0x400000]
        hlt
      `, 0x1000, 32))
      enterFlat32(cpu, 0x1000)
      const r = runGuest(cpu, 10_000)
      expect(r.reason).toBe(ExitReason.Halt)
      expect([Number(reg(cpu, 1)), Number(reg(cpu, 2))]).toEqual([0x1111, want])
    }
  })
})

describe.skipIf(!hasToolchain())('TLB: PCIDs', () => {
  const PCIDE_ON = 'mov rax, cr4\n or rax, 0x20000\n mov cr4, rax'
  const NOFLUSH = 1n << 63n
  it('translations are kept per PCID; bit 63 keeps them, a clear bit 63 drops them', () => {
    const { cpu, r } = run64(`
      ${PCIDE_ON}
      mov r12, cr3
      lea rax, [r12 + 1]
      mov cr3, rax                 # PCID 1
      mov rbx, ${LIN}
      mov ecx, [rbx]               # A cached under PCID 1
      mov dword ptr [${PT1}], ${B | 3}
      lea rax, [r12 + 2]
      mov cr3, rax                 # PCID 2: fresh walk
      mov edx, [rbx]
      lea rax, [r12 + 1]
      mov r9, ${NOFLUSH}
      or rax, r9
      mov cr3, rax                 # back to PCID 1 without invalidation
      mov esi, [rbx]
      mov r10, cr3                 # reads back PCID 1, bit 63 not stored
      lea rax, [r12 + 1]
      mov cr3, rax                 # PCID 1 with invalidation
      mov edi, [rbx]
    `, (_c, mem) => mapLin(mem, 0))
    expect(r.reason).toBe(ExitReason.Halt)
    expect([1, 2, 6, 7].map((i) => Number(reg(cpu, i)))).toEqual([0x1111, 0x2222, 0x1111, 0x2222])
    expect(reg(cpu, 10)).toBe(0x70001n)
  })
  it('INVLPG drops the page in the current PCID', () => {
    const { cpu, r } = run64(`
      ${PCIDE_ON}
      mov rbx, ${LIN}
      mov ecx, [rbx]
      mov dword ptr [${PT1}], ${B | 3}
      invlpg [rbx]
      mov edx, [rbx]
    `, (_c, mem) => mapLin(mem, 0))
    expect(r.reason).toBe(ExitReason.Halt)
    expect([Number(reg(cpu, 1)), Number(reg(cpu, 2))]).toEqual([0x1111, 0x2222])
  })
  it('clearing CR4.PCIDE flushes every PCID', () => {
    const { cpu, r } = run64(`
      ${PCIDE_ON}
      mov rbx, ${LIN}
      mov ecx, [rbx]
      mov dword ptr [${PT1}], ${B | 3}
      mov rax, cr4
      and rax, ~0x20000
      mov cr4, rax
      mov edx, [rbx]
    `, (_c, mem) => mapLin(mem, 0))
    expect(r.reason).toBe(ExitReason.Halt)
    expect([Number(reg(cpu, 1)), Number(reg(cpu, 2))]).toEqual([0x1111, 0x2222])
  })
  it('more PCIDs than sets: an evicted PCID comes back empty and correct', () => {
    // 12 PCIDs round robin, each reading LIN; the PTE flips between A and B each round
    const { cpu, r } = run64(`
      ${PCIDE_ON}
      mov r12, cr3
      mov rbx, ${LIN}
      xor r13, r13
      xor r14, r14
    1:
      lea rax, [r12 + r13 + 1]
      mov cr3, rax
      mov ecx, [rbx]
      add r14, rcx
      xor dword ptr [${PT1}], ${A ^ B}
      invlpg [rbx]
      inc r13
      cmp r13, 12
      jne 1b
    `, (_c, mem) => mapLin(mem, 0))
    expect(r.reason).toBe(ExitReason.Halt)
    expect(Number(reg(cpu, 14))).toBe(6 * 0x1111 + 6 * 0x2222)
  })
  it('#GP setting CR4.PCIDE with a non-zero PCID in CR3 or outside long mode', () => {
    const a = run64(`
      mov rax, cr3
      or rax, 5
      mov cr3, rax
      ${PCIDE_ON}
    `, (c) => { c.exceptionBitmap = 1 << 13 })
    expect(a.r.reason).toBe(ExitReason.Exception)
    expect(a.cpu.exit.vector).toBe(13)
    const { cpu, mem } = newCpu()
    mem.writeBytes(0x1000, assemble('mov eax, cr4\n or eax, 0x20000\n mov cr4, eax\n hlt', 0x1000, 32))
    enterFlat32(cpu, 0x1000)
    cpu.exceptionBitmap = 1 << 13
    const r = runGuest(cpu, 1000)
    expect(r.reason).toBe(ExitReason.Exception)
    expect(cpu.exit.vector).toBe(13)
  })
  it('#GP on CR3 address bits above MAXPHYADDR in long mode', () => {
    const { cpu, r } = run64(`
      mov rax, cr3
      mov r9, ${1n << 45n}
      or rax, r9
      mov cr3, rax
    `, (c) => { c.exceptionBitmap = 1 << 13 })
    expect(r.reason).toBe(ExitReason.Exception)
    expect(cpu.exit.vector).toBe(13)
  })
  const desc = (pcid: number, lin = 0) => `
      sub rsp, 16
      mov qword ptr [rsp], ${pcid}
      mov rax, ${lin}
      mov qword ptr [rsp + 8], rax`
  it('INVPCID type 0 drops one address of the current PCID', () => {
    expect(staleProbe(0, PCIDE_ON, `${desc(0, LIN)}\n mov eax, 0\n invpcid rax, [rsp]`)).toEqual({ ecx: 0x1111, edx: 0x2222 })
    expect(staleProbe(0, PCIDE_ON, `${desc(0, LIN + 0x1000)}\n mov eax, 0\n invpcid rax, [rsp]`)).toEqual({ ecx: 0x1111, edx: 0x1111 })
  })
  it('INVPCID type 1 drops another PCID\'s translations; type 3 keeps global ones, type 2 does not', () => {
    const NOFLUSH = '0x8000000000000000'
    // PCID 1 caches A, switch to PCID 2, invalidate PCID 1 (type 1), return without flush
    const t1 = staleProbe(0, `${PCIDE_ON}\n mov r12, cr3\n lea rax, [r12 + 1]\n mov cr3, rax`, `
      lea rax, [r12 + 2]
      mov cr3, rax
      ${desc(1)}
      mov eax, 1
      invpcid rax, [rsp]
      lea rax, [r12 + 1]
      mov r9, ${NOFLUSH}
      or rax, r9
      mov cr3, rax`)
    expect(t1).toEqual({ ecx: 0x1111, edx: 0x2222 })
    const pge = `${PGE_ON}\n ${PCIDE_ON}`
    expect(staleProbe(0x100, pge, `${desc(0)}\n mov eax, 3\n invpcid rax, [rsp]`)).toEqual({ ecx: 0x1111, edx: 0x1111 })
    expect(staleProbe(0, pge, `${desc(0)}\n mov eax, 3\n invpcid rax, [rsp]`)).toEqual({ ecx: 0x1111, edx: 0x2222 })
    expect(staleProbe(0x100, pge, `${desc(0)}\n mov eax, 2\n invpcid rax, [rsp]`)).toEqual({ ecx: 0x1111, edx: 0x2222 })
  })
  it('INVPCID #GP: type > 3, PCID above 12 bits, non-canonical type-0 address, CPL > 0 rules', () => {
    for (const [body, pre] of [
      [`${desc(0)}\n mov eax, 4\n invpcid rax, [rsp]`, PCIDE_ON],
      [`${desc(0x1000)}\n mov eax, 1\n invpcid rax, [rsp]`, PCIDE_ON],
      [`${desc(0, 0)}\n mov rax, 0x0000800000000000\n mov [rsp + 8], rax\n xor eax, eax\n invpcid rax, [rsp]`, PCIDE_ON],
      [`${desc(3)}\n mov eax, 1\n invpcid rax, [rsp]`, ''], // PCID != 0 with CR4.PCIDE = 0
    ]) {
      const { cpu, r } = run64(`${pre}\n${body}`, (c) => { c.exceptionBitmap = 1 << 13 })
      expect(r.reason).toBe(ExitReason.Exception)
      expect(cpu.exit.vector).toBe(13)
    }
  })
  it('CPUID advertises PCID (1:ECX[17]) and INVPCID (7.0:EBX[10])', () => {
    const out = new Uint32Array(4)
    nativeCpuid(1, 0, out)
    expect(out[2] & (1 << 17)).not.toBe(0)
    nativeCpuid(7, 0, out)
    expect(out[1] & (1 << 10)).not.toBe(0)
    nativeCpuid(7, 1, out)
    expect(out[1]).toBe(0)
  })
})
