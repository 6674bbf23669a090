/**
 * Bit forms: BT/BTS/BTR/BTC (register and imm8 bit offsets, register and memory bases —
 * with a register offset into memory the offset is a signed bit string index, SDM vol. 2
 * "BT"), BSF/BSR (destination undefined for a zero source), LZCNT/TZCNT/POPCNT and BSWAP.
 */
import type { CaseBuilder } from './case-builder'
import { type Form } from './form'

function bitOffset(c: CaseBuilder, w: number, intoMemory: boolean): bigint {
  if (!intoMemory) return c.rng.chance(0.7) ? BigInt(c.rng.below(256)) : c.value(w)
  // Keep the addressed unit inside the scratch window: ±0x80 bytes around the operand.
  return BigInt(c.rng.range(-1024, 1023))
}

export function bitForms(): Form[] {
  const forms: Form[] = []
  for (const op of ['bt', 'bts', 'btr', 'btc'] as const) {
    for (const w of [16, 32, 64] as const) {
      forms.push({ name: `${op} r${w}, r${w}`, group: 'bits', build: (c) => { const a = c.reg(w); const b = c.reg(w, bitOffset(c, w, false)); return `${op} ${a.name}, ${b.name}` } })
      forms.push({ name: `${op} r${w}, imm8`, group: 'bits', build: (c) => `${op} ${c.reg(w).name}, ${c.rng.below(256)}` })
      forms.push({
        name: `${op} m${w}, r${w}`, group: 'bits',
        build: (c) => { const m = c.mem(w); const b = c.reg(w, BigInt.asUintN(w, bitOffset(c, w, true))); return `${op} ${m}, ${b.name}` },
      })
      forms.push({ name: `${op} m${w}, imm8`, group: 'bits', build: (c) => `${op} ${c.mem(w)}, ${c.rng.below(256)}` })
    }
  }
  for (const op of ['bsf', 'bsr', 'lzcnt', 'tzcnt', 'popcnt'] as const) {
    for (const w of [16, 32, 64] as const) {
      for (const mem of [false, true]) {
        forms.push({
          name: `${op} r${w}, ${mem ? 'm' : 'r'}${w}`, group: 'bits',
          feature: op === 'popcnt' ? 'popcnt' : op === 'lzcnt' ? 'lzcnt' : op === 'tzcnt' ? 'bmi1' : undefined,
          build: (c) => {
            const d = c.reg(w)
            const zero = c.rng.chance(0.15)
            let src: string
            let value: bigint
            if (mem) {
              src = c.mem(w)
              if (zero) c.poke(c.lastAddr, w / 8, 0n)
              value = c.peek(c.lastAddr, w / 8)
            } else {
              const s = c.reg(w, zero ? 0n : undefined)
              src = s.name
              value = c.input.regs[s.n] & ((1n << BigInt(w)) - 1n)
            }
            // BSF/BSR with a zero source: the destination is undefined (SDM vol. 2 "BSF").
            if ((op === 'bsf' || op === 'bsr') && value === 0n) c.ignoreReg(d.n)
            return `${op} ${d.name}, ${src}`
          },
        })
      }
    }
  }
  for (const w of [32, 64] as const) forms.push({ name: `bswap r${w}`, group: 'bits', build: (c) => `bswap ${c.reg(w).name}` })
  return forms
}
