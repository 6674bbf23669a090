/**
 * x87 environment and state images (Intel SDM vol. 1, 8.1.10 and figures 8-9..8-12
 * "Protected-/real-mode x87 FPU state image in memory", 32- and 16-bit formats; vol. 2
 * "FNSTENV", "FLDENV", "FNSAVE", "FRSTOR"). The format follows the operand size (66h
 * selects the 14-byte/94-byte layouts) and real mode vs. protected mode. FCS/FDS are not
 * tracked and are stored as 0.
 */
import type { CpuState } from './cpu-state'
import { Mode } from './constants'
import { ea } from './decode'
import { rd, wr, probeWrite } from './mmu'
import { abridgedFromFull, fninit, fsw, fullTag, phys, readPhys, updateSummary, writePhys } from './x87-stack'

function envSize(c: CpuState): number {
  return c.opSize === 2 ? 14 : 28
}

function writeEnv(c: CpuState, a: number): void {
  const w = c.opSize === 2 ? 2 : 4
  const real = c.mode === Mode.Real
  const fill = w === 4 ? 0xffff0000 | 0 : 0
  wr(c, a, w, c.fpCw | fill, 0)
  wr(c, a + w, w, fsw(c) | fill, 0)
  wr(c, a + 2 * w, w, fullTag(c) | fill, 0)
  const ip = c.fpIp >>> 0, dp = c.fpDp >>> 0, fop = c.fpOp & 0x7ff
  if (real) {
    wr(c, a + 3 * w, w, (ip & 0xffff) | fill, 0)
    wr(c, a + 4 * w, w, w === 4 ? ((ip >>> 16) << 12) | fop : (((ip >>> 16) & 0xf) << 12) | fop, 0)
    wr(c, a + 5 * w, w, (dp & 0xffff) | fill, 0)
    wr(c, a + 6 * w, w, w === 4 ? (dp >>> 16) << 12 : ((dp >>> 16) & 0xf) << 12, 0)
  } else {
    wr(c, a + 3 * w, w, ip, 0)
    wr(c, a + 4 * w, w, w === 4 ? fop << 16 : 0, 0)
    wr(c, a + 5 * w, w, dp, 0)
    wr(c, a + 6 * w, w, fill, 0)
  }
}

function readEnv(c: CpuState, a: number): void {
  const w = c.opSize === 2 ? 2 : 4
  const cw = rd(c, a, 2), sw = rd(c, a + w, 2), tw = rd(c, a + 2 * w, 2)
  c.fpCw = (cw & 0x1f3f) | 0x40
  c.fpTop = (sw >> 11) & 7
  c.fpSw = sw & ~0x3800 & 0xffff
  c.fpTag = abridgedFromFull(tw)
  if (c.mode !== Mode.Real && w === 4) {
    c.fpIp = rd(c, a + 12, 4)
    c.fpOp = (rd(c, a + 16, 4) >>> 16) & 0x7ff
    c.fpDp = rd(c, a + 20, 4)
  }
  updateSummary(c)
}

/** FNSTENV: store the environment, then mask all exceptions (as the instruction does). */
export function fnstenv(c: CpuState): void {
  const n = envSize(c)
  const a = ea(c, n, true)
  probeWrite(c, a, 1); probeWrite(c, a + n - 1, 1)
  writeEnv(c, a)
  c.fpCw |= 0x3f
  updateSummary(c)
}

export function fldenv(c: CpuState): void {
  readEnv(c, ea(c, envSize(c), false))
}

/** FNSAVE: environment plus ST(0)..ST(7), then the FNINIT state. */
export function fnsave(c: CpuState): void {
  const n = envSize(c)
  const a = ea(c, n + 80, true)
  probeWrite(c, a, 1); probeWrite(c, a + n + 79, 1)
  writeEnv(c, a)
  for (let i = 0; i < 8; i++) {
    const v = readPhys(c, phys(c, i))
    const o = a + n + i * 10
    wr(c, o, 4, v.lo | 0, 0)
    wr(c, o + 4, 4, v.hi | 0, 0)
    wr(c, o + 8, 2, v.se, 0)
  }
  fninit(c)
}

export function frstor(c: CpuState): void {
  const n = envSize(c)
  const a = ea(c, n + 80, false)
  const regs: { se: number; hi: number; lo: number }[] = []
  for (let i = 0; i < 8; i++) {
    const o = a + n + i * 10
    regs.push({ lo: rd(c, o, 4) >>> 0, hi: rd(c, o + 4, 4) >>> 0, se: rd(c, o + 8, 2) & 0xffff })
  }
  readEnv(c, a)
  for (let i = 0; i < 8; i++) writePhys(c, phys(c, i), regs[i])
}
