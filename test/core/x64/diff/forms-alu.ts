/**
 * Integer ALU forms: ADD/ADC/SUB/SBB/AND/OR/XOR/CMP/TEST with reg/mem/imm operands and
 * INC/DEC/NEG/NOT, at 8/16/32/64 bits (Intel SDM vol. 2, the instruction pages; flags per
 * vol. 1 appendix A "EFLAGS cross-reference").
 */
import type { CaseBuilder, Width } from './case-builder'
import { hex, immFor, WIDTHS, type Form } from './form'

const BINARY = ['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp', 'test'] as const
const UNARY = ['inc', 'dec', 'neg', 'not'] as const

function legacy(c: CaseBuilder, w: Width): void {
  c.legacy8 = w === 8 && c.rng.chance(0.3)
}

export function aluForms(): Form[] {
  const forms: Form[] = []
  for (const op of BINARY) {
    for (const w of WIDTHS) {
      forms.push({
        name: `${op} r${w}, r${w}`, group: 'alu',
        build: (c) => { legacy(c, w); const a = c.reg(w); const b = c.rng.chance(0.1) ? a : c.reg(w); return `${op} ${a.name}, ${b.name}` },
      })
      if (op !== 'test') {
        forms.push({ name: `${op} r${w}, m${w}`, group: 'alu', build: (c) => { legacy(c, w); const a = c.reg(w); return `${op} ${a.name}, ${c.mem(w)}` } })
      }
      forms.push({ name: `${op} m${w}, r${w}`, group: 'alu', build: (c) => { legacy(c, w); const a = c.reg(w); return `${op} ${c.mem(w)}, ${a.name}` } })
      forms.push({ name: `${op} r${w}, imm`, group: 'alu', build: (c) => { legacy(c, w); const a = c.reg(w); return `${op} ${a.name}, ${hex(immFor(c, w))}` } })
      forms.push({ name: `${op} m${w}, imm`, group: 'alu', build: (c) => `${op} ${c.mem(w)}, ${hex(immFor(c, w))}` })
    }
  }
  for (const op of UNARY) {
    for (const w of WIDTHS) {
      forms.push({ name: `${op} r${w}`, group: 'alu', build: (c) => { legacy(c, w); return `${op} ${c.reg(w).name}` } })
      forms.push({ name: `${op} m${w}`, group: 'alu', build: (c) => `${op} ${c.mem(w)}` })
    }
  }
  return forms
}
