/**
 * Code-footprint benchmark for the decode cache (run by hand, not a test):
 *   npx esbuild test/core/x64/bench-footprint.ts --bundle --platform=node --format=esm --outfile=/tmp/x64-footprint.mjs && node /tmp/x64-footprint.mjs
 * A loop over N distinct 16-instruction chunks (ALU, loads, stores, LEA, Jcc): with N = 10
 * the code stays in the host's caches, with N = 3000 (48,000 instructions, ~147 KB) it
 * does not, like a kernel's boot. Runs record blocks only (threshold never reached) and
 * prints ns per instruction; docs/cpu.md quotes it (session 5: closures 44 / 267 ns,
 * records 40 / 65 ns).
 */
import { assemble, enterLong64, installGdt, CODE_BASE, STACK_TOP } from './harness'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { createX64Cpu } from '../../../core/x64'

function chunk(i: number): string {
  return [
    'add eax, ebx', 'xor ecx, eax', 'sub edx, ecx', 'or esi, edx', 'add rdi, rsi', 'and r8, rdi', 'mov r9, r8', 'add r10, 3',
    'mov eax, [r12+8]', 'mov [r12+16], ecx', 'cmp eax, 5', `jne 1${i}f`, 'add r11, 1', `1${i}:`,
    'test ebx, ebx', `je 2${i}f`, 'lea rcx, [rax+rbx*2+8]', `2${i}:`,
  ].join('\n').replace(/ 1(\d+)f/, ' L1_$1').replace(/^1(\d+):/m, 'L1_$1:').replace(/ 2(\d+)f/, ' L2_$1').replace(/^2(\d+):/m, 'L2_$1:')
}

function run(n: number, total: number): void {
  const body = Array.from({ length: n }, (_, i) => chunk(i)).join('\n')
  const src = `mov r12, 0x300000\nmov r13, ${Math.ceil(total / (n * 16))}\n9:\n${body}\ndec r13\njnz 9b\nhlt\n`
  const code = assemble(src, CODE_BASE, 64)
  const mem = new GuestMemory(8 << 20)
  const cpu = createX64Cpu(mem, { blockThreshold: 1e12 })
  mem.writeBytes(CODE_BASE, code)
  enterLong64(cpu, mem, CODE_BASE)
  installGdt(mem, cpu)
  cpu.setReg(4, BigInt(STACK_TOP))
  const t0 = performance.now(), n0 = cpu.retired
  while (cpu.run(1e6) === 0 && cpu.retired - n0 < total * 1.5) { /* until HLT */ }
  const ms = performance.now() - t0, k = cpu.retired - n0
  console.log(`N=${n} (${code.length} bytes of code): ${(ms * 1e6 / k).toFixed(1)} ns per instruction, ${(k / ms / 1e3).toFixed(1)} MIPS`)
}

for (const n of [10, 3000]) run(n, 40e6)
