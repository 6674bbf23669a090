/**
 * Data movement and flag forms: MOV (reg/mem/imm, MOVABS imm64), MOVZX/MOVSX/MOVSXD,
 * CMOVcc and SETcc for all 16 conditions, XCHG/XADD/CMPXCHG/CMPXCHG8B/CMPXCHG16B,
 * CBW/CWDE/CDQE/CWD/CDQ/CQO, LAHF/SAHF, CLC/STC/CMC/CLD/STD and LEA with 64- and 32-bit
 * address sizes (SDM vol. 2 pages of each; CMOVcc with a 32-bit operand zero-extends the
 * destination even when the condition is false).
 */
import { R32, R64, type CaseBuilder } from './case-builder'
import { CONDITIONS, hex, immFor, WIDTHS, type Form } from './form'
import { STATUS_FLAGS } from './layout'

function legacy(c: CaseBuilder, w: number): void {
  c.legacy8 = w === 8 && c.rng.chance(0.3)
}

function movForms(): Form[] {
  const forms: Form[] = []
  for (const w of WIDTHS) {
    forms.push({ name: `mov r${w}, r${w}`, group: 'move', count: 6, build: (c) => { legacy(c, w); const a = c.reg(w); return `mov ${a.name}, ${c.reg(w).name}` } })
    forms.push({ name: `mov r${w}, m${w}`, group: 'move', count: 6, build: (c) => { legacy(c, w); const a = c.reg(w); return `mov ${a.name}, ${c.mem(w)}` } })
    forms.push({ name: `mov m${w}, r${w}`, group: 'move', count: 6, build: (c) => { legacy(c, w); const a = c.reg(w); return `mov ${c.mem(w)}, ${a.name}` } })
    forms.push({ name: `mov r${w}, imm`, group: 'move', count: 6, build: (c) => { legacy(c, w); return `mov ${c.reg(w).name}, ${hex(immFor(c, w))}` } })
    forms.push({ name: `mov m${w}, imm`, group: 'move', count: 6, build: (c) => `mov ${c.mem(w)}, ${hex(immFor(c, w))}` })
  }
  forms.push({ name: 'movabs r64, imm64', group: 'move', count: 6, build: (c) => `movabs ${c.reg(64).name}, ${hex(c.value(64))}` })
  for (const op of ['movzx', 'movsx'] as const) {
    for (const [dw, sw] of [[16, 8], [32, 8], [64, 8], [32, 16], [64, 16]] as const) {
      forms.push({ name: `${op} r${dw}, r${sw}`, group: 'move', count: 6, build: (c) => { const d = c.reg(dw); return `${op} ${d.name}, ${c.reg(sw).name}` } })
      forms.push({ name: `${op} r${dw}, m${sw}`, group: 'move', count: 6, build: (c) => { const d = c.reg(dw); return `${op} ${d.name}, ${c.mem(sw)}` } })
    }
  }
  forms.push({ name: 'movsxd r64, r32', group: 'move', count: 6, build: (c) => { const d = c.reg(64); return `movsxd ${d.name}, ${c.reg(32).name}` } })
  forms.push({ name: 'movsxd r64, m32', group: 'move', count: 6, build: (c) => { const d = c.reg(64); return `movsxd ${d.name}, ${c.mem(32)}` } })
  return forms
}

function conditionForms(): Form[] {
  const forms: Form[] = []
  CONDITIONS.forEach((cc) => {
    for (const w of [16, 32, 64] as const) {
      forms.push({ name: `cmov${cc} r${w}, r/m${w}`, group: 'cond', count: 8, build: (c) => { const d = c.reg(w); return `cmov${cc} ${d.name}, ${c.rng.chance(0.5) ? c.mem(w) : c.reg(w).name}` } })
    }
    forms.push({ name: `set${cc} r/m8`, group: 'cond', count: 8, build: (c) => { legacy(c, 8); return `set${cc} ${c.rng.chance(0.5) ? c.mem(8) : c.reg(8).name}` } })
  })
  return forms
}

