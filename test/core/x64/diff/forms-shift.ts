/**
 * Shift and rotate forms: SHL/SHR/SAR/ROL/ROR/RCL/RCR by 1, imm8 and CL, and SHLD/SHRD by
 * imm8 and CL, counts 0..65. Which flags are defined depends on the masked count (SDM
 * vol. 2 "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD": count 0 leaves every flag
 * alone, OF only for 1-bit shifts, AF undefined, CF undefined for SHL/SHR when the count
 * reaches the operand size), so the form states the defined set exactly.
 */
import type { CaseBuilder, Width } from './case-builder'
import { COMPARED_FLAGS, FLAG } from './layout'
import { WIDTHS, type Form } from './form'

const SHIFTS = ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'] as const
type Shift = (typeof SHIFTS)[number]

function pickCount(c: CaseBuilder): number {
  return c.rng.chance(0.3) ? c.rng.pick([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65]) : c.rng.range(0, 65)
}

/** Compared flags for a shift/rotate of `width` bits by `count`. */
export function shiftDefinedFlags(op: Shift, width: Width, count: number): number {
  const masked = count & (width === 64 ? 63 : 31)
  if (masked === 0) return COMPARED_FLAGS
  let defined = COMPARED_FLAGS
  if (masked !== 1) defined &= ~FLAG.OF
  if (op === 'shl' || op === 'shr' || op === 'sar') {
    defined &= ~FLAG.AF
    if ((op === 'shl' || op === 'shr') && masked >= width) defined &= ~FLAG.CF
  }
  return defined
}

function shiftOperand(c: CaseBuilder, w: Width, mem: boolean): string {
  c.legacy8 = w === 8 && !mem && c.rng.chance(0.3)
  return mem ? c.mem(w) : c.reg(w).name
}

export function shiftForms(): Form[] {
  const forms: Form[] = []
  for (const op of SHIFTS) {
    for (const w of WIDTHS) {
      for (const mem of [false, true]) {
        const k = mem ? `m${w}` : `r${w}`
        forms.push({
          name: `${op} ${k}, 1`, group: 'shift', count: 6,
          build: (c) => { const d = shiftOperand(c, w, mem); c.definedFlags = shiftDefinedFlags(op, w, 1); return `${op} ${d}, 1` },
        })
        forms.push({
          name: `${op} ${k}, imm8`, group: 'shift',
          build: (c) => { const d = shiftOperand(c, w, mem); const n = pickCount(c); c.definedFlags = shiftDefinedFlags(op, w, n); return `${op} ${d}, ${n}` },
        })
        forms.push({
          name: `${op} ${k}, cl`, group: 'shift',
          build: (c) => {
            c.claim(1)
            const n = pickCount(c)
            c.setLow(1, 8, BigInt(n))
            const d = shiftOperand(c, w, mem)
            c.definedFlags = shiftDefinedFlags(op, w, n)
            return `${op} ${d}, cl`
          },
        })
      }
    }
  }
  for (const op of ['shld', 'shrd'] as const) {
    for (const w of [16, 32, 64] as const) {
      for (const mem of [false, true]) {
        for (const byCl of [false, true]) {
          forms.push({
            name: `${op} ${mem ? 'm' : 'r'}${w}, r${w}, ${byCl ? 'cl' : 'imm8'}`, group: 'shift',
            build: (c) => {
              if (byCl) c.claim(1)
              let n = pickCount(c)
              // A 16-bit double shift by more than 16 leaves the destination undefined.
              while (w === 16 && (n & 31) > 16) n = pickCount(c)
              const d = mem ? c.mem(w) : c.reg(w).name
              const s = c.reg(w).name
              const masked = n & (w === 64 ? 63 : 31)
              c.definedFlags = masked === 0 ? COMPARED_FLAGS : COMPARED_FLAGS & ~FLAG.AF & ~(masked === 1 ? 0 : FLAG.OF)
              if (byCl) {
                c.setLow(1, 8, BigInt(n))
                return `${op} ${d}, ${s}, cl`
              }
              return `${op} ${d}, ${s}, ${n}`
            },
          })
        }
      }
    }
  }
  return forms
}
