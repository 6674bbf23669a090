/**
 * Runs cases on the host CPU: writes the generated assembly and the C driver into a temp
 * dir, builds them with one gcc invocation, runs the binary once over all input records
 * and parses the output records. Nothing built here is kept.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DiffCase } from './case-builder'
import { harnessAsm, harnessC } from './native-harness'
import {
  CODE_MAX, IN_GPR, IN_MEM, IN_MXCSR, IN_RFLAGS, IN_SIZE, IN_X87, IN_XMM, OUT_CODE, OUT_GPR, OUT_LEN, OUT_MEM, OUT_MXCSR,
  OUT_RFLAGS, OUT_SIZE, OUT_STATUS, OUT_X87, OUT_XMM, WIN_BASE, WIN_SIZE, X87_BYTES,
} from './layout'
import { readU64s, writeU64s, type NativeResult } from './machine-state'

export function encodeInputs(cases: readonly DiffCase[]): Uint8Array {
  const buf = new Uint8Array(cases.length * IN_SIZE)
  const view = new DataView(buf.buffer)
  cases.forEach((c, i) => {
    const o = i * IN_SIZE
    writeU64s(view, o + IN_GPR, c.input.regs)
    view.setBigUint64(o + IN_RFLAGS, c.input.rflags, true)
    view.setUint32(o + IN_MXCSR, c.input.mxcsr, true)
    writeU64s(view, o + IN_XMM, c.input.xmm)
    buf.set(c.input.mem, o + IN_MEM)
    buf.set(c.input.x87, o + IN_X87)
  })
  return buf
}

export function decodeOutputs(buf: Uint8Array, count: number): NativeResult[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const out: NativeResult[] = []
  for (let i = 0; i < count; i++) {
    const o = i * OUT_SIZE
    const len = view.getUint32(o + OUT_LEN, true)
    out.push({
      status: view.getUint32(o + OUT_STATUS, true),
      code: buf.slice(o + OUT_CODE, o + OUT_CODE + Math.min(len, CODE_MAX)),
      regs: readU64s(view, o + OUT_GPR, 16),
      rflags: view.getBigUint64(o + OUT_RFLAGS, true),
      mxcsr: view.getUint32(o + OUT_MXCSR, true),
      xmm: readU64s(view, o + OUT_XMM, 32),
      mem: buf.slice(o + OUT_MEM, o + OUT_MEM + WIN_SIZE),
      x87: buf.slice(o + OUT_X87, o + OUT_X87 + X87_BYTES),
    })
  }
  return out
}

/** Assemble, build and run all cases natively. Throws with the assembler's message on a bad form. */
export function runNative(cases: readonly DiffCase[]): NativeResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'x64-diff-'))
  try {
    writeFileSync(join(dir, 'cases.S'), harnessAsm(cases.map((c) => c.asm)))
    writeFileSync(join(dir, 'driver.c'), harnessC())
    writeFileSync(join(dir, 'input.bin'), encodeInputs(cases))
    try {
      execFileSync('gcc', ['-O1', '-no-pie', `-Wl,--defsym=hx_win=0x${WIN_BASE.toString(16)}`, '-o', join(dir, 'runner'), join(dir, 'driver.c'), join(dir, 'cases.S')], { stdio: 'pipe' })
    } catch (e) {
      const msg = String((e as { stderr?: Buffer }).stderr ?? e)
      throw new Error(`gcc failed:\n${msg.split('\n').slice(0, 20).join('\n')}`)
    }
    execFileSync(join(dir, 'runner'), [join(dir, 'input.bin'), join(dir, 'output.bin')], { stdio: 'pipe' })
    const out = decodeOutputs(readFileSync(join(dir, 'output.bin')), cases.length)
    // native addresses of the cases (for RIP-relative operands), from the symbol table
    const nm = execFileSync('nm', [join(dir, 'runner')], { encoding: 'latin1', maxBuffer: 64 << 20 })
    for (const m of nm.matchAll(/^([0-9a-f]+) [tT] hx_case_(\d+)$/gm)) {
      const r = out[Number(m[2])]
      if (r) r.addr = parseInt(m[1], 16)
    }
    return out
  } finally {
    if (!process.env.X64_DIFF_KEEP) rmSync(dir, { recursive: true, force: true })
    else console.log(`x64-diff: kept ${dir}`)
  }
}
