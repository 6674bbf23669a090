/**
 * Robustness fuzz for the x64 interpreter: seeded random byte sequences executed in real,
 * protected (32-bit) and long mode, at random RIPs, with random registers. Every run must
 * end in an exit or in guest-visible exception handling (delivered through an IVT/IDT to a
 * HLT handler, or reported as an Exception exit when exceptionBitmap asks for it) — the
 * host must never see a thrown exception. Failures print the seed, mode and bytes so they
 * can be replayed (X64_FUZZ_SEED, X64_FUZZ_RUNS).
 */
import { describe, expect, it } from 'vitest'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { createX64Cpu, ExitReason, Seg, type X64Cpu } from '../../../core/x64/index'
import { Prng } from './diff/prng'

const SEED = Number(process.env.X64_FUZZ_SEED ?? 0x5eed)
const RUNS = Number(process.env.X64_FUZZ_RUNS ?? 250)

const MEM = 0x20_0000
const GDT = 0x800
const IDT = 0x1000
const PML4 = 0x3000
const PDPT = 0x4000
const PD = 0x5000
const HANDLER = 0x6000
const STACK = 0x9000
const CODE = 0x1_0000
const CODE_SIZE = 0x1_0000

type Mode = 'real' | 'prot32' | 'long64'

function setDesc(m: GuestMemory, sel: number, lo: number, hi: number): void {
  m.view.setUint32(GDT + sel, lo, true)
  m.view.setUint32(GDT + sel + 4, hi, true)
}

/** Tables, handler and state for `mode`; exceptions are delivered unless `bitmap` says otherwise. */
function setup(cpu: X64Cpu, mode: Mode, bitmap: number): void {
  const m = cpu.memory
  m.ram.fill(0, 0, CODE)
  m.ram[HANDLER] = 0xf4 // HLT
  m.ram[HANDLER + 1] = 0xeb // JMP $-3 (back to HLT)
  m.ram[HANDLER + 2] = 0xfd
  cpu.reset()
  cpu.exceptionBitmap = bitmap
  if (mode === 'real') {
    for (let v = 0; v < 256; v++) m.view.setUint32(v * 4, HANDLER, true) // offset HANDLER, segment 0
    cpu.setSegment(Seg.CS, { base: 0n, limit: 0xffff, selector: 0, attributes: 0x9b })
    for (const s of [Seg.SS, Seg.DS, Seg.ES, Seg.FS, Seg.GS]) cpu.setSegment(s, { base: 0n, limit: 0xffff, selector: 0, attributes: 0x93 })
    cpu.setIdtr({ base: 0n, limit: 0x3ff })
  } else {
    const long = mode === 'long64'
    setDesc(m, 0x08, 0x0000ffff, long ? 0x00af9b00 : 0x00cf9b00)
    setDesc(m, 0x10, 0x0000ffff, 0x00cf9300)
    cpu.setGdtr({ base: BigInt(GDT), limit: 0x17 })
    const gate = long ? 16 : 8
    for (let v = 0; v < 256; v++) {
      const e = IDT + v * gate
      m.view.setUint32(e, (0x08 << 16) | (HANDLER & 0xffff), true)
      m.view.setUint32(e + 4, (HANDLER & 0xffff0000) | 0x8e00, true) // present interrupt gate, DPL 0
    }
    cpu.setIdtr({ base: BigInt(IDT), limit: 256 * gate - 1 })
    if (long) {
      m.view.setBigUint64(PML4, BigInt(PDPT) | 3n, true)
      m.view.setBigUint64(PDPT, BigInt(PD) | 3n, true)
      // 1 GiB of 2 MiB pages: only the first is RAM, the rest exit as unmapped GPAs.
      for (let i = 0; i < 512; i++) m.view.setBigUint64(PD + i * 8, BigInt(i) * 0x20_0000n | 0x83n, true)
      cpu.setEfer(0x501n) // SCE | LME | LMA
      cpu.setCr(4, 0x620n)
      cpu.setCr(3, BigInt(PML4))
      cpu.setCr(0, 0x8000_0033n)
    } else {
      cpu.setCr(0, 0x33n)
    }
    cpu.setSegment(Seg.CS, { base: 0n, limit: 0xffffffff, selector: 0x08, attributes: long ? 0xa09b : 0xc09b })
    for (const s of [Seg.SS, Seg.DS, Seg.ES, Seg.FS, Seg.GS]) cpu.setSegment(s, { base: 0n, limit: 0xffffffff, selector: 0x10, attributes: 0xc093 })
  }
  cpu.flushCaches()
}

