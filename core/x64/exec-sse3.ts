/**
 * SSE3 (CPUID.1:ECX.PNI[bit 0]) instructions of the 0F map (Intel SDM vol. 2): ADDSUBPS/PD,
 * HADDPS/PD, HSUBPS/PD, MOVSLDUP, MOVSHDUP, MOVDDUP and LDDQU. FISTTP lives with the x87
 * code (exec-x87.ts); MONITOR/MWAIT are not advertised and stay #UD (exec-system.ts).
 * Arithmetic goes through the same lane helpers as SSE/SSE2 (sse-fp.ts), so MXCSR
 * rounding, DAZ/FTZ, NaN propagation and the sticky flags behave the same.
 */
import type { CpuState } from './cpu-state'
import { ud, gp } from './faults'
import { ea } from './decode'
import { rd } from './mmu'
import { lane32, lane64, out } from './sse-fp'

const ADD = 0x58
const SUB = 0x5c
const s = new Int32Array(4)
const t = new Int32Array(4)

/** Whether (opcode, mandatory prefix: 1 = 66, 2 = F3, 3 = F2) is an SSE3 instruction. */
export function isSse3(b: number, p: number): boolean {
  if (b === 0xd0 || b === 0x7c || b === 0x7d) return p === 1 || p === 3
  if (b === 0x12) return p === 2 || p === 3
  if (b === 0x16) return p === 2
  return b === 0xf0 && p === 3
}

/** Load the r/m source (`bytes` = 8 or 16) into `s`. */
function load(c: CpuState, bytes: number, aligned: boolean): void {
  if (c.mod === 3) { const o = c.rm * 4; for (let i = 0; i < 4; i++) s[i] = c.xmm[o + i]; return }
  const a = ea(c, bytes, false)
  if (aligned && (a & 15) !== 0) gp(0)
  for (let i = 0; i < bytes / 4; i++) s[i] = rd(c, a + 4 * i, 4)
}

/** Execute an SSE3 instruction (ModRM already decoded). Returns 0. */
export function execSse3(c: CpuState, b: number, p: number): number {
  const x = c.xmm, o = c.reg * 4
  switch (b) {
    case 0xd0: // ADDSUBPS / ADDSUBPD: subtract in even lanes, add in odd lanes
      load(c, 16, true)
      if (p === 3) { for (let i = 0; i < 4; i++) x[o + i] = lane32(c, i & 1 ? ADD : SUB, x[o + i], s[i]) } else {
        lane64(c, SUB, x[o], x[o + 1], s[0], s[1]); x[o] = out.lo; x[o + 1] = out.hi
        lane64(c, ADD, x[o + 2], x[o + 3], s[2], s[3]); x[o + 2] = out.lo; x[o + 3] = out.hi
      }
      return 0
    case 0x7c: case 0x7d: { // HADD / HSUB: pairs of the destination, then pairs of the source
      load(c, 16, true)
      const op = b === 0x7c ? ADD : SUB
      if (p === 3) {
        t[0] = lane32(c, op, x[o], x[o + 1]); t[1] = lane32(c, op, x[o + 2], x[o + 3])
        t[2] = lane32(c, op, s[0], s[1]); t[3] = lane32(c, op, s[2], s[3])
        for (let i = 0; i < 4; i++) x[o + i] = t[i]
      } else {
        lane64(c, op, x[o], x[o + 1], x[o + 2], x[o + 3]); t[0] = out.lo; t[1] = out.hi
        lane64(c, op, s[0], s[1], s[2], s[3]); t[2] = out.lo; t[3] = out.hi
        for (let i = 0; i < 4; i++) x[o + i] = t[i]
      }
      return 0
    }
    case 0x12: // MOVSLDUP (F3) / MOVDDUP (F2, 64-bit source, no alignment)
      if (p === 2) { load(c, 16, true); x[o] = s[0]; x[o + 1] = s[0]; x[o + 2] = s[2]; x[o + 3] = s[2] } else {
        load(c, 8, false); x[o] = s[0]; x[o + 1] = s[1]; x[o + 2] = s[0]; x[o + 3] = s[1]
      }
      return 0
    case 0x16: // MOVSHDUP
      load(c, 16, true)
      x[o] = s[1]; x[o + 1] = s[1]; x[o + 2] = s[3]; x[o + 3] = s[3]
      return 0
    default: // LDDQU: memory only, no alignment requirement
      if (c.mod === 3) return ud()
      load(c, 16, false)
      for (let i = 0; i < 4; i++) x[o + i] = s[i]
      return 0
  }
}
