/**
 * MIPS benchmark for the x64 interpreter (run by hand, not a test):
 *   npx esbuild test/core/x64/bench-mips.ts --bundle --platform=node --format=esm --outfile=/tmp/x64-bench.mjs && node /tmp/x64-bench.mjs
 * Builds a compute-bound 64-bit C loop with gcc -O2 and runs it in long mode.
 */
import { buildInTemp, loadElf, enterLong64, installGdt, newCpu } from './harness'
import { ExitReason, Reg } from '../../../core/x64'

const C = `
typedef unsigned long u64; typedef unsigned int u32; typedef unsigned char u8;
static u8 comp[65536];
static u64 sieve(void) { u64 s = 0; for (u32 i = 0; i < 65536; i++) comp[i] = 0;
  for (u32 i = 2; i < 65536; i++) { if (comp[i]) continue; s += i; for (u32 j = i * 2; j < 65536; j += i) comp[j] = 1; } return s; }
static u64 mix(u64 x) { x ^= x >> 33; x *= 0xff51afd7ed558ccdUL; x ^= x >> 33; return x; }
u64 _start(void) {
  u64 acc = 0;
  for (int round = 0; round < 60; round++) {
    acc += sieve();
    for (u64 i = 0; i < 2000; i++) acc = mix(acc + i) + (acc >> 7);
  }
  __asm__ volatile("hlt" :: "a"(acc));
  for (;;) {}
}
`

const elf = buildInTemp({ 'b.c': C }, [
  ['gcc', '-m64', '-ffreestanding', '-fno-pic', '-fno-stack-protector', '-mno-red-zone', '-mno-sse', '-O2', '-nostdlib', '-static', '-Wl,-Ttext=0x100000', '-Wl,-z,max-page-size=0x1000', '-o', 'b.elf', 'b.c'],
], 'b.elf')
const { cpu, mem } = newCpu(32 << 20)
const entry = loadElf(mem, elf)
enterLong64(cpu, mem, entry)
installGdt(mem, cpu)
cpu.setReg(Reg.RSP, 0x80000n)
// CPU time as well as wall time: the build machine is shared, so wall-clock MIPS understate.
const t0 = performance.now()
const u0 = process.cpuUsage()
let r: number
do r = cpu.run(10_000_000); while (r === ExitReason.None)
const ms = performance.now() - t0
const u = process.cpuUsage(u0)
const cpuMs = (u.user + u.system) / 1000
console.log(`exit=${r} instructions=${cpu.retired} wall=${ms.toFixed(0)}ms cpu=${cpuMs.toFixed(0)}ms MIPS(wall)=${(cpu.retired / ms / 1000).toFixed(1)} MIPS(cpu)=${(cpu.retired / cpuMs / 1000).toFixed(1)} rax=${cpu.getReg(Reg.RAX).toString(16)}`)
