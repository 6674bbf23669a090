import { describe, it, expect } from 'vitest'
import { hasToolchain, assemble, enterLong64, installGdt, runGuest, CODE_BASE, STACK_TOP } from './harness'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { createX64Cpu, ExitReason } from '../../../core/x64'

// Compiled blocks (core/x64/compile-block.ts) against the pure interpreter on random
// straight-line code: flag setters fused with the Jcc that follows, dropped flag records,
// loads/stores/LEA with every addressing shape, and the budget ending inside a block.

const EDGE = ['0', '1', '-1', '0x7fffffff', '0x80000000', '0xffffffff', '0x7fffffffffffffff', '0x8000000000000000', '0x100000000', '-2']
const REGS64 = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11']
const REGS32 = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d']
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']

function program(seed: number, cases: number): string {
  let s = seed >>> 0
  const rnd = (n: number): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n }
  const val = (): string => rnd(3) === 0 ? String(rnd(100000) - 50000) : EDGE[rnd(EDGE.length)]
  // the body runs 16 times (with blockThreshold 1 every entry is a generated block from its first run)
  const lines: string[] = ['mov r12, 0x200000', 'xor r15, r15', 'mov r13, 16', '9:']
  for (let k = 0; k < cases; k++) {
    const w = rnd(2) === 0
    const R = w ? REGS64 : REGS32
    const a = rnd(R.length), b = rnd(R.length)
    lines.push(`mov ${REGS64[a]}, ${val()}`, `mov ${REGS64[b]}, ${val()}`)
    const op = ['cmp', 'sub', 'test', 'and', 'xor', 'or', 'add'][rnd(7)]
    const form = rnd(7)
    const imm = String(rnd(4) === 0 ? -(rnd(200)) : rnd(200))
    if (form === 0 && op !== 'test') lines.push(`${op} ${R[a]}, ${imm}`)
    else if (form === 1) lines.push(`mov [r12 + ${8 * rnd(8)}], ${REGS64[b]}`, `cmp ${w ? 'qword' : 'dword'} ptr [r12 + ${8 * rnd(8)}], ${imm}`)
    else if (form === 2) lines.push(`mov [r12 + ${8 * rnd(8)}], ${R[b]}`, `cmp ${w ? 'qword' : 'dword'} ptr [r12 + ${8 * rnd(8)}], ${R[a]}`)
    else if (form === 3 && op !== 'test') lines.push(`mov [r12 + rbx*8 + 0], ${R[b]}`.replace('rbx*8 + 0', `${8 * rnd(8)}`), `${op} ${R[a]}, [r12 + ${8 * rnd(8)}]`)
    else if (form === 4) lines.push(`lea ${R[a]}, [${REGS64[b]} + ${REGS64[rnd(R.length)]}*${[1, 2, 4, 8][rnd(4)]} + ${rnd(1000) - 500}]`, `${op} ${R[a]}, ${R[b]}`)
    else if (form === 5 && rnd(2) === 0) {
      const sh = ['shl', 'shr', 'sar'][rnd(3)], n = [1, 31, 32, 33, 63, rnd(64)][rnd(6)] & (w ? 63 : 31)
      lines.push(`${sh} ${R[a]}, ${n === 0 ? 1 : n}`)
      const src8 = ['al', 'ah', 'bl', 'bh', 'sil', 'r9b', 'cx', 'r10w'][rnd(8)]
      // AH/BH exist only without REX: a legacy 32-bit destination then
      if (rnd(2) === 0) lines.push(`movzx ${src8.endsWith('h') ? REGS32[b % 6] : R[b]}, ${src8}`)
    } else if (form === 5 && rnd(2) === 0) {
      const r8 = ['al', 'ah', 'bl', 'bh', 'sil', 'r9b', 'dil', 'r11b'][rnd(8)]
      const legacy = r8.endsWith('h')
      // AH..DH need an encoding without REX: a legacy base register (RSP, below the stack top)
      lines.push(`mov byte ptr [rsp - ${1 + rnd(16)}], ${r8}`, `mov byte ptr [rsp - ${1 + rnd(16)}], ${rnd(256)}`)
      lines.push(`mov ${legacy ? ['cl', 'dh'][rnd(2)] : ['cl', 'sil', 'r10b', 'dl'][rnd(4)]}, byte ptr [rsp - ${1 + rnd(16)}]`)
      lines.push(`mov byte ptr [r12 + ${rnd(64)}], ${legacy ? 'cl' : r8}`)
      lines.push(`${op === 'test' ? 'cmp' : op} ${R[a]}, ${R[b]}`)
    } else if (form === 5) lines.push(`mov [r12 + ${rnd(64)}], ${REGS64[b]}`, `movzx ${R[a]}, byte ptr [r12 + ${rnd(64)}]`, `cmp byte ptr [r12 + ${rnd(64)}], ${rnd(256)}`)
    else lines.push(`${op} ${R[a]}, ${R[b]}`)
    // a direct JMP over dead bytes: blocks follow it inside the page
    if (rnd(5) === 0) lines.push(`jmp 3f`, 'ud2', `mov ${REGS64[a]}, 0x1234`, '3:')
    // a second flag setter sometimes makes the first record dead
    if (rnd(4) === 0) lines.push(`${op === 'test' ? 'and' : op} ${R[b]}, ${R[a]}`)
    lines.push(`j${CC[rnd(16)]} 1f`, `add r15, ${k + 1}`, 'rol r15, 7', '1:')
  }
  lines.push('dec r13', 'jnz 9b')
  return lines.join('\n')
}

