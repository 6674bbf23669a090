/**
 * String and stack forms: MOVS/STOS/LODS/CMPS/SCAS at every element size, without REP and
 * with REP/REPE/REPNE, forward and backward (DF); PUSH/POP of registers, memory and
 * immediates at 16 and 64 bits (including PUSH RSP / POP RSP and POP into an RSP-relative
 * operand, SDM vol. 2 "POP"); ENTER with nesting levels and LEAVE.
 */
import { PTR } from './case-builder'
import { hex, type Form } from './form'
import { DATA_HI, DATA_LO, FLAG, STACK_TOP, STATUS_FLAGS, WIN_BASE } from './layout'

const SUFFIX = { 8: 'b', 16: 'w', 32: 'd', 64: 'q' } as const

export function stringForms(): Form[] {
  const forms: Form[] = []
  const ops = [
    { op: 'movs', reps: ['', 'rep '] },
    { op: 'stos', reps: ['', 'rep '] },
    { op: 'lods', reps: ['', 'rep '] },
    { op: 'cmps', reps: ['', 'repe ', 'repne '] },
    { op: 'scas', reps: ['', 'repe ', 'repne '] },
  ]
  for (const { op, reps } of ops) {
    for (const w of [8, 16, 32, 64] as const) {
      for (const rep of reps) for (const a32 of [false, true]) {
        forms.push({
          name: `${rep}${op}${SUFFIX[w]}${a32 ? ' a32' : ''}`, group: 'string', count: a32 ? 6 : 12,
          build: (c) => {
            for (const n of [0, 1, 6, 7]) c.claim(n)
            const back = c.randomDirection()
            const bytes = w / 8
            // 40 and 100 elements cross the window's page boundary at some sizes (whole-page runs in exec-string.ts)
            const count = rep ? c.rng.pick([0, 1, 2, 3, 5, 8, 13, 16, 40, 100]) : 1
            const span = Math.max(count, 1) * bytes
            const pick = (): number => (back ? DATA_HI - bytes - c.rng.below(0x80) : DATA_LO + c.rng.below(0x80))
            const src = pick()
            let dst = pick()
            if (op === 'movs' && c.rng.chance(0.2)) dst = src + (back ? -1 : 1) * c.rng.pick([1, bytes, 2 * bytes]) // overlapping copy
            // With a 32-bit address size only ESI/EDI/ECX count: keep random upper halves.
            const upper = (n: number): bigint => (a32 ? c.input.regs[n] & ~0xffffffffn : 0n)
            c.setReg(6, upper(6) | BigInt(src))
            c.setReg(7, upper(7) | BigInt(dst))
            c.setReg(1, upper(1) | BigInt(count))
            if (op === 'cmps' || op === 'scas') {
              // Make runs of equal elements so REPE/REPNE stop at interesting places.
              const base = back ? dst - span + bytes : dst
              const from = back ? src - span + bytes : src
              for (let i = 0; i < span; i++) {
                if (c.rng.chance(0.7)) c.input.mem[base - WIN_BASE + i] = op === 'cmps' ? c.input.mem[from - WIN_BASE + i] : Number((c.input.regs[0] >> BigInt(8 * (i % bytes))) & 0xffn)
              }
            }
            if (!a32) return `${rep}${op}${SUFFIX[w]}`
            const p = PTR[w]
            const operands = {
              movs: `${p} [edi], ${p} [esi]`, stos: `${p} [edi]`, lods: `${p} [esi]`, cmps: `${p} [esi], ${p} [edi]`, scas: `${p} [edi]`,
            }[op]
            return `${rep}${op} ${operands}`
          },
        })
      }
    }
  }
  return forms
}

export function stackForms(): Form[] {
  const forms: Form[] = []
  const sp = (c: { rng: { below(n: number): number }; setReg(n: number, v: bigint): void }): void => c.setReg(4, BigInt(STACK_TOP - 8 * c.rng.below(16)))
  forms.push({ name: 'push r64', group: 'stack', build: (c) => { sp(c); return `push ${c.reg(64).name}` } })
  forms.push({ name: 'push r16', group: 'stack', build: (c) => { sp(c); return `push ${c.reg(16).name}` } })
  forms.push({ name: 'push rsp', group: 'stack', count: 4, build: (c) => { sp(c); return 'push rsp' } })
  forms.push({ name: 'push imm', group: 'stack', build: (c) => { sp(c); return `push ${hex(c.rng.chance(0.5) ? c.immSigned(8) : c.immSigned(32))}` } })
  forms.push({ name: 'push m64', group: 'stack', build: (c) => { sp(c); return `push ${c.mem(64)}` } })
  forms.push({ name: 'push m16', group: 'stack', build: (c) => { sp(c); return `push ${c.mem(16)}` } })
  forms.push({ name: 'pop r64', group: 'stack', build: (c) => { sp(c); return `pop ${c.reg(64).name}` } })
  forms.push({ name: 'pop r16', group: 'stack', build: (c) => { sp(c); return `pop ${c.reg(16).name}` } })
  forms.push({ name: 'pop rsp', group: 'stack', count: 4, build: (c) => { sp(c); return 'pop rsp' } })
  forms.push({ name: 'pop m64', group: 'stack', build: (c) => { sp(c); return `pop ${c.mem(64)}` } })
  forms.push({ name: 'pop m16', group: 'stack', build: (c) => { sp(c); return `pop ${c.mem(16)}` } })
  forms.push({ name: 'pop [rsp+disp]', group: 'stack', count: 6, build: (c) => { sp(c); return `pop qword ptr [rsp+${8 * c.rng.below(4)}]` } })
  forms.push({ name: 'pushfq', group: 'stack', count: 6, build: (c) => { sp(c); return 'pushfq' } })
  forms.push({
    name: 'popfq', group: 'stack', count: 6,
    build: (c) => {
      sp(c)
      // Only status flags and DF: TF would trap and AC would arm alignment checks natively.
      c.poke(Number(c.input.regs[4]), 8, BigInt(c.rng.u32() & (STATUS_FLAGS | FLAG.DF)) | 2n)
      return 'popfq'
    },
  })
  forms.push({
    name: 'enter imm16, imm8', group: 'stack',
    build: (c) => {
      sp(c)
      c.claim(5)
      c.setReg(5, BigInt(STACK_TOP - 0x40 + 8 * c.rng.below(8)))
      return `enter ${c.rng.pick([0, 8, 16, 24, 0x28])}, ${c.rng.pick([0, 0, 1, 2, 3, 4])}`
    },
  })
  forms.push({
    name: 'leave', group: 'stack',
    build: (c) => { c.claim(5); c.setReg(5, BigInt(STACK_TOP - 8 * c.rng.below(24))); return 'leave' },
  })
  return forms
}
