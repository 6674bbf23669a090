/**
 * SSE/SSE2 instructions of the 0F map (placeholder until the SSE unit lands: #UD).
 */
import type { CpuState } from './cpu-state'
import { ud } from './faults'

export function execSse(c: CpuState, b: number): number {
  void c; void b
  return ud()
}
