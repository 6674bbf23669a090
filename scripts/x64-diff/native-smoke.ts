/**
 * Developer entry point: generate the differential cases and run them natively only,
 * printing per-group counts and a few sample results. Run with
 * `npx esbuild scripts/x64-diff/native-smoke.ts --bundle --platform=node --format=esm --outfile=/tmp/x64-smoke.mjs && node /tmp/x64-smoke.mjs`.
 */
import { allForms } from '../../test/core/x64/diff/forms'
import { generateCases } from '../../test/core/x64/diff/generate'
import { runNative } from '../../test/core/x64/diff/native-runner'

const t0 = Date.now()
const forms = allForms()
const cases = generateCases(forms, Number(process.env.X64_DIFF_PER_FORM ?? 8), 1)
const t1 = Date.now()
const results = runNative(cases)
const t2 = Date.now()
const faults = results.filter((r) => r.status !== 0).length
console.log(`${forms.length} forms, ${cases.length} cases; generate ${t1 - t0} ms, native ${t2 - t1} ms, ${faults} faulted`)
for (const i of [0, 1, Math.floor(cases.length / 2), cases.length - 1]) {
  const r = results[i]
  console.log(cases[i].asm, '→ status', r.status, 'bytes', Buffer.from(r.code).toString('hex'), 'rflags', r.rflags.toString(16))
}
