/**
 * x87 escape opcodes D8-DF (placeholder until the x87 unit lands: #UD).
 */
import type { CpuState } from './cpu-state'
import { ud } from './faults'

export function execX87(c: CpuState, b: number): number {
  void c; void b
  return ud()
}
