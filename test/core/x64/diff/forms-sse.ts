/**
 * SSE/SSE2 forms (the x86-64 baseline every 64-bit CPU advertises, CPUID.1:EDX bits 25/26):
 * packed integer arithmetic, logic, compares, shifts, shuffles, packs/unpacks, moves between
 * GPRs and XMM, and scalar/packed single/double FP arithmetic, compares (CMPPS predicates,
 * COMISS/UCOMISS flags), conversions and shuffles. FP inputs are biased towards zeros,
 * infinities, QNaN/SNaN, denormals and integer-conversion boundaries; MXCSR rounding
 * mode, DAZ and FTZ vary (exceptions stay masked so nothing traps).
 */
import type { CaseBuilder } from './case-builder'
import { type Form } from './form'

type Lane = 'int' | 'ps' | 'pd'

const F64_EDGES = [
  0x0000000000000000n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n, 0x3fe0000000000000n, 0x3ff8000000000000n,
  0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff4000000000000n, 0x0000000000000001n,
  0x000fffffffffffffn, 0x0010000000000000n, 0x7fefffffffffffffn, 0x41e0000000000000n, 0xc1e0000000000000n, 0x43e0000000000000n,
  0xc3e0000000000000n, 0x41dfffffffc00000n, 0x4004000000000000n, 0xc00c000000000000n,
]
const F32_EDGES = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
  0x7fa00000, 0x00000001, 0x007fffff, 0x00800000, 0x7f7fffff, 0x4f000000, 0xcf000000, 0x5f000000, 0xdf000000, 0x40200000, 0xc0600000,
]

function f64(c: CaseBuilder): bigint {
  const r = c.rng
  if (r.chance(0.4)) return r.pick(F64_EDGES)
  // A moderate finite value: random mantissa, exponent near 0.
  const exp = BigInt(1023 + r.range(-40, 70))
  return (BigInt(r.below(2)) << 63n) | (exp << 52n) | (r.u64() & 0xfffffffffffffn)
}

function f32(c: CaseBuilder): bigint {
  const r = c.rng
  if (r.chance(0.4)) return BigInt(r.pick(F32_EDGES))
  const exp = BigInt(127 + r.range(-20, 40))
  return (BigInt(r.below(2)) << 31n) | (exp << 23n) | BigInt(r.u32() & 0x7fffff)
}

function lane64(c: CaseBuilder, kind: Lane): bigint {
  if (kind === 'pd') return f64(c)
  if (kind === 'ps') return (f32(c) << 32n) | f32(c)
  return c.value(64)
}

class XmmPicker {
  private readonly used = new Set<number>()
  constructor(private readonly c: CaseBuilder) {}
  pick(kind: Lane): number {
    let n: number
    do n = this.c.rng.below(16)
    while (this.used.has(n))
    this.used.add(n)
    this.c.input.xmm[2 * n] = lane64(this.c, kind)
    this.c.input.xmm[2 * n + 1] = lane64(this.c, kind)
    return n
  }
}

function randomMxcsr(c: CaseBuilder): void {
  let m = 0x1f80
  if (c.rng.chance(0.3)) m |= c.rng.below(4) << 13 // rounding control
  if (c.rng.chance(0.15)) m |= 0x8000 // FTZ
  if (c.rng.chance(0.15)) m |= 0x40 // DAZ
  if (c.rng.chance(0.2)) m |= c.rng.below(64) // sticky exception flags
  c.input.mxcsr = m
}

/** A memory operand of 128 (aligned), 64 or 32 bits holding lanes of `kind`. */
function memOperand(c: CaseBuilder, bits: 32 | 64 | 128, kind: Lane): string {
  const m = c.mem(bits, bits === 128 ? 16 : 1, bits / 8)
  for (let o = 0; o < bits / 8; o += 8) c.poke(c.lastAddr + o, Math.min(8, bits / 8), lane64(c, kind))
  return m
}

function binary(op: string, kind: Lane, memBits: 32 | 64 | 128 = 128, imm?: (c: CaseBuilder) => number): Form[] {
  const suffix = imm ? ', imm8' : ''
  return [
    { name: `${op} xmm, xmm${suffix}`, group: 'sse', count: 6, build: (c) => { randomMxcsr(c); const x = new XmmPicker(c); const d = x.pick(kind); const s = x.pick(kind); return `${op} xmm${d}, xmm${s}${imm ? `, ${imm(c)}` : ''}` } },
    { name: `${op} xmm, m${memBits}${suffix}`, group: 'sse', count: 4, build: (c) => { randomMxcsr(c); const x = new XmmPicker(c); const d = x.pick(kind); return `${op} xmm${d}, ${memOperand(c, memBits, kind)}${imm ? `, ${imm(c)}` : ''}` } },
  ]
}

