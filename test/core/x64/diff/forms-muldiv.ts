/**
 * Multiply and divide forms: MUL/IMUL (one, two and three operands) and DIV/IDIV at
 * 8/16/32/64 bits. Divide inputs are built from quotient, divisor and remainder so most
 * cases retire; the rest divide by zero or overflow the quotient and must raise #DE
 * (SDM vol. 2 "DIV", "IDIV"). Flags after MUL/IMUL: only CF/OF defined; after DIV: none.
 */
import { mask, type CaseBuilder, type Width } from './case-builder'
import { hex, WIDTHS, type Form } from './form'

function signed(v: bigint, w: number): bigint {
  return BigInt.asIntN(w, v)
}

/** Set the dividend (AX, DX:AX, EDX:EAX or RDX:RAX) for a divide of `w` bits. */
function setDividend(c: CaseBuilder, w: Width, dividend: bigint): void {
  const d = BigInt.asUintN(2 * w, dividend)
  if (w === 8) c.setLow(0, 16, d)
  else {
    c.setLow(0, w, d & mask(w))
    c.setLow(2, w, d >> BigInt(w))
  }
}

function divInputs(c: CaseBuilder, w: Width, isSigned: boolean): { divisor: bigint } {
  const r = c.rng
  if (r.chance(0.12)) {
    // Likely #DE: zero divisor or quotient overflow.
    const divisor = r.chance(0.5) ? 0n : c.value(w) || 1n
    setDividend(c, w, (c.value(w) << BigInt(w)) | c.value(w))
    return { divisor }
  }
  let divisor = c.value(w)
  if (divisor === 0n) divisor = 1n
  if (!isSigned) {
    const q = c.value(w)
    const rem = r.u64() % divisor
    setDividend(c, w, q * divisor + rem)
    return { divisor }
  }
  const d = signed(divisor, w)
  const q = signed(c.value(w), w)
  const ad = d < 0n ? -d : d
  let rem = BigInt(r.u32()) % ad
  const product = q * d
  if (product < 0n || (product === 0n && r.chance(0.5))) rem = -rem
  setDividend(c, w, product + rem)
  return { divisor }
}

export function mulDivForms(): Form[] {
  const forms: Form[] = []
  for (const op of ['mul', 'imul'] as const) {
    for (const w of WIDTHS) {
      for (const mem of [false, true]) {
        forms.push({
          name: `${op} ${mem ? 'm' : 'r'}${w}`, group: 'muldiv',
          build: (c) => {
            c.claim(0); c.claim(2)
            c.setLow(0, w, c.value(w))
            return `${op} ${mem ? c.mem(w) : c.reg(w).name}`
          },
        })
      }
    }
  }
  for (const w of [16, 32, 64] as const) {
    forms.push({ name: `imul r${w}, r${w}`, group: 'muldiv', build: (c) => { const a = c.reg(w); return `imul ${a.name}, ${c.reg(w).name}` } })
    forms.push({ name: `imul r${w}, m${w}`, group: 'muldiv', build: (c) => { const a = c.reg(w); return `imul ${a.name}, ${c.mem(w)}` } })
    if (w === 64) {
      // both operands zero-extended 32-bit values (the generated blocks' limb fast path), products past bit 63 included
      const u32 = (c: { rng: { chance(p: number): boolean; below(n: number): number } }): bigint => BigInt(c.rng.chance(0.5) ? 0xffffffff - c.rng.below(1 << 20) : c.rng.below(0x7fffffff)) & 0xffffffffn
      forms.push({ name: 'imul r64, r64 (32-bit values)', group: 'muldiv', count: 12, build: (c) => { const a = c.reg(64, u32(c)); return `imul ${a.name}, ${c.reg(64, u32(c)).name}` } })
    }
    forms.push({
      name: `imul r${w}, r/m${w}, imm`, group: 'muldiv',
      build: (c) => {
        const a = c.reg(w)
        const src = c.rng.chance(0.5) ? c.mem(w) : c.reg(w).name
        const imm = c.rng.chance(0.5) ? c.immSigned(8) : c.immSigned(w === 16 ? 16 : 32)
        return `imul ${a.name}, ${src}, ${hex(imm)}`
      },
    })
  }
  for (const op of ['div', 'idiv'] as const) {
    for (const w of WIDTHS) {
      for (const mem of [false, true]) {
        forms.push({
          name: `${op} ${mem ? 'm' : 'r'}${w}`, group: 'muldiv', count: 12,
          build: (c) => {
            c.claim(0); c.claim(2)
            const { divisor } = divInputs(c, w, op === 'idiv')
            if (mem) {
              const m = c.mem(w)
              c.poke(c.lastAddr, w / 8, divisor)
              return `${op} ${m}`
            }
            return `${op} ${c.reg(w, divisor).name}`
          },
        })
      }
    }
  }
  return forms
}
