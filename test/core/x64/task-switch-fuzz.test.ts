/**
 * Robustness fuzz for far transfers through system descriptors: random GDT/IDT/TSS
 * contents (gates, TSSs, task gates, LDTs, junk), then far CALL/JMP, IRET with NT and
 * INT n in protected and IA-32e mode at CPL 0 or 3. The host must never see a thrown
 * exception: every run ends in an exit (triple fault, exception intercept, HLT...).
 */
import { describe, expect, it } from 'vitest'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { createX64Cpu, Seg } from '../../../core/x64/index'
import { Prng } from './diff/prng'

const SEED = Number(process.env.X64_FUZZ_SEED ?? 0x7a5c)
const RUNS = Number(process.env.X64_FUZZ_RUNS ?? 300)

function randomDescriptor(p: Prng): [number, number] {
  const base = p.pick([0, 0x2000, 0x2100, 0x2200, 0x2200, p.u32()])
  const limit = p.pick([0xfffff, 0x67, 0x2b, 0x20, p.below(0x100000)])
  const kind = p.below(9)
  const dpl = p.below(4) << 5
  const present = p.chance(0.85) ? 0x80 : 0
  let access: number, flags = p.pick([0xc, 0xa, 0x4, 0x0, p.below(16)])
  switch (kind) {
    case 0: access = 0x1a; break // code
    case 1: access = 0x12; break // data
    case 2: case 6: access = p.pick([1, 3, 9, 9, 0xb]); flags = 0; break // TSS
    case 3: access = 2; break // LDT
    case 4: case 5: case 7: { // call gate / task gate: selector:offset layout
      const sel = p.pick([0x08, 0x08, 0x18, 0x28, 0x30, 0x38, 0x40, p.below(0x10000)])
      const off = p.pick([0x1000, 0x1010, 0x1010, p.u32()])
      const type = kind === 5 ? 5 : p.pick([4, 0xc])
      return [((sel << 16) | (off & 0xffff)) >>> 0, ((off & 0xffff0000) | ((present | dpl | type) << 8) | p.below(32)) >>> 0]
    }
    default: return [p.u32(), p.u32()]
  }
  access |= present | dpl
  const lo = (((base & 0xffff) << 16) | (limit & 0xffff)) >>> 0
  const hi = ((base & 0xff000000) | (flags << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff)) >>> 0
  return [lo, hi]
}

