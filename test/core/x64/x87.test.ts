/**
 * x87 with 80-bit values (exec-x87.ts, f80*.ts): precision control, stack faults, exact
 * round trips through FNSAVE/FRSTOR and FXSAVE, #MF from a pending unmasked exception,
 * and the load-constant rounding. Bit-exactness against the host CPU over thousands of
 * random operands is the differential suite's job (test/core/x64/diff, group x87).
 */
import { describe, expect, it } from 'vitest'
import { ExitReason } from '../../../core/x64'
import { RC } from '../../../core/x64/f80'
import { x87Constant } from '../../../core/x64/x87-const'
import { enterLong64, hasToolchain, installGdt, newCpu, run64 } from './harness'

const DATA = 0x20000

function f80At(view: DataView, a: number): string {
  return `${view.getUint16(a + 8, true).toString(16).padStart(4, '0')}_${view.getUint32(a + 4, true).toString(16).padStart(8, '0')}${view.getUint32(a, true).toString(16).padStart(8, '0')}`
}

/** The extended encoding of a double (exact): what FLD m64 of `x` would hold. */
function extOfDouble(x: number): string {
  const v = new DataView(new ArrayBuffer(8))
  v.setFloat64(0, x, true)
  const bits = v.getBigUint64(0, true)
  const exp = Number((bits >> 52n) & 0x7ffn)
  const sig = (((bits & 0xfffffffffffffn) | (1n << 52n)) << 11n).toString(16)
  return `${(exp - 1023 + 16383 + (bits >> 63n ? 0x8000 : 0)).toString(16).padStart(4, '0')}_${sig}`
}

describe('x87 soft-float constants', () => {
  it('FLDPI / FLDL2T / FLDLN2 round their infinitely precise values per RC', () => {
    const hex = (v: { se: number; hi: number; lo: number }): string => `${v.se.toString(16)}_${v.hi.toString(16)}${v.lo.toString(16).padStart(8, '0')}`
    // pi = 0xC90FDAA2_2168C234_C4C6628B... × 2^-62: the dropped bits 0xC4.. are above half
    expect(hex(x87Constant(0xeb, RC.Nearest))).toBe('4000_c90fdaa22168c235')
    expect(hex(x87Constant(0xeb, RC.Down))).toBe('4000_c90fdaa22168c234')
    expect(hex(x87Constant(0xeb, RC.Chop))).toBe('4000_c90fdaa22168c234')
    expect(hex(x87Constant(0xeb, RC.Up))).toBe('4000_c90fdaa22168c235')
    // log2(10) = 0xD49A784B_CD1B8AFE_492BF6FF... × 2^-62: below half
    expect(hex(x87Constant(0xe9, RC.Nearest))).toBe('4000_d49a784bcd1b8afe')
    expect(hex(x87Constant(0xe9, RC.Up))).toBe('4000_d49a784bcd1b8aff')
    // the double nearest ln 2 is the 64-bit value rounded to 53 bits
    const ln2 = x87Constant(0xed, RC.Nearest)
    expect(ln2.se).toBe(0x3ffe)
    expect(extOfDouble(Math.LN2)).toBe(`3ffe_${((BigInt(ln2.hi) << 32n | BigInt(ln2.lo)) + 0x400n >> 11n << 11n).toString(16)}`)
  })
})

