/**
 * x87 forms (Intel SDM vol. 2 "FADD" … "FXRSTOR"): every arithmetic form (ST/ST(i), P,
 * m32/m64 real, m16/m32 integer), loads/stores of all formats incl. FISTTP and BCD,
 * constants, compares (FCOM/FUCOM/FICOM/FCOMI/FUCOMI, FTST, FXAM), FCHS/FABS/FSQRT/
 * FRNDINT/FSCALE/FXTRACT/FPREM/FPREM1, FXCH/FCMOVcc/FFREE/FINCSTP/FDECSTP, and the
 * control set (FNINIT, FNCLEX, FNSTSW, FNSTCW, FLDCW, FNSTENV/FLDENV, FNSAVE/FRSTOR in both
 * operand sizes, FXSAVE/FXRSTOR). The x87 state is compared as FXSAVE bytes (compare.ts).
 * Transcendentals (F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS) are left out:
 * the emulator computes them through doubles, so they are not bit-exact by design.
 */
import type { CaseBuilder } from './case-builder'
import type { Form } from './form'
import { belowMinNormal, f32Bits, f64Bits, f80Value, putF80, setupX87, type X87Setup } from './x87-values'

const ARITH = ['fadd', 'fmul', 'fsub', 'fsubr', 'fdiv', 'fdivr'] as const
const N = 40

function form(name: string, setup: X87Setup, build: (c: CaseBuilder) => string, count = N): Form {
  return { name, group: 'x87', count, build: (c) => { setupX87(c, setup); return build(c) } }
}

function sti(c: CaseBuilder, from = 1): number {
  return c.rng.range(from, 7)
}

/** A memory operand of `bytes` holding an edge-biased value of `kind`. */
function memVal(c: CaseBuilder, kind: 'f32' | 'f64' | 'f80' | 'i16' | 'i32' | 'i64'): string {
  const bits = kind === 'f80' ? 80 : Number(kind.slice(1))
  const text = c.mem(bits === 80 ? 64 : bits, 1, bits / 8)
  const a = c.lastAddr
  if (kind === 'f32') c.poke(a, 4, f32Bits(c.rng))
  else if (kind === 'f64') c.poke(a, 8, f64Bits(c.rng))
  else if (kind === 'f80') { const v = f80Value(c.rng); c.poke(a, 8, v.sig); c.poke(a + 8, 2, BigInt(v.se)) } else c.poke(a, bits / 8, c.value(bits))
  return bits === 80 ? text.replace('qword ptr', 'tbyte ptr') : text
}

/** A destination memory operand (contents random, overwritten). */
function memDst(c: CaseBuilder, bytes: number): string {
  const ptr: Record<number, string> = { 2: 'word ptr', 4: 'dword ptr', 8: 'qword ptr', 10: 'tbyte ptr' }
  const text = c.mem(64, 1, bytes).replace('qword ptr', '').trim()
  return `${ptr[bytes] ?? ''} ${text}`.trim()
}

