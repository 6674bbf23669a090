/**
 * Differential test of the x64 interpreter against the host CPU: thousands of generated
 * single-instruction cases (see forms-*.ts) run natively through a gcc-built harness and
 * in the emulator (long mode, run(1)), comparing GPRs, RIP, defined flags, XMM/MXCSR,
 * memory and faults. Prints a per-group summary and every mismatch as a readable diff.
 * X64_DIFF_PER_FORM / X64_DIFF_SEED / X64_DIFF_FILTER (regex on form names) tune a run.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { DiffCase } from './case-builder'
import { compareCase, type Mismatch } from './compare'
import { createX64Cpu, nativeCpuid } from '../../../../core/x64/index'
import { EmulatorEnv } from './emulator-env'
import { advertises, type CpuidFn } from './form'
import { allForms } from './forms'
import { generateCases } from './generate'
import { runNative } from './native-runner'
import type { NativeResult } from './machine-state'

/** How often the host raised each x87 exception flag (newly set in FSW) over the x87 cases: evidence the generator reaches them. */
function x87Coverage(cases: readonly DiffCase[], native: readonly NativeResult[]): string[] {
  const names = ['IE', 'DE', 'ZE', 'OE', 'UE', 'PE', 'SF']
  const counts = names.map(() => 0)
  let n = 0
  cases.forEach((c, i) => {
    if (!c.x87 || native[i].status !== 0) return
    n++
    const before = c.input.x87[2], after = native[i].x87[2]
    names.forEach((_, b) => { if ((after & ~before & (1 << b)) !== 0) counts[b]++ })
  })
  return n ? [`  x87 flags newly raised by the host over ${n} cases: ${names.map((f, b) => `${f} ${counts[b]}`).join(', ')}`] : []
}

function hostIsX64WithGcc(): boolean {
  if (process.arch !== 'x64' || process.platform !== 'linux') return false
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const cpuid: CpuidFn = (leaf, subleaf) => {
  const out = new Uint32Array(4)
  nativeCpuid(leaf, subleaf, out)
  return [...out]
}

const perForm = Number(process.env.X64_DIFF_PER_FORM ?? 10)
const seed = Number(process.env.X64_DIFF_SEED ?? 1)
const filter = process.env.X64_DIFF_FILTER ? new RegExp(process.env.X64_DIFF_FILTER) : undefined

describe.runIf(hostIsX64WithGcc())('x64 differential (host CPU vs emulator)', () => {
  // Forms needing a feature the emulated CPU does not advertise (POPCNT, LZCNT, TZCNT) are skipped.
  const forms = allForms().filter((f) => (!filter || filter.test(f.name)) && (!f.feature || advertises(cpuid, f.feature)))
  const cases: DiffCase[] = generateCases(forms, perForm, seed)
  const native = runNative(cases)

  it('native harness ran every case', () => {
    expect(native.length).toBe(cases.length)
    expect(cases.length).toBeGreaterThan(filter ? 0 : 3000)
    // Only divides and misaligned CMPXCHG16B are generated to fault.
    const faulting = new Set(cases.filter((_, i) => native[i].status !== 0).map((c) => c.form.split(' ')[0]))
    for (const f of faulting) expect(['div', 'idiv', 'cmpxchg16b']).toContain(f)
    for (const r of native) expect(r.code.length).toBeGreaterThan(0)
  })

  // Every case runs through both tiers of the decode cache: generated blocks (threshold 1: compiled
  // on first execution) and record blocks (the default threshold; a case never gets hot).
  it.each([
    { tier: 'generated blocks', blockThreshold: 1 },
    { tier: 'record blocks', blockThreshold: undefined },
  ])('emulator matches the host CPU ($tier)', ({ tier, blockThreshold }) => {
    const env = new EmulatorEnv((m) => createX64Cpu(m, { blockThreshold }))
    const mismatches: Mismatch[] = []
    const byGroup = new Map<string, { forms: Set<string>; cases: number; bad: number }>()
    const badForms = new Map<string, number>()
    cases.forEach((c, i) => {
      const m = compareCase(c, native[i], env.run(c, native[i].code, c.asm.includes('[rip') || c.sequence ? native[i].addr : undefined))
      const g = byGroup.get(c.group) ?? { forms: new Set<string>(), cases: 0, bad: 0 }
      g.forms.add(c.form)
      g.cases++
      if (m) {
        g.bad++
        mismatches.push(m)
        badForms.set(c.form, (badForms.get(c.form) ?? 0) + 1)
      }
      byGroup.set(c.group, g)
    })
    const summary = [`x64-diff (${tier}): ${forms.length} forms, ${cases.length} cases, ${mismatches.length} mismatches (seed ${seed})`]
    for (const [name, g] of byGroup) summary.push(`  ${name.padEnd(8)} ${String(g.forms.size).padStart(4)} forms ${String(g.cases).padStart(6)} cases ${String(g.bad).padStart(5)} mismatched`)
    summary.push(...x87Coverage(cases, native))
    const bad = [...badForms].map(([f, n]) => `${f} (${n})`)
    if (bad.length) summary.push(`  mismatching forms: ${bad.slice(0, 60).join(', ')}${bad.length > 60 ? `, … ${bad.length - 60} more` : ''}`)
    // Show at most three examples per form (and 80 in all) so one broken instruction does not
    // drown the rest; the full list goes to a file.
    const shown = new Map<string, number>()
    let printed = 0
    for (const m of mismatches) {
      const k = shown.get(m.c.form) ?? 0
      if (k < 3 && printed < 80) {
        summary.push(...m.lines)
        printed++
      }
      shown.set(m.c.form, k + 1)
    }
    if (mismatches.length) {
      const file = join(tmpdir(), `x64-diff-report-seed${seed}.txt`)
      writeFileSync(file, mismatches.map((m) => m.lines.join('\n')).join('\n') + '\n')
      summary.push(`x64-diff: all ${mismatches.length} mismatches written to ${file}`)
    }
    console.log(summary.join('\n'))
    expect(mismatches.length, `${mismatches.length} of ${cases.length} cases differ from the host CPU (see the log above)`).toBe(0)
  })
})