describe.skipIf(!hasToolchain())('x87 in the CPU', () => {
  it('precision control rounds 1/3 to 24, 53 and 64 bits', () => {
    const { mem, r } = run64(`
      fninit
      mov eax, 0x007f; mov [${DATA + 0x100}], ax; fldcw [${DATA + 0x100}]
      fld1; fild dword ptr [${DATA + 0x108}]; fdivp st(1), st(0); fstp tbyte ptr [${DATA}]
      mov eax, 0x027f; mov [${DATA + 0x100}], ax; fldcw [${DATA + 0x100}]
      fld1; fild dword ptr [${DATA + 0x108}]; fdivp st(1), st(0); fstp tbyte ptr [${DATA + 0x10}]
      mov eax, 0x037f; mov [${DATA + 0x100}], ax; fldcw [${DATA + 0x100}]
      fld1; fild dword ptr [${DATA + 0x108}]; fdivp st(1), st(0)
      fnstsw ax; mov [${DATA + 0x30}], ax
      fstp tbyte ptr [${DATA + 0x20}]
    `, (_cpu, m) => m.view.setInt32(DATA + 0x108, 3, true))
    expect(r.reason).toBe(ExitReason.Halt)
    expect(f80At(mem.view, DATA)).toBe(extOfDouble(Math.fround(1 / 3)))
    expect(f80At(mem.view, DATA + 0x10)).toBe(extOfDouble(1 / 3))
    expect(f80At(mem.view, DATA + 0x20)).toBe('3ffd_aaaaaaaaaaaaaaab')
    // inexact, and the last rounding (…aaab) went up: PE and C1
    expect(mem.view.getUint16(DATA + 0x30, true) & 0x220).toBe(0x220)
  })

  it('a ninth push overflows the stack: IE|SF, C1 = 1, the indefinite in ST(0)', () => {
    const { mem } = run64(`
      fninit
      ${'fld1\n'.repeat(9)}
      fnstsw ax; mov [${DATA + 0x30}], ax
      fstp tbyte ptr [${DATA}]
      fninit
      fadd st(0), st(1)
      fnstsw ax; mov [${DATA + 0x32}], ax
    `)
    expect(mem.view.getUint16(DATA + 0x30, true) & 0x2c7).toBe(0x241)
    expect(f80At(mem.view, DATA)).toBe('ffff_c000000000000000')
    // underflow: IE|SF with C1 = 0
    expect(mem.view.getUint16(DATA + 0x32, true) & 0x2c7).toBe(0x041)
  })

  it('FNSAVE/FRSTOR and FXSAVE keep all 80 bits', () => {
    const { cpu, mem } = run64(`
      fninit
      fld tbyte ptr [${DATA + 0x40}]
      fnsave [${DATA + 0x100}]
      fld1
      frstor [${DATA + 0x100}]
      fld st(0)
      fmul st(0), st(0)
      fstp tbyte ptr [${DATA}]
    `, (_cpu, m) => {
      // 1 + 2^-63: not representable as a double
      m.view.setUint32(DATA + 0x40, 1, true); m.view.setUint32(DATA + 0x44, 0x80000000, true); m.view.setUint16(DATA + 0x48, 0x3fff, true)
    })
    // (1 + 2^-63)^2 = 1 + 2^-62 + 2^-126 → 1 + 2^-62 at 64-bit precision
    expect(f80At(mem.view, DATA)).toBe('3fff_8000000000000002')
    const fx = cpu.getFxState()
    const v = new DataView(fx.buffer, fx.byteOffset)
    expect(f80At(v, 32)).toBe('3fff_8000000000000001')
    expect(fx[4]).toBe(0x80) // abridged tag: physical register 7 in use
  })

  it('a pending unmasked exception raises #MF at the next waiting instruction when CR0.NE = 1', () => {
    const code = `
      fninit
      mov word ptr [${DATA + 0x100}], 0x037b
      fldcw [${DATA + 0x100}]
      fld1; fldz
      fdivp st(1), st(0)
      fnstsw ax
      mov ebx, 1
      fwait
      mov ebx, 2
    `
    const withNe = run64(code, (cpu) => { cpu.setCr(0, cpu.getCr(0) | 0x20n); cpu.exceptionBitmap = 1 << 16 })
    expect(withNe.r.reason).toBe(ExitReason.Exception)
    expect(withNe.cpu.exit.vector).toBe(16)
    expect(withNe.cpu.getReg(3)).toBe(1n)
    expect(withNe.cpu.getReg(0) & 0x80n).toBe(0x80n) // ES
    // FLDCW waits too; FNSTCW/FNCLEX do not
    const fldcw = run64(code.replace('fwait', 'fnstcw [0x20200]; fldcw [0x20200]'), (cpu) => { cpu.setCr(0, cpu.getCr(0) | 0x20n); cpu.exceptionBitmap = 1 << 16 })
    expect(fldcw.cpu.exit.vector).toBe(16)
    const fnclex = run64(code.replace('fwait', 'fnclex; fwait'), (cpu) => { cpu.setCr(0, cpu.getCr(0) | 0x20n); cpu.exceptionBitmap = 1 << 16 })
    expect(fnclex.r.reason).toBe(ExitReason.Halt)
    const withoutNe = run64(code, (cpu) => { cpu.exceptionBitmap = 1 << 16 })
    expect(withoutNe.r.reason).toBe(ExitReason.Halt)
    expect(withoutNe.cpu.getReg(3)).toBe(2n)
  })
})

describe('x87 robustness', () => {
  it('random D8-DF instructions on random 80-bit register images never throw in the host', () => {
    const { cpu, mem } = newCpu()
    let seed = 0x87
    const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8 }
    const img = new Uint8Array(512)
    const iv = new DataView(img.buffer)
    const exits = new Set<number>()
    for (let n = 0; n < 3000; n++) {
      const code = new Uint8Array(16)
      for (let i = 0; i < 16; i++) code[i] = rnd() & 0xff
      code[0] = 0xd8 + (n & 7)
      if (n % 3 === 0) code[1] |= 0xc0 // register forms as often as memory forms
      mem.writeBytes(0x1000, code)
      enterLong64(cpu, mem, 0x1000)
      installGdt(mem, cpu)
      for (let i = 0; i < 16; i++) cpu.setReg(i, BigInt(rnd() & 0xfffff0))
      for (let i = 0; i < 512; i += 2) iv.setUint16(i, rnd() & 0xffff, true)
      iv.setUint16(0, 0x7f | (rnd() & 0xf00), true) // masked, random PC/RC
      iv.setUint16(2, rnd() & 0x7f7f, true)
      iv.setUint32(24, 0x1f80, true)
      cpu.setFxState(img)
      cpu.exceptionBitmap = 0xffffffff
      exits.add(cpu.run(1))
    }
    expect(exits.size).toBeGreaterThan(1)
  })
})