function arithForms(): Form[] {
  const out: Form[] = []
  for (const op of ARITH) {
    out.push(form(`${op} st(0), st(i)`, { depth: 8 }, (c) => `${op} st(0), st(${sti(c, 0)})`))
    out.push(form(`${op} st(i), st(0)`, { depth: 8 }, (c) => `${op} st(${sti(c)}), st(0)`))
    out.push(form(`${op}p st(i), st(0)`, { depth: 8 }, (c) => `${op}p st(${sti(c)}), st(0)`))
    out.push(form(`${op} m32`, { depth: 1 }, (c) => `${op} ${memVal(c, 'f32')}`))
    out.push(form(`${op} m64`, { depth: 1 }, (c) => `${op} ${memVal(c, 'f64')}`))
    out.push(form(`fi${op.slice(1)} m16`, { depth: 1 }, (c) => `fi${op.slice(1)} ${memVal(c, 'i16')}`, 20))
    out.push(form(`fi${op.slice(1)} m32`, { depth: 1 }, (c) => `fi${op.slice(1)} ${memVal(c, 'i32')}`, 20))
  }
  // products and quotients landing just below / on the smallest normal (underflow boundary)
  out.push(form('fmul st(0), st(1) [tiny]', { depth: 2, underflow: 0 }, (c) => { tinyOperands(c); return 'fmul st(0), st(1)' }, 40))
  out.push(form('fdiv st(0), st(1) [tiny]', { depth: 2, underflow: 0 }, (c) => { tinyOperands(c); return 'fdiv st(0), st(1)' }, 30))
  out.push(form('fsqrt', { depth: 1 }, () => 'fsqrt', 60))
  out.push(form('frndint', { depth: 1 }, () => 'frndint', 60))
  out.push(form('fscale', { depth: 2 }, (c) => { smallSt1(c); return 'fscale' }, 60))
  out.push(form('fxtract', { depth: 1, overflow: 0.1 }, () => 'fxtract', 30))
  out.push(form('fprem', { depth: 2 }, (c) => { nearExponents(c); return 'fprem' }, 60))
  out.push(form('fprem1', { depth: 2 }, (c) => { nearExponents(c); return 'fprem1' }, 60))
  // exponent difference ≥ 64: partial reduction (C2 = 1), the reduction step is implementation-defined
  out.push(form('fprem [partial]', { depth: 2, underflow: 0 }, (c) => { farExponents(c); return 'fprem' }, 20))
  out.push(form('fprem1 [partial]', { depth: 2, underflow: 0 }, (c) => { farExponents(c); return 'fprem1' }, 20))
  out.push(form('fchs', { depth: 1 }, () => 'fchs', 10))
  out.push(form('fabs', { depth: 1 }, () => 'fabs', 10))
  return out
}

/** ST(0) just below a smallest normal, ST(1) = 1 ± a few ulps. */
function tinyOperands(c: CaseBuilder): void {
  const r = c.rng
  putF80(c.input.x87, 32, belowMinNormal(r))
  const k = BigInt(r.range(0, 3))
  putF80(c.input.x87, 48, r.chance(0.5) ? { se: 0x3fff, sig: (1n << 63n) | k } : { se: 0x3ffe, sig: ((1n << 64n) - 1n) - k })
}

/** FSCALE: mostly small integral or fractional scale factors in ST(1). */
function smallSt1(c: CaseBuilder): void {
  if (!c.rng.chance(0.7)) return
  const n = c.rng.range(-70, 70) + (c.rng.chance(0.3) ? c.rng.pick([0.5, -0.25, 0.75]) : 0)
  const f = new DataView(new ArrayBuffer(8))
  f.setFloat64(0, n)
  const bits = f.getBigUint64(0)
  if (n === 0) { putF80(c.input.x87, 48, { se: 0, sig: 0n }); return }
  const e = Number((bits >> 52n) & 0x7ffn) - 1023
  const sig = ((bits & 0xfffffffffffffn) | (1n << 52n)) << 11n
  putF80(c.input.x87, 48, { se: (n < 0 ? 0x8000 : 0) | (16383 + e), sig })
}

function farExponents(c: CaseBuilder): void {
  const r = c.rng
  const e1 = 16383 + r.range(-100, 100)
  putF80(c.input.x87, 32, { se: (r.below(2) << 15) | (e1 + r.range(64, 300)), sig: r.u64() | (1n << 63n) })
  putF80(c.input.x87, 48, { se: (r.below(2) << 15) | e1, sig: r.u64() | (1n << 63n) })
}

/** FPREM/FPREM1: mostly operands whose exponents differ by less than 64 (full reduction). */
function nearExponents(c: CaseBuilder): void {
  if (!c.rng.chance(0.75)) return
  const r = c.rng
  const e1 = 16383 + r.range(-10, 10)
  const d = r.pick([0, 1, 2, 5, 20, 40, 63, r.range(-2, 0)])
  putF80(c.input.x87, 32, { se: (r.below(2) << 15) | (e1 + d), sig: r.u64() | (1n << 63n) })
  putF80(c.input.x87, 48, { se: (r.below(2) << 15) | e1, sig: r.u64() | (1n << 63n) })
}

