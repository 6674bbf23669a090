/**
 * Checks the native harness itself against independently computed results, so that the
 * differential test's reference side is known to load and store registers, flags,
 * memory and the stack correctly and to turn faults into statuses.
 */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { CaseBuilder, mask, type DiffCase } from './case-builder'
import { FLAG, WIN_BASE } from './layout'
import { runNative } from './native-runner'
import { Prng } from './prng'

function canRun(): boolean {
  if (process.arch !== 'x64' || process.platform !== 'linux') return false
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function make(seed: number, build: (c: CaseBuilder) => string): { c: CaseBuilder; d: DiffCase } {
  const c = new CaseBuilder(new Prng(seed))
  const asm = build(c)
  return { c, d: { id: seed, form: asm, group: 't', asm, input: c.input, undefinedFlags: 0, ignoreRegs: [] } }
}

describe.runIf(canRun())('native differential harness', () => {
  it('computes ADD, MOV to memory, PUSH, STD and #DE as the architecture says', () => {
    const adds = Array.from({ length: 50 }, (_, i) => {
      let a = 0
      let b = 0
      const r = make(100 + i, (c) => { const x = c.reg(64); const y = c.reg(64); a = x.n; b = y.n; return `add ${x.name}, ${y.name}` })
      return { ...r, a, b }
    })
    let stored = 0
    const mov = make(7, (c) => { const x = c.reg(64); stored = x.n; return `mov ${c.mem(64)}, ${x.name}` })
    const push = make(8, (c) => { c.setReg(0, 0x1122334455667788n); return 'push rax' })
    const std = make(9, () => 'std')
    const div0 = make(10, (c) => { c.claim(0); c.claim(2); return `div ${c.reg(32, 0n).name}` })
    const toGpr = make(11, () => 'movq rax, xmm3')
    const toXmm = make(12, (c) => { c.setReg(1, 0xfedcba9876543210n); return 'movq xmm14, rcx' })
    const mx = make(13, (c) => { c.input.mxcsr = 0x7f80; return 'stmxcsr dword ptr [rsp-16]' })
    const all = [...adds.map((x) => x.d), mov.d, push.d, std.d, div0.d, toGpr.d, toXmm.d, mx.d]
    const out = runNative(all)

    adds.forEach(({ c, a, b }, i) => {
      const va = c.input.regs[a]
      const vb = c.input.regs[b]
      const sum = va + vb
      expect(out[i].status).toBe(0)
      expect(out[i].regs[a]).toBe(sum & mask(64))
      expect(out[i].regs[b]).toBe(vb)
      expect((out[i].rflags & BigInt(FLAG.CF)) !== 0n).toBe(sum > mask(64))
      expect((out[i].rflags & BigInt(FLAG.ZF)) !== 0n).toBe((sum & mask(64)) === 0n)
    })
    const m = out[adds.length]
    const off = mov.c.lastAddr - WIN_BASE
    const bytes = new DataView(m.mem.buffer, m.mem.byteOffset).getBigUint64(off, true)
    expect(bytes).toBe(mov.c.input.regs[stored])

    const p = out[adds.length + 1]
    const rsp = push.c.input.regs[4] - 8n
    expect(p.regs[4]).toBe(rsp)
    expect(new DataView(p.mem.buffer, p.mem.byteOffset).getBigUint64(Number(rsp) - WIN_BASE, true)).toBe(0x1122334455667788n)

    expect(out[adds.length + 2].rflags & BigInt(FLAG.DF)).toBe(BigInt(FLAG.DF))
    expect(out[adds.length + 3].status).toBe(8) // SIGFPE
    expect(out[adds.length + 3].code).toBeInstanceOf(Uint8Array)
    expect(out[adds.length + 4].regs[0]).toBe(toGpr.c.input.xmm[6])
    expect(out[adds.length + 5].xmm.slice(28, 30)).toEqual([0xfedcba9876543210n, 0n])
    const m2 = out[adds.length + 6]
    const at = Number(mx.c.input.regs[4]) - 16 - WIN_BASE
    expect(new DataView(m2.mem.buffer, m2.mem.byteOffset).getUint32(at, true)).toBe(0x7f80)
    expect(m2.mxcsr).toBe(0x7f80)
  })
})
