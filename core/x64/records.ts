/**
 * The record tier: how a cold entry of the decode cache runs until it is hot enough for
 * compile-block.ts to generate source for it. A block's instructions are decoded once into
 * fixed-size integer records, laid out one after another in one shared Int32Array
 * (`CpuState.recs`), and run-records.ts executes them with one switch.
 *
 * Why not one closure per instruction: a kernel's boot runs most of its code a few hundred
 * to a few thousand times, spread over megabytes of text, so between two runs of a block
 * (a timer tick, a syscall path) the host's caches have forgotten it. A closure per
 * instruction costs a function object, a context and its captured values in scattered
 * heap lines, plus the block's arrays; a record is 32 contiguous bytes and the executor's
 * code stays cached because every block shares it (docs/linux.md, session 5).
 *
 * The inline forms (inline-decode.ts) are records the executor runs itself; any other
 * instruction that compile.ts can pre-decode is a CLOSURE record naming its closure.
 */
import type { CpuState, CodeBlock, CompiledInsn } from './cpu-state'
import { decodeInline, type Inline } from './inline-decode'
import { compileAt, compiledLength, compiledEndsStraightLine, compiledJumpTarget, INTERP } from './compile'
import { flushCode, inFetchWindow } from './code-cache'

/** Int32 words per record. */
export const REC = 8

/**
 * Record layout (words):
 * 0  kind | op << 8 | size << 12 | length << 16 | COND
 * 1  dst | src << 8                 (registers 0-15; 16-19 = AH CH DH BH; 255 = none)
 * 2  imm
 * 3  imm2 (MOV r64, imm64 high half) | branch target - ip | closure index
 * 4  displacement, or for a RIP-relative operand its address - ip
 * 5  memory: scale | RIP 4 | A32 8 | HAS 16 | base << 16 | index << 24 (255 = none); FS/GS in bits 12-15
 * 6  bytes loaded from the memory operand before the operation (0: none); for a Jcc or JMP,
 *    1 + the index of its target's record when the target is in this block (0: it is not)
 * 7  ip - block head
 */
export const enum R {
  ALU = 1, ALU_LD, CMP_MR, CMP_MI, SHIFT, CMPB, MOVZX, STB, LDB, MOV,
  MOVI, LD, ST, LEA, NOP, ALU8, ADC, IMUL, MOVSXD, SETCC,
  CMOV, CALL, RET, PUSH, POP, JMP, JCC, ROT, STI, NOT, INCDEC, CLOSURE,
}

/** Word 5 flags. */
export const MEM_RIP = 4
export const MEM_A32 = 8
/** The instruction accesses memory at the operand (LEA only computes it). */
export const MEM_HAS = 16
/** Word 0: the instruction tests condition `op` (Jcc, SETcc, CMOVcc). */
export const COND = 1 << 24
export const NONE = 255

const KINDS: Record<string, R> = {
  alu: R.ALU, alui: R.ALU, 'alu<m': R.ALU_LD, alum: R.CMP_MR, cmpmi: R.CMP_MI, shift: R.SHIFT, cmpb: R.CMPB,
  movzx: R.MOVZX, stb: R.STB, stbi: R.STB, ldb: R.LDB, mov: R.MOV, movi: R.MOVI, ld: R.LD, st: R.ST,
  lea: R.LEA, nop: R.NOP, alu8: R.ALU8, adc: R.ADC, imul: R.IMUL, movsxd: R.MOVSXD, setcc: R.SETCC,
  cmov: R.CMOV, call: R.CALL, ret: R.RET, push: R.PUSH, pop: R.POP, jmp: R.JMP, jcc: R.JCC,
  rot: R.ROT, sti: R.STI, not: R.NOT, incdec: R.INCDEC,
}

/** Bytes each kind reads from its memory operand before it runs (word 6). */
function loadSize(f: Inline): number {
  switch (f.kind) {
    case 'alu<m': case 'alum': case 'cmpmi': case 'ld': case 'imul': case 'movzx': return f.size
    case 'cmpb': case 'ldb': return 1
    case 'movsxd': return 4
    default: return 0
  }
}

/** Longest block (instructions), as for generated blocks. */
const MAX_BLOCK = 64
/** Most words the arena grows to (64 MiB); past it every cached block is dropped and it starts over. */
const ARENA_CAP = 1 << 24

/** Room for `n` more records: grow the arena, or start it over once it is full. */
function reserve(c: CpuState, n: number): void {
  const need = c.recTop + n * REC
  if (need <= c.recs.length) return
  if (need > ARENA_CAP) {
    flushCode(c)
    return
  }
  let len = c.recs.length
  while (len < need) len *= 2
  const grown = new Int32Array(Math.min(len, ARENA_CAP))
  grown.set(c.recs.subarray(0, c.recTop))
  c.recs = grown
}