function loadStoreForms(): Form[] {
  const push = { depth: 0, overflow: 0.1 }
  return [
    form('fld st(i)', { depth: 8, overflow: 0.1 }, (c) => `fld st(${sti(c, 0)})`, 20),
    form('fld m32', push, (c) => `fld ${memVal(c, 'f32')}`),
    form('fld m64', push, (c) => `fld ${memVal(c, 'f64')}`),
    form('fld m80', push, (c) => `fld ${memVal(c, 'f80')}`, 20),
    form('fst st(i)', { depth: 8 }, (c) => `fst st(${sti(c)})`, 10),
    form('fstp st(i)', { depth: 8 }, (c) => `fstp st(${sti(c)})`, 10),
    form('fst m32', { depth: 1 }, (c) => `fst ${memDst(c, 4)}`, 60),
    form('fst m32 [tiny]', { depth: 1, underflow: 0 }, (c) => { putF80(c.input.x87, 32, belowMinNormal(c.rng)); return `fst ${memDst(c, 4)}` }, 20),
    form('fst m64 [tiny]', { depth: 1, underflow: 0 }, (c) => { putF80(c.input.x87, 32, belowMinNormal(c.rng)); return `fst ${memDst(c, 8)}` }, 20),
    form('fstp m32', { depth: 1 }, (c) => `fstp ${memDst(c, 4)}`, 20),
    form('fst m64', { depth: 1 }, (c) => `fst ${memDst(c, 8)}`, 60),
    form('fstp m64', { depth: 1 }, (c) => `fstp ${memDst(c, 8)}`, 20),
    form('fstp m80', { depth: 1 }, (c) => `fstp ${memDst(c, 10)}`, 20),
    form('fild m16', push, (c) => `fild ${memVal(c, 'i16')}`, 15),
    form('fild m32', push, (c) => `fild ${memVal(c, 'i32')}`, 15),
    form('fild m64', push, (c) => `fild ${memVal(c, 'i64')}`, 20),
    form('fist m16', { depth: 1 }, (c) => `fist ${memDst(c, 2)}`),
    form('fist m32', { depth: 1 }, (c) => `fist ${memDst(c, 4)}`),
    form('fistp m16', { depth: 1 }, (c) => `fistp ${memDst(c, 2)}`, 20),
    form('fistp m32', { depth: 1 }, (c) => `fistp ${memDst(c, 4)}`, 20),
    form('fistp m64', { depth: 1 }, (c) => `fistp ${memDst(c, 8)}`),
    form('fisttp m16', { depth: 1 }, (c) => `fisttp ${memDst(c, 2)}`, 20),
    form('fisttp m32', { depth: 1 }, (c) => `fisttp ${memDst(c, 4)}`, 20),
    form('fisttp m64', { depth: 1 }, (c) => `fisttp ${memDst(c, 8)}`, 20),
    form('fbld m80', push, (c) => { const t = memDst(c, 10); bcd(c); return `fbld ${t}` }, 15),
    form('fbstp m80', { depth: 1 }, (c) => `fbstp ${memDst(c, 10)}`, 30),
    ...['fld1', 'fldz', 'fldpi', 'fldl2t', 'fldl2e', 'fldlg2', 'fldln2'].map((m) => form(m, push, () => m, 12)),
  ]
}

/** A valid packed BCD operand at the last memory address. */
function bcd(c: CaseBuilder): void {
  const r = c.rng
  const digits = r.range(0, 18)
  for (let i = 0; i < 9; i++) {
    const lo = 2 * i < digits ? r.below(10) : 0
    const hi = 2 * i + 1 < digits ? r.below(10) : 0
    c.poke(c.lastAddr + i, 1, BigInt((hi << 4) | lo))
  }
  c.poke(c.lastAddr + 9, 1, BigInt(r.below(2) << 7))
}

