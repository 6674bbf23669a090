/**
 * Expands forms into cases. Every case gets its own PRNG seeded from (seed, form, index),
 * so adding or removing a form does not change the cases of the others.
 */
import { CaseBuilder, type DiffCase } from './case-builder'
import type { Form } from './form'
import { Prng } from './prng'

function hashName(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export function generateCases(forms: readonly Form[], perForm: number, seed: number): DiffCase[] {
  const cases: DiffCase[] = []
  for (const form of forms) {
    const n = form.count ?? perForm
    for (let i = 0; i < n; i++) {
      const rng = new Prng((hashName(form.name) ^ Math.imul(seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0)
      const c = new CaseBuilder(rng)
      const asm = form.build(c)
      cases.push({
        id: cases.length, form: form.name, group: form.group, asm, input: c.input,
        definedFlags: c.definedFlags, undefinedFlags: c.undefinedFlags, ignoreRegs: c.ignoreRegs,
        x87: c.x87, ignoreMem: c.ignoreMem.length ? c.ignoreMem : undefined,
        sequence: c.sequence || undefined,
      })
    }
  }
  return cases
}
