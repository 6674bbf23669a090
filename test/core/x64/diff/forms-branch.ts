/**
 * Control-flow forms: short sequences whose outcome shows up in R15 (or RCX/RSP/memory).
 * Jcc for all 16 conditions (rel8 forward and backward, rel32 via a filler), JMP rel8/rel32,
 * LOOP/LOOPE/LOOPNE and JRCXZ/JECXZ with 64- and 32-bit address size (SDM vol. 2 "Jcc",
 * "LOOP/LOOPcc": the count register is RCX or ECX per the address size, and LOOPcc tests
 * ZF without changing any flag), CALL rel32 (pushed return address) and RET / RET imm16.
 * Each case is a sequence (`CaseBuilder.sequence`), run to its end label on both sides.
 */
import type { CaseBuilder } from './case-builder'
import { CONDITIONS, type Form } from './form'

/** Filler that pushes the branch target beyond rel8 reach, so gas picks the rel32 encoding. */
const FAR = '.nops 140'

/** RCX edges for LOOP/JRCXZ: 0, 1, 2 and values whose low 32 bits are 0 or 1 but not RCX. */
function countValue(c: CaseBuilder): bigint {
  // 1 and 2^32+1 twice: they are what makes LOOP fall through (RCX or ECX reaching 0).
  return c.rng.pick([0n, 1n, 1n, 2n, 1n << 32n, (1n << 32n) + 1n, (1n << 32n) + 1n, 0xffff_ffffn, 0xffff_ffff_ffff_ffffn, c.value(64)])
}

function seq(c: CaseBuilder): void {
  c.sequence = true
  c.claim(15)
}

function jumpForms(): Form[] {
  const forms: Form[] = []
  for (const cc of CONDITIONS) {
    forms.push({ name: `j${cc} rel8`, group: 'branch', count: 8, build: (c) => { seq(c); return `j${cc} 1f; inc r15; 1:` } })
    forms.push({ name: `j${cc} rel8 back`, group: 'branch', count: 6, build: (c) => { seq(c); return `jmp 2f; 1: inc r15; jmp 3f; 2: j${cc} 1b; 3:` } })
    forms.push({ name: `j${cc} rel32`, group: 'branch', count: 6, build: (c) => { seq(c); return `j${cc} 1f; inc r15; ${FAR}; 1:` } })
  }
  forms.push({ name: 'jmp rel8', group: 'branch', count: 2, build: (c) => { seq(c); return 'jmp 1f; inc r15; 1:' } })
  forms.push({ name: 'jmp rel32', group: 'branch', count: 2, build: (c) => { seq(c); return `jmp 1f; inc r15; ${FAR}; 1:` } })
  return forms
}

function loopForms(): Form[] {
  const forms: Form[] = []
  for (const op of ['loop', 'loope', 'loopne', 'jrcxz', 'jecxz'] as const) {
    const a32Variants = op === 'jrcxz' || op === 'jecxz' ? [false] : [false, true]
    for (const a32 of a32Variants) {
      forms.push({
        name: `${op}${a32 ? ' a32' : ''}`, group: 'branch', count: 16,
        build: (c) => {
          seq(c)
          c.claim(1)
          c.setReg(1, countValue(c))
          return `${a32 ? 'addr32 ' : ''}${op} 1f; inc r15; 1:`
        },
      })
    }
  }
  // LOOP taken backwards several times: R15 counts the iterations (RCX small so it ends).
  forms.push({
    name: 'loop back', group: 'branch', count: 6,
    build: (c) => {
      seq(c)
      c.claim(1)
      c.setReg(1, BigInt(1 + c.rng.below(6)))
      return '1: inc r15; loop 1b'
    },
  })
  return forms
}

function callRetForms(): Form[] {
  return [
    // The pushed return address is the native address of `1:`; the emulator runs the case there too.
    { name: 'call rel32', group: 'branch', count: 4, build: (c) => { seq(c); return 'call 1f; 1: pop r15' } },
    { name: 'call rel32 far', group: 'branch', count: 2, build: (c) => { seq(c); return `call 1f; ${FAR}; 1: pop r15` } },
    { name: 'ret', group: 'branch', count: 4, build: (c) => { seq(c); return 'lea r15, [rip+1f]; push r15; ret; inc r15; 1:' } },
    {
      name: 'ret imm16', group: 'branch', count: 4,
      build: (c) => {
        seq(c)
        const n = c.rng.pick([0, 8, 16, 0x40])
        return `lea r15, [rip+1f]; sub rsp, ${n}; push r15; ret ${n}; inc r15; 1:`
      },
    },
  ]
}

export function branchForms(): Form[] {
  return [...jumpForms(), ...loopForms(), ...callRetForms()]
}