/** Append one record for inline form `f` at `ip` (length `len`) of the block starting at `head`. */
function putInline(c: CpuState, f: Inline, ip: number, len: number, head: number): void {
  const A = c.recs, p = c.recTop
  const cond = f.kind === 'jcc' || f.kind === 'setcc' || f.kind === 'cmov'
  A[p] = KINDS[f.kind] | (f.op << 8) | (f.size << 12) | (len << 16) | (cond ? COND : 0)
  // MOV r64, imm64 keeps its high half in `src` (inline-decode.ts): word 3, not a register
  const movi = f.kind === 'movi'
  A[p + 1] = (f.dst & 255) | (((movi ? NONE : f.src) & 255) << 8)
  A[p + 2] = f.imm
  A[p + 3] = movi ? f.src : f.kind === 'call' || f.kind === 'jmp' || f.kind === 'jcc' ? f.target - ip : 0
  const m = f.m
  if (m === null) { A[p + 4] = 0; A[p + 5] = 0 } else {
    A[p + 4] = m.rip ? m.abs - ip : m.disp
    A[p + 5] = m.scale | (f.kind === 'lea' ? 0 : MEM_HAS) | (m.rip ? MEM_RIP : 0) | (m.a32 ? MEM_A32 : 0) | ((m.seg >= 4 ? m.seg : 0) << 12) | ((m.base & 255) << 16) | ((m.index & 255) << 24)
  }
  A[p + 6] = m === null ? 0 : loadSize(f)
  A[p + 7] = ip - head
  c.recTop = p + REC
}

/** Append a CLOSURE record. */
function putClosure(c: CpuState, f: CompiledInsn, ip: number, len: number, head: number): void {
  const A = c.recs, p = c.recTop
  A[p] = R.CLOSURE | (len << 16)
  A[p + 1] = 0; A[p + 2] = 0
  A[p + 3] = c.recFns.length
  c.recFns.push(f)
  A[p + 4] = 0; A[p + 5] = 0; A[p + 6] = 0
  A[p + 7] = ip - head
  c.recTop = p + REC
}

/**
 * The record block at `ip` (inside the fetch window): the straight line up to an
 * unconditional transfer (a direct JMP inside the page is followed), an instruction only
 * the interpreter runs, or the end of the page. A taken Jcc leaves it.
 */
export function recordBlock(c: CpuState, ip: number): CodeBlock {
  reserve(c, MAX_BLOCK)
  const rec = c.recTop, starts: number[] = []
  const pageEnd = c.fetchDelta + c.fetchHi
  let cur = ip
  while (starts.length < MAX_BLOCK && cur < c.fetchHi && !starts.includes(cur)) {
    const d = decodeInline(c, cur, pageEnd)
    if (d !== null && fitsRecord(d.f, cur)) {
      const f = d.f
      putInline(c, f, cur, d.len, ip)
      starts.push(cur)
      if (f.kind === 'call' || f.kind === 'ret') break
      if (f.kind === 'jmp') {
        if (!inFetchWindow(c, f.target) || starts.includes(f.target)) break
        cur = f.target
        continue
      }
      cur += d.len
      continue
    }
    const f = compileAt(c, cur)
    if (f === INTERP) break
    const len = compiledLength()
    putClosure(c, f, cur, len, ip)
    starts.push(cur)
    if (compiledEndsStraightLine()) {
      const target = compiledJumpTarget()
      if (!inFetchWindow(c, target) || starts.includes(target)) break
      cur = target
      continue
    }
    cur += len
  }
  // a Jcc/JMP whose target is an instruction of this block jumps to its record (word 6 = index + 1)
  for (let j = 0, p = rec; j < starts.length; j++, p += REC) {
    const kind = c.recs[p] & 255
    if (kind === R.JCC || kind === R.JMP) c.recs[p + 6] = starts.indexOf(starts[j] + c.recs[p + 3]) + 1
  }
  const heat = c.blockThreshold
  // nothing here runs without the interpreter: interpret it until it is hot, then try a block
  if (starts.length === 0) return { run: () => 0, n: 0, loops: false, starts, one: undefined, heat, rec: -1 }
  // runRecords counts retirements for a fault itself (CpuState.blockDone): `starts` is not kept
  return { run: notRun, n: starts.length, loops: false, starts: [], one: undefined, heat, rec }
}

/** Branch targets and RIP-relative addresses are stored relative to the instruction, as int32. */
function fitsRecord(f: Inline, ip: number): boolean {
  const delta = f.m !== null && f.m.rip ? f.m.abs - ip : f.kind === 'call' || f.kind === 'jmp' || f.kind === 'jcc' ? f.target - ip : 0
  return delta === (delta | 0)
}

/** A record block runs through runRecords (cpu.ts), never through `run`. */
function notRun(): number {
  throw new Error('a record block has no run function')
}