function compareForms(): Form[] {
  const out: Form[] = [
    form('fcom st(i)', { depth: 8 }, (c) => `fcom st(${sti(c)})`),
    form('fcomp st(i)', { depth: 8 }, (c) => `fcomp st(${sti(c)})`),
    form('fcompp', { depth: 2 }, () => 'fcompp'),
    form('fucom st(i)', { depth: 8 }, (c) => `fucom st(${sti(c)})`),
    form('fucomp st(i)', { depth: 8 }, (c) => `fucomp st(${sti(c)})`),
    form('fucompp', { depth: 2 }, () => 'fucompp'),
    form('fcom m32', { depth: 1 }, (c) => `fcom ${memVal(c, 'f32')}`),
    form('fcomp m64', { depth: 1 }, (c) => `fcomp ${memVal(c, 'f64')}`),
    form('ficom m16', { depth: 1 }, (c) => `ficom ${memVal(c, 'i16')}`, 20),
    form('ficomp m32', { depth: 1 }, (c) => `ficomp ${memVal(c, 'i32')}`, 20),
    form('fcomi st(0), st(i)', { depth: 8 }, (c) => `fcomi st(0), st(${sti(c)})`),
    form('fcomip st(0), st(i)', { depth: 8 }, (c) => `fcomip st(0), st(${sti(c)})`),
    form('fucomi st(0), st(i)', { depth: 8 }, (c) => `fucomi st(0), st(${sti(c)})`),
    form('fucomip st(0), st(i)', { depth: 8 }, (c) => `fucomip st(0), st(${sti(c)})`),
    form('ftst', { depth: 1 }, () => 'ftst', 30),
    form('fxam', { depth: 1, underflow: 0.2 }, () => 'fxam', 40),
  ]
  return out
}

const FCMOV = ['fcmovb', 'fcmove', 'fcmovbe', 'fcmovu', 'fcmovnb', 'fcmovne', 'fcmovnbe', 'fcmovnu']

function stackControlForms(): Form[] {
  return [
    form('fxch st(i)', { depth: 8 }, (c) => `fxch st(${sti(c)})`, 15),
    ...FCMOV.map((m) => form(`${m} st(0), st(i)`, { depth: 8 }, (c) => `${m} st(0), st(${sti(c, 0)})`, 12)),
    form('ffree st(i)', { depth: 8 }, (c) => `ffree st(${sti(c, 0)})`, 8),
    form('ffreep st(i)', { depth: 8 }, (c) => `ffreep st(${sti(c, 0)})`, 8),
    form('fincstp', { depth: 3 }, () => 'fincstp', 8),
    form('fnop', { depth: 2 }, () => 'fnop', 3),
    form('fwait', { depth: 2 }, () => 'fwait', 3),
    form('fdecstp', { depth: 3 }, () => 'fdecstp', 8),
    form('fninit', { depth: 4 }, () => 'fninit', 5),
    form('fnclex', { depth: 4 }, () => 'fnclex', 5),
    form('fnstsw ax', { depth: 2 }, () => 'fnstsw ax', 5),
    form('fnstsw m16', { depth: 2 }, (c) => `fnstsw ${memDst(c, 2)}`, 5),
    form('fnstcw m16', { depth: 2 }, (c) => `fnstcw ${memDst(c, 2)}`, 5),
    form('fldcw m16', { depth: 2 }, (c) => {
      const t = memDst(c, 2)
      // exceptions stay masked so nothing becomes pending; PC/RC and reserved bits vary
      c.poke(c.lastAddr, 2, BigInt((c.rng.u32() & 0xff00) | 0x3f | (c.rng.u32() & 0xc0)))
      return `fldcw ${t}`
    }, 12),
    form('fnstenv m28', { depth: 3 }, (c) => { const t = memDst(c, 28); ignoreEnvPointers(c, 4); return `fnstenv ${t}` }, 8),
    form('fnstenv m14 (o16)', { depth: 3 }, (c) => { const t = memDst(c, 14); ignoreEnvPointers(c, 2); return `data16 fnstenv ${t}` }, 8),
    form('fldenv m28', { depth: 3 }, (c) => { const t = memDst(c, 28); envImage(c, 4); return `fldenv ${t}` }, 12),
    form('fldenv m14 (o16)', { depth: 3 }, (c) => { const t = memDst(c, 14); envImage(c, 2); return `data16 fldenv ${t}` }, 8),
    form('fnsave m108', { depth: 5 }, (c) => { const t = memDst(c, 108); ignoreEnvPointers(c, 4); return `fnsave ${t}` }, 8),
    form('fnsave m94 (o16)', { depth: 5 }, (c) => { const t = memDst(c, 94); ignoreEnvPointers(c, 2); return `data16 fnsave ${t}` }, 6),
    form('frstor m108', { depth: 2 }, (c) => { const t = memDst(c, 108); envImage(c, 4); regImage(c, 28); return `frstor ${t}` }, 12),
    form('frstor m94 (o16)', { depth: 2 }, (c) => { const t = memDst(c, 94); envImage(c, 2); regImage(c, 14); return `data16 frstor ${t}` }, 6),
    form('fxsave64 m512', { depth: 5 }, (c) => { const t = memAligned(c, 512); c.ignoreMem.push([c.lastAddr + 6, 18]); return `fxsave64 ${t}` }, 8),
    form('fxrstor64 m512', { depth: 2 }, (c) => { const t = memAligned(c, 512); fxImage(c); return `fxrstor64 ${t}` }, 12),
    form('fxsave m512', { depth: 5 }, (c) => { const t = memAligned(c, 512); c.ignoreMem.push([c.lastAddr + 6, 18]); return `fxsave ${t}` }, 6),
    form('fxrstor m512', { depth: 2 }, (c) => { const t = memAligned(c, 512); fxImage(c); return `fxrstor ${t}` }, 8),
  ]
}