const TERMINAL = new Set<number>([ExitReason.Halt, ExitReason.MemoryAccess, ExitReason.TripleFault, ExitReason.Exception])

/** Drive one random sequence to a terminal exit or until the step cap; returns the exit seen last. */
function drive(cpu: X64Cpu, rng: Prng): number {
  let last: number = ExitReason.None
  for (let step = 0; step < 40; step++) {
    last = cpu.run(64)
    if (!Object.values(ExitReason).includes(last as ExitReason)) throw new Error(`run returned ${String(last)}`)
    if (last === ExitReason.Exception && !(cpu.exit.vector >= 0 && cpu.exit.vector < 32)) throw new Error(`exception exit with vector ${cpu.exit.vector}`)
    if (TERMINAL.has(last)) return last
    const e = cpu.exit
    switch (last) {
      case ExitReason.IoPort:
        if (e.isWrite) cpu.completeIoOut()
        else cpu.completeIoIn(rng.u32())
        break
      case ExitReason.Cpuid:
        cpu.completeCpuid(0, 0, 0, 0)
        break
      case ExitReason.MsrRead:
        if (rng.chance(0.5)) cpu.completeMsrRead(rng.u32(), rng.u32())
        else cpu.injectException(13, 0)
        break
      case ExitReason.MsrWrite:
      case ExitReason.Vmcall:
        cpu.completeInstruction()
        break
      case ExitReason.InterruptWindow:
        cpu.interruptWindowRequested = false
        break
    }
  }
  return last
}

describe('x64 fuzz: random code never throws in the host', () => {
  for (const mode of ['real', 'prot32', 'long64'] as const) {
    for (const delivered of [true, false]) {
      it(`${mode}, exceptions ${delivered ? 'delivered through the IDT' : 'reported as exits'}`, () => {
        const memory = new GuestMemory(MEM)
        const cpu = createX64Cpu(memory)
        const rng = new Prng(SEED ^ (mode.length * 0x1000193) ^ (delivered ? 0xabcdef : 0))
        const failures: string[] = []
        const exits = new Map<number, number>()
        for (let run = 0; run < RUNS; run++) {
          const seed = rng.u32()
          const r = new Prng(seed)
          const code = r.bytes(CODE_SIZE >> 4)
          const where = CODE + r.below(CODE_SIZE - code.length)
          try {
            setup(cpu, mode, delivered ? 0 : 0xffffffff)
            memory.ram.fill(0, CODE, CODE + CODE_SIZE)
            memory.writeBytes(where, code)
            for (let i = 0; i < 16; i++) cpu.setReg(i, r.chance(0.5) ? BigInt(r.u32()) : r.u64())
            cpu.setReg(4, BigInt(STACK - 16 * r.below(64)))
            cpu.setRflags(BigInt(r.u32() & 0xcd5) | 2n)
            cpu.setRip(BigInt(mode === 'real' ? where & 0xffff : where))
            if (mode === 'real') cpu.setSegment(Seg.CS, { base: BigInt(where & ~0xffff), limit: 0xffff, selector: where >>> 4 & 0xf000, attributes: 0x9b })
            const exit = drive(cpu, r)
            exits.set(exit, (exits.get(exit) ?? 0) + 1)
            // State must stay readable after any exit.
            cpu.getRip()
            cpu.getRflags()
          } catch (e) {
            failures.push(`${mode} seed=0x${seed.toString(16)} rip=0x${where.toString(16)} bytes=${Buffer.from(code.slice(0, 16)).toString('hex')}…: ${e instanceof Error ? e.stack?.split('\n').slice(0, 3).join(' | ') : String(e)}`)
          }
        }
        const names = Object.fromEntries(Object.entries(ExitReason).map(([k, v]) => [v, k]))
        console.log(`x64-fuzz ${mode} ${delivered ? 'delivered' : 'bitmap'}: ${RUNS} runs; last exits ${[...exits].map(([k, v]) => `${names[k]}=${v}`).join(' ')}`)
        expect(failures.slice(0, 10)).toEqual([])
      })
    }
  }
})