function exchangeForms(): Form[] {
  const forms: Form[] = []
  for (const w of WIDTHS) {
    forms.push({ name: `xchg r${w}, r${w}`, group: 'xchg', count: 6, build: (c) => { legacy(c, w); const a = c.reg(w); return `xchg ${a.name}, ${c.reg(w).name}` } })
    forms.push({ name: `xchg m${w}, r${w}`, group: 'xchg', count: 6, build: (c) => { legacy(c, w); const a = c.reg(w); return `xchg ${c.mem(w)}, ${a.name}` } })
    forms.push({ name: `xadd r${w}, r${w}`, group: 'xchg', build: (c) => { legacy(c, w); const a = c.reg(w); return `xadd ${a.name}, ${c.reg(w).name}` } })
    forms.push({ name: `xadd m${w}, r${w}`, group: 'xchg', build: (c) => { legacy(c, w); const a = c.reg(w); return `${c.rng.chance(0.3) ? 'lock ' : ''}xadd ${c.mem(w)}, ${a.name}` } })
    for (const mem of [false, true]) {
      forms.push({
        name: `cmpxchg ${mem ? 'm' : 'r'}${w}, r${w}`, group: 'xchg',
        build: (c) => {
          c.claim(0)
          legacy(c, w)
          const s = c.reg(w)
          let d: string
          if (mem) {
            d = c.mem(w)
            if (c.rng.chance(0.5)) c.setLow(0, w, c.peek(c.lastAddr, w / 8))
          } else {
            const r = c.reg(w)
            d = r.name
            if (c.rng.chance(0.5) && r.n < 16) c.setLow(0, w, c.input.regs[r.n])
          }
          return `${mem && c.rng.chance(0.3) ? 'lock ' : ''}cmpxchg ${d}, ${s.name}`
        },
      })
    }
  }
  for (const wide of [false, true]) {
    forms.push({
      name: wide ? 'cmpxchg16b m128' : 'cmpxchg8b m64', group: 'xchg', count: 16,
      build: (c) => {
        for (const n of [0, 1, 2, 3]) c.claim(n)
        const bytes = wide ? 16 : 8
        // CMPXCHG16B needs a 16-byte aligned operand (#GP otherwise); a few cases test that.
        const m = c.mem(wide ? 128 : 64, wide && c.rng.chance(0.85) ? 16 : 1, bytes)
        const half = bytes * 4
        if (c.rng.chance(0.5)) {
          c.setLow(0, half as 32, c.peek(c.lastAddr, bytes / 2))
          c.setLow(2, half as 32, c.peek(c.lastAddr + bytes / 2, bytes / 2))
        }
        return `${c.rng.chance(0.3) ? 'lock ' : ''}${wide ? 'cmpxchg16b xmmword ptr' : 'cmpxchg8b qword ptr'} ${m.replace(/^\S+ ptr /, '')}`
      },
    })
  }
  return forms
}

function flagAndConvertForms(): Form[] {
  const forms: Form[] = []
  for (const op of ['cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo'] as const) {
    forms.push({ name: op, group: 'convert', count: 8, build: (c) => { c.setLow(0, 64, c.value(64)); return op } })
  }
  for (const op of ['lahf', 'sahf', 'clc', 'stc', 'cmc', 'cld', 'std'] as const) {
    forms.push({
      name: op, group: 'flags', count: 8,
      build: (c) => {
        if (op === 'sahf') c.setLow(0, 16, BigInt(c.rng.u32() & 0xffff))
        if (op === 'cld') c.setFlag(0x400, true)
        c.input.rflags = (c.input.rflags & ~BigInt(STATUS_FLAGS)) | BigInt(c.rng.u32() & STATUS_FLAGS)
        return op
      },
    })
  }
  return forms
}

function leaForms(): Form[] {
  const forms: Form[] = []
  for (const w of [16, 32, 64] as const) {
    for (const addr of [32, 64] as const) {
      forms.push({
        name: `lea r${w}, [a${addr}]`, group: 'lea',
        build: (c) => {
          const d = c.reg(w)
          const names = addr === 64 ? R64 : R32
          const b = c.reg(64)
          const parts: string[] = [names[b.n]]
          if (c.rng.chance(0.6)) {
            const i = c.reg(64)
            parts.push(`${names[i.n]}*${c.rng.pick([1, 2, 4, 8])}`)
          }
          const disp = c.rng.chance(0.7) ? c.immSigned(32) : 0n
          return `lea ${d.name}, [${parts.join('+')}${disp < 0n ? '-' : '+'}${hex(disp < 0n ? -disp : disp)}]`
        },
      })
    }
  }
  return forms
}

export function moveForms(): Form[] {
  return [...movForms(), ...conditionForms(), ...exchangeForms(), ...flagAndConvertForms(), ...leaForms()]
}