function memAligned(c: CaseBuilder, bytes: number): string {
  return c.mem(64, 16, bytes).replace('qword ptr', '').trim()
}

/** FIP/FCS/FOP/FDP/FDS of an environment image are not compared (see compare.ts). */
function ignoreEnvPointers(c: CaseBuilder, w: number): void {
  c.ignoreMem.push([c.lastAddr + 3 * w, 4 * w])
}

/** A plausible environment image at the last memory operand: masked FCW, random FSW and tag word. */
function envImage(c: CaseBuilder, w: number): void {
  const r = c.rng
  const cw = 0x7f | (r.below(4) << 8) | (r.below(4) << 10) | (r.u32() & 0xe080)
  c.poke(c.lastAddr, 2, BigInt(cw))
  c.poke(c.lastAddr + w, 2, BigInt(r.u32() & 0x7f7f))
  c.poke(c.lastAddr + 2 * w, 2, BigInt(r.u32() & 0xffff))
}

function regImage(c: CaseBuilder, envBytes: number): void {
  for (let i = 0; i < 8; i++) {
    const v = f80Value(c.rng)
    c.poke(c.lastAddr + envBytes + 10 * i, 8, v.sig)
    c.poke(c.lastAddr + envBytes + 10 * i + 8, 2, BigInt(v.se))
  }
}

/** A valid FXSAVE image: masked FCW, MXCSR default, random tags and registers. */
function fxImage(c: CaseBuilder): void {
  const r = c.rng
  const a = c.lastAddr
  c.poke(a, 2, BigInt(0x7f | (r.below(4) << 8) | (r.below(4) << 10)))
  c.poke(a + 2, 2, BigInt(r.u32() & 0x7f7f))
  c.poke(a + 4, 1, BigInt(r.below(256)))
  c.poke(a + 24, 4, 0x1f80n | BigInt(r.u32() & 0x3f))
  for (let i = 0; i < 8; i++) {
    const v = f80Value(r)
    c.poke(a + 32 + 16 * i, 8, v.sig)
    c.poke(a + 40 + 16 * i, 2, BigInt(v.se))
  }
}

export function x87Forms(): Form[] {
  return [...arithForms(), ...loadStoreForms(), ...compareForms(), ...stackControlForms()]
}
