/**
 * The comparator must flag real differences and ignore architecturally undefined ones:
 * checked here with synthetic native/emulator results (no CPU needed).
 */
import { describe, expect, it } from 'vitest'
import { CaseBuilder, type DiffCase } from './case-builder'
import { compareCase, decodeInfo } from './compare'
import { CODE_START, type EmulatorResult } from './emulator-env'
import { FLAG } from './layout'
import type { NativeResult } from './machine-state'
import { Prng } from './prng'

const MUL_RBX = new Uint8Array([0x48, 0xf7, 0xe3]) // mul rbx

function fixture(): { c: DiffCase; native: NativeResult; emu: EmulatorResult } {
  const b = new CaseBuilder(new Prng(1))
  const c: DiffCase = { id: 0, form: 'mul r64', group: 'muldiv', asm: 'mul rbx', input: b.input, undefinedFlags: 0, ignoreRegs: [] }
  const native: NativeResult = { status: 0, code: MUL_RBX, regs: [...b.input.regs], rflags: 0x202n, mxcsr: 0x1f80, xmm: [...b.input.xmm], mem: b.input.mem.slice(), x87: b.input.x87.slice() }
  const emu: EmulatorResult = { ...native, code: undefined, rip: BigInt(CODE_START + 3), exitReason: 0, vector: -1 } as unknown as EmulatorResult
  emu.regs = [...native.regs]
  emu.mem = native.mem.slice()
  return { c, native, emu }
}

describe('differential comparator', () => {
  it('takes undefined flags from iced-x86', () => {
    const info = decodeInfo(MUL_RBX)
    expect(info.length).toBe(3)
    expect(info.undefinedFlags).toBe(FLAG.SF | FLAG.ZF | FLAG.AF | FLAG.PF)
  })

  it('accepts identical results and differences in undefined flags only', () => {
    const { c, native, emu } = fixture()
    expect(compareCase(c, native, emu)).toBeUndefined()
    emu.rflags = native.rflags ^ BigInt(FLAG.SF | FLAG.ZF)
    expect(compareCase(c, native, emu)).toBeUndefined()
  })

  it('reports defined flags, registers, memory, RIP and faults', () => {
    let f = fixture()
    f.emu.rflags ^= BigInt(FLAG.CF)
    expect(compareCase(f.c, f.native, f.emu)?.lines.join('\n')).toMatch(/flags .*CF/)
    f = fixture()
    f.emu.regs[2] ^= 1n
    expect(compareCase(f.c, f.native, f.emu)?.lines.join('\n')).toMatch(/rdx: native/)
    f = fixture()
    f.emu.mem[100] ^= 0xff
    expect(compareCase(f.c, f.native, f.emu)?.lines.join('\n')).toMatch(/mem @0x20007c60 \(1 bytes differ\)/)
    f = fixture()
    f.emu.rip += 1n
    expect(compareCase(f.c, f.native, f.emu)?.lines.join('\n')).toMatch(/rip: expected/)
    f = fixture()
    f.native.status = 8
    expect(compareCase(f.c, f.native, f.emu)?.lines.join('\n')).toMatch(/native faulted \(signal 8, expect vector 0\)/)
    f.emu.status = 1000
    f.emu.exitReason = 10
    f.emu.vector = 0
    f.emu.rip = BigInt(CODE_START)
    expect(compareCase(f.c, f.native, f.emu)).toBeUndefined()
  })

  it('honours a form-declared defined set and ignored registers', () => {
    const f = fixture()
    f.c.definedFlags = FLAG.CF
    f.emu.rflags ^= BigInt(FLAG.OF)
    f.c.ignoreRegs.push(0)
    f.emu.regs[0] ^= 5n
    expect(compareCase(f.c, f.native, f.emu)).toBeUndefined()
  })
})