const INT_BINARY = [
  'paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubw', 'psubd', 'psubq', 'paddsb', 'paddsw', 'paddusb', 'paddusw', 'psubsb', 'psubsw',
  'psubusb', 'psubusw', 'pmullw', 'pmulhw', 'pmulhuw', 'pmuludq', 'pmaddwd', 'pand', 'pandn', 'por', 'pxor', 'pcmpeqb', 'pcmpeqw',
  'pcmpeqd', 'pcmpgtb', 'pcmpgtw', 'pcmpgtd', 'pmaxub', 'pminub', 'pmaxsw', 'pminsw', 'pavgb', 'pavgw', 'psadbw', 'packsswb', 'packssdw',
  'packuswb', 'punpcklbw', 'punpcklwd', 'punpckldq', 'punpcklqdq', 'punpckhbw', 'punpckhwd', 'punpckhdq', 'punpckhqdq', 'psllw', 'pslld',
  'psllq', 'psrlw', 'psrld', 'psrlq', 'psraw', 'psrad',
]

export function sseForms(): Form[] {
  const forms: Form[] = []
  for (const op of INT_BINARY) forms.push(...binary(op, 'int'))
  for (const op of ['psllw', 'pslld', 'psllq', 'psrlw', 'psrld', 'psrlq', 'psraw', 'psrad', 'pslldq', 'psrldq']) {
    forms.push({ name: `${op} xmm, imm8`, group: 'sse', count: 6, build: (c) => { const x = new XmmPicker(c); return `${op} xmm${x.pick('int')}, ${c.rng.pick([0, 1, 3, 7, 8, 15, 16, 31, 32, 63, 64, 200])}` } })
  }
  for (const op of ['pshufd', 'pshuflw', 'pshufhw']) forms.push(...binary(op, 'int', 128, (c) => c.rng.below(256)))
  for (const t of ['ps', 'pd', 'ss', 'sd'] as const) {
    const kind: Lane = t.endsWith('d') ? 'pd' : 'ps'
    const memBits = t === 'ss' ? 32 : t === 'sd' ? 64 : 128
    for (const op of ['add', 'sub', 'mul', 'div', 'min', 'max', 'sqrt']) forms.push(...binary(`${op}${t}`, kind, memBits))
    forms.push(...binary(`cmp${t}`, kind, memBits, (c) => c.rng.below(8)))
  }
  for (const op of ['andps', 'andnps', 'orps', 'xorps', 'andpd', 'andnpd', 'orpd', 'xorpd', 'unpcklps', 'unpckhps', 'unpcklpd', 'unpckhpd']) {
    forms.push(...binary(op, op.endsWith('d') ? 'pd' : 'ps'))
  }
  forms.push(...binary('shufps', 'ps', 128, (c) => c.rng.below(256)), ...binary('shufpd', 'pd', 128, (c) => c.rng.below(4)))
  for (const op of ['comiss', 'ucomiss', 'comisd', 'ucomisd']) forms.push(...binary(op, op.endsWith('d') ? 'pd' : 'ps', op.endsWith('d') ? 64 : 32))
  const conversions: [string, Lane, 32 | 64 | 128][] = [
    ['cvtss2sd', 'ps', 32], ['cvtsd2ss', 'pd', 64], ['cvtdq2pd', 'int', 64], ['cvtpd2dq', 'pd', 128], ['cvttpd2dq', 'pd', 128],
    ['cvtdq2ps', 'int', 128], ['cvtps2dq', 'ps', 128], ['cvttps2dq', 'ps', 128], ['cvtps2pd', 'ps', 64], ['cvtpd2ps', 'pd', 128],
  ]
  for (const [op, kind, bits] of conversions) forms.push(...binary(op, kind, bits))
  for (const w of [32, 64] as const) {
    for (const op of ['cvtsi2sd', 'cvtsi2ss']) {
      forms.push({ name: `${op} xmm, r${w}`, group: 'sse', count: 6, build: (c) => { randomMxcsr(c); const x = new XmmPicker(c); return `${op} xmm${x.pick('pd')}, ${c.reg(w).name}` } })
    }
    for (const op of ['cvttsd2si', 'cvtsd2si', 'cvttss2si', 'cvtss2si']) {
      forms.push({ name: `${op} r${w}, xmm`, group: 'sse', count: 6, build: (c) => { randomMxcsr(c); const x = new XmmPicker(c); return `${op} ${c.reg(w).name}, xmm${x.pick(op.endsWith('sd2si') ? 'pd' : 'ps')}` } })
    }
    forms.push({ name: `mov${w === 32 ? 'd' : 'q'} xmm, r${w}`, group: 'sse', count: 6, build: (c) => { const x = new XmmPicker(c); return `mov${w === 32 ? 'd' : 'q'} xmm${x.pick('int')}, ${c.reg(w).name}` } })
    forms.push({ name: `mov${w === 32 ? 'd' : 'q'} r${w}, xmm`, group: 'sse', count: 6, build: (c) => { const x = new XmmPicker(c); return `mov${w === 32 ? 'd' : 'q'} ${c.reg(w).name}, xmm${x.pick('int')}` } })
  }
  for (const op of ['movdqa', 'movdqu', 'movaps', 'movups', 'movapd', 'movupd']) {
    forms.push(...binary(op, 'int'))
    forms.push({ name: `${op} m128, xmm`, group: 'sse', count: 4, build: (c) => { const x = new XmmPicker(c); return `${op} ${c.mem(128, 16, 16)}, xmm${x.pick('int')}` } })
  }
  for (const op of ['movss', 'movsd']) {
    const bits = op === 'movss' ? 32 : 64
    forms.push(...binary(op, 'int', bits))
    forms.push({ name: `${op} m${bits}, xmm`, group: 'sse', count: 4, build: (c) => { const x = new XmmPicker(c); return `${op} ${c.mem(bits)}, xmm${x.pick('int')}` } })
  }
  forms.push(...binary('movq', 'int', 64))
  forms.push({ name: 'movq m64, xmm', group: 'sse', count: 4, build: (c) => { const x = new XmmPicker(c); return `movq ${c.mem(64)}, xmm${x.pick('int')}` } })
  for (const op of ['movhlps', 'movlhps']) forms.push({ name: `${op} xmm, xmm`, group: 'sse', count: 4, build: (c) => { const x = new XmmPicker(c); const d = x.pick('int'); return `${op} xmm${d}, xmm${x.pick('int')}` } })
  for (const op of ['movhps', 'movlps', 'movhpd', 'movlpd']) {
    forms.push({ name: `${op} xmm, m64`, group: 'sse', count: 4, build: (c) => { const x = new XmmPicker(c); return `${op} xmm${x.pick('int')}, ${c.mem(64)}` } })
    forms.push({ name: `${op} m64, xmm`, group: 'sse', count: 4, build: (c) => { const x = new XmmPicker(c); return `${op} ${c.mem(64)}, xmm${x.pick('int')}` } })
  }
  for (const op of ['pmovmskb', 'movmskps', 'movmskpd']) {
    forms.push({ name: `${op} r32, xmm`, group: 'sse', count: 6, build: (c) => { const x = new XmmPicker(c); return `${op} ${c.reg(32).name}, xmm${x.pick(op === 'movmskpd' ? 'pd' : 'ps')}` } })
  }
  forms.push({ name: 'pextrw r32, xmm, imm8', group: 'sse', count: 6, build: (c) => { const x = new XmmPicker(c); return `pextrw ${c.reg(32).name}, xmm${x.pick('int')}, ${c.rng.below(16)}` } })
  forms.push({ name: 'pinsrw xmm, r32, imm8', group: 'sse', count: 6, build: (c) => { const x = new XmmPicker(c); return `pinsrw xmm${x.pick('int')}, ${c.reg(32).name}, ${c.rng.below(16)}` } })
  // SSE3
  const sse3: Form[] = [
    ...binary('addsubps', 'ps'), ...binary('addsubpd', 'pd'), ...binary('haddps', 'ps'), ...binary('haddpd', 'pd'),
    ...binary('hsubps', 'ps'), ...binary('hsubpd', 'pd'), ...binary('movsldup', 'ps'), ...binary('movshdup', 'ps'),
    ...binary('movddup', 'pd', 64),
    { name: 'lddqu xmm, m128', group: 'sse', count: 4, build: (c) => { const x = new XmmPicker(c); return `lddqu xmm${x.pick('int')}, ${c.mem(128)}` } },
  ]
  forms.push(...sse3.map((f) => ({ ...f, feature: 'sse3' as const })))
  forms.push({ name: 'pinsrw xmm, m16, imm8', group: 'sse', count: 4, build: (c) => { const x = new XmmPicker(c); return `pinsrw xmm${x.pick('int')}, ${c.mem(16)}, ${c.rng.below(16)}` } })
  // Infinities of both signs in every lane: inf - inf is invalid (IE) in sums, differences
  // and horizontal sums, which random edge values almost never pair up.
  for (const op of ['addps', 'subps', 'haddps', 'hsubps', 'addsubps', 'addss']) {
    forms.push({
      name: `${op} xmm, xmm (infinities)`, group: 'sse', count: 4,
      build: (c) => {
        randomMxcsr(c)
        const x = new XmmPicker(c), d = x.pick('ps'), src = x.pick('ps')
        const inf = (): bigint => BigInt(c.rng.pick([0x7f800000, 0xff800000, 0x3f800000]))
        for (const n of [d, src]) for (const w of [0, 1]) c.input.xmm[2 * n + w] = inf() | (inf() << 32n)
        return `${op} xmm${d}, xmm${src}`
      },
    })
  }
  return forms
}