describe('system-descriptor transfers never throw in the host', () => {
  it(`${RUNS} seeded runs (seed ${SEED})`, () => {
    const p = new Prng(SEED)
    for (let run = 0; run < RUNS; run++) {
      const mem = new GuestMemory(0x10_0000)
      const cpu = createX64Cpu(mem)
      const v = mem.view
      // flat ring-0/ring-3 code and data in slots 1-4 most of the time, anything elsewhere
      const flat = [[0xffff, 0xcf9a00], [0xffff, 0xcf9200], [0xffff, 0xcffa00], [0xffff, 0xcff200]]
      for (let i = 1; i < 16; i++) {
        const [lo, hi] = i <= 4 && p.chance(0.95) ? flat[i - 1] : randomDescriptor(p)
        v.setUint32(0x800 + i * 8, lo, true); v.setUint32(0x804 + i * 8, hi, true)
      }
      // often: 0x30 an available 32-bit TSS at 0x2000, 0x38 a task gate to it
      if (p.chance(0.5)) { v.setUint32(0x830, 0x20000067, true); v.setUint32(0x834, 0x8900 | (p.below(4) << 13), true) }
      if (p.chance(0.5)) { v.setUint32(0x838, 0x300000, true); v.setUint32(0x83c, 0x8500 | (p.below(4) << 13), true) }
      for (let a = 0x1800; a < 0x1900; a += 4) v.setUint32(a, p.chance(0.5) ? p.u32() : 0, true) // IDT (prot32, 32 gates)
      for (let a = 0x2000; a < 0x2300; a += 4) v.setUint32(a, p.chance(0.9) ? p.pick([0x08, 0x10, 0x10, 0x1b, 0x23, 0x2b, 2, 0x1000, 0x8000]) : p.u32(), true)
      for (const t of [0x2000, 0x2100]) {
        if (!p.chance(0.7)) continue // a plausible 32-bit task, then a few mutations
        v.setUint32(t + 0x1c, 0, true); v.setUint32(t + 0x20, 0x1000, true); v.setUint32(t + 0x24, 2, true); v.setUint32(t + 0x38, 0x8000, true)
        ;[0x10, 0x08, 0x10, 0x10, 0x10, 0x10, 0].forEach((x, i) => v.setUint32(t + 0x48 + 4 * i, x, true))
        if (p.chance(0.5)) for (let k = p.below(3); k > 0; k--) v.setUint32(t + 4 * p.below(26), p.u32(), true)
      }
      const long = p.chance(0.3)
      const sel = (p.chance(0.6) ? p.pick([0x30, 0x38]) : p.pick([0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58, 0x60, 0x68, 0x70, 0x78])) | p.below(4)
      const code: number[] = []
      switch (p.below(4)) {
        case 0: code.push(0x9a, 0, 0x10, 0, 0, sel & 0xff, sel >> 8); break
        case 1: code.push(0xea, 0, 0x10, 0, 0, sel & 0xff, sel >> 8); break
        case 2: code.push(0xcf); break
        default: code.push(0xcd, p.below(32))
      }
      if (long) code.splice(0, code.length, 0xff, p.pick([0x1b, 0x2b]), 0xf4) // CALL/JMP FAR [rbx]
      for (let i = 0; i < 8; i++) code.push(p.below(256))
      mem.writeBytes(0x1000, Uint8Array.from(code))
      v.setUint32(0x3000, 0x1000, true); v.setUint16(0x3004, sel, true)
      cpu.setGdtr({ base: 0x800n, limit: 0x7f })
      cpu.setIdtr({ base: 0x1800n, limit: 0xff })
      const cpl = p.chance(0.3) ? 3 : 0
      cpu.setCr(0, 0x11n)
      if (long) {
        v.setUint32(0x70000, 0x71007, true); v.setUint32(0x71000, 0x72007, true); v.setUint32(0x72000, 0x87, true)
        cpu.setCr(3, 0x70000n); cpu.setCr(4, 0x20n); cpu.setEfer(0x500n); cpu.setCr(0, 0x80000011n)
      }
      cpu.setSegment(Seg.TR, { base: BigInt(p.pick([0x2000, 0x2100])), limit: p.chance(0.8) ? 0x67 : p.pick([0x2b, 0x10]), selector: 0x28, attributes: p.pick([0x8b, 0x83]) })
      cpu.setSegment(Seg.CS, { base: 0n, limit: 0xffffffff, selector: 0x08 | cpl, attributes: (long ? 0xa09b : 0xc09b) | (cpl << 5) })
      for (const s of [Seg.DS, Seg.ES, Seg.SS]) cpu.setSegment(s, { base: 0n, limit: 0xffffffff, selector: 0x10 | cpl, attributes: 0xc093 | (cpl << 5) })
      cpu.setRflags(BigInt(2 | (p.chance(0.5) ? 0x4000 : 0) | (p.chance(0.2) ? 0x100 : 0)))
      cpu.setReg(3, 0x3000n)
      cpu.setReg(4, 0x8000n)
      cpu.setRip(0x1000n)
      cpu.exceptionBitmap = p.chance(0.5) ? 0xffffffff : 0
      const at = `run ${run} seed ${SEED} long ${long} bytes ${code.map((b) => b.toString(16)).join(' ')}`
      try {
        for (let k = 0; k < 5; k++) cpu.run(200)
      } catch (e) {
        expect.fail(`${at}: ${(e as Error).stack}`)
      }
    }
  })
})