/** A 64-bit CPU about to run `code` at CODE_BASE with a stack. */
function loaded(code: Uint8Array, options: { decodeCache?: boolean; blockThreshold?: number } = {}) {
  const mem = new GuestMemory(4 << 20)
  const cpu = createX64Cpu(mem, options)
  mem.writeBytes(CODE_BASE, code)
  enterLong64(cpu, mem, CODE_BASE)
  installGdt(mem, cpu)
  cpu.setReg(4, BigInt(STACK_TOP))
  return { cpu, mem }
}

function runBoth(src: string, budget: number, blockThreshold?: number) {
  const code = assemble(src + '\nhlt\n', CODE_BASE, 64)
  const run = (decodeCache: boolean) => {
    const { cpu, mem } = loaded(code, { decodeCache, blockThreshold })
    const trace: number[] = []
    let r: number
    // small budgets end slices inside blocks; the retired count must stay exact
    do { r = cpu.run(budget); trace.push(cpu.retired) } while (r === ExitReason.None && cpu.retired < 1_000_000)
    return { r, trace, regs: Array.from({ length: 16 }, (_, i) => cpu.getReg(i)), flags: cpu.getRflags(), rip: cpu.getRip(), mem: Array.from(mem.ram.subarray(0x200000, 0x200040)) }
  }
  return { compiled: run(true), interpreted: run(false) }
}

describe.skipIf(!hasToolchain())('compiled blocks', () => {
  for (const seed of [1, 2, 3]) {
    it(`random flag/Jcc/memory code matches the interpreter (seed ${seed})`, () => {
      const { compiled, interpreted } = runBoth(program(seed, 150), 1_000_000)
      expect(compiled.r).toBe(ExitReason.Halt)
      expect(compiled).toEqual(interpreted)
    })
  }
  for (const seed of [4, 5]) {
    it(`random code as generated blocks from the first run matches the interpreter (seed ${seed})`, () => {
      const { compiled, interpreted } = runBoth(program(seed, 150), 1_000_000, 1)
      expect(compiled.r).toBe(ExitReason.Halt)
      expect(compiled).toEqual(interpreted)
    })
  }
  for (const blockThreshold of [1, undefined]) {
    it(`a fault after a followed JMP reports its instruction and retired count (${blockThreshold ? 'generated' : 'records'})`, () => {
      const code = assemble(`
        mov rax, 5
        jmp 1f
        hlt
    1:  add rax, 1
        mov rbx, 0x800000000000
        mov rcx, [rbx]
        hlt`, CODE_BASE, 64)
      const at = (decodeCache: boolean) => {
        const { cpu } = loaded(code, { decodeCache, blockThreshold })
        cpu.exceptionBitmap = 0xffffffff
        const r = cpu.run(100)
        return { r, vector: cpu.exit.vector, rip: cpu.getRip(), retired: cpu.retired, rax: cpu.getReg(0) }
      }
      const compiled = at(true), interpreted = at(false)
      // RIP at the faulting load and the retired count exactly as the interpreter has them
      expect(compiled).toEqual(interpreted)
      expect(compiled.r).toBe(ExitReason.Exception)
      expect(compiled.vector).toBe(13) // #GP: non-canonical load
      expect(compiled.rip).toBe(BigInt(CODE_BASE + code.length - 4)) // mov rcx, [rbx] (3 bytes), hlt
      expect(compiled.rax).toBe(6n)
    })
  }
  for (const blockThreshold of [1, undefined]) {
    it(`a fault in a later iteration of a loop counts every earlier iteration (${blockThreshold ? 'generated' : 'records'})`, () => {
      // a loop with a forward Jcc inside its block (records go on at the target); the DIV
      // raises #DE once RDI has counted down to 0
      const code = assemble(`
        mov rdi, 30
        xor rcx, rcx
    1:  add rcx, [rsp - 8]
        test rdi, 1
        jz 2f
        add rcx, 3
    2:  mov rax, 1000
        xor edx, edx
        div rdi
        add rcx, rax
        dec rdi
        jns 1b
        hlt`, CODE_BASE, 64)
      const at = (decodeCache: boolean) => {
        const { cpu } = loaded(code, { decodeCache, blockThreshold })
        cpu.exceptionBitmap = 0xffffffff
        const r = cpu.run(10000)
        return { r, vector: cpu.exit.vector, rip: cpu.getRip(), retired: cpu.retired, rcx: cpu.getReg(1), rdi: cpu.getReg(7) }
      }
      const compiled = at(true), interpreted = at(false)
      expect(compiled).toEqual(interpreted)
      expect(compiled.r).toBe(ExitReason.Exception)
      expect(compiled.vector).toBe(0) // #DE
      expect(compiled.rdi).toBe(0n)
      // 30 iterations (15 skip the ADD), 5 more up to the DIV, and the DIV (a fault counts it, cpu.ts run)
      expect(compiled.retired).toBe(2 + 30 * 10 - 15 + 5 + 1)
    })
    it(`slices ending inside blocks retire exactly the budget (threshold ${blockThreshold ?? 'default'})`, () => {
      const { compiled, interpreted } = runBoth(program(7, 60), 7, blockThreshold)
      expect(compiled.trace.slice(0, 5)).toEqual([7, 14, 21, 28, 35])
      expect(compiled).toEqual(interpreted)
    })
  }
  it('runGuest-driven code reaches the same halt state', () => {
    const { cpu } = loaded(assemble(program(9, 40) + '\nhlt\n', CODE_BASE, 64))
    expect(runGuest(cpu).reason).toBe(ExitReason.Halt)
  })
})
