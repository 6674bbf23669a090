/** Every form the differential test covers. */
import { aluForms } from './forms-alu'
import { bitForms } from './forms-bits'
import { moveForms } from './forms-move'
import { mulDivForms } from './forms-muldiv'
import { shiftForms } from './forms-shift'
import { stackForms, stringForms } from './forms-string-stack'
import { sseForms } from './forms-sse'
import type { Form } from './form'

export function allForms(): Form[] {
  return [...aluForms(), ...shiftForms(), ...mulDivForms(), ...bitForms(), ...moveForms(), ...stringForms(), ...stackForms(), ...sseForms().map((f) => ({ ...f, feature: f.feature ?? ('sse2' as const) }))]
}
