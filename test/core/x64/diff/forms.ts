/** Every form the differential test covers. */
import { aluForms } from './forms-alu'
import { bitForms } from './forms-bits'
import { branchForms } from './forms-branch'
import { moveForms } from './forms-move'
import { mulDivForms } from './forms-muldiv'
import { shiftForms } from './forms-shift'
import { stackForms, stringForms } from './forms-string-stack'
import { sseForms } from './forms-sse'
import { x87Forms } from './forms-x87'
import type { Form } from './form'

export function allForms(): Form[] {
  const forms = [...aluForms(), ...shiftForms(), ...mulDivForms(), ...bitForms(), ...moveForms(), ...stringForms(), ...stackForms(), ...sseForms().map((f) => ({ ...f, feature: f.feature ?? ('sse2' as const) })), ...x87Forms(), ...branchForms()]
  return [...forms, ...ripRelativeForms(forms)]
}

/**
 * RIP-relative variants of every form with a memory operand and an immediate: the
 * displacement is relative to the END of the instruction, i.e. after the immediate
 * (SDM vol. 2, 2.2.1.6), which an emulator reading memory before fetching the immediate gets wrong.
 */
function ripRelativeForms(forms: Form[]): Form[] {
  return forms
    .filter((f) => /\b(m\d+|r\/m\d*|m)\b/.test(f.name) && /imm|, \d/.test(f.name))
    .map((f) => ({ ...f, name: `${f.name} [rip]`, group: 'rip', count: 4, build: (c) => { c.ripMem = true; return f.build(c) } }))
}
