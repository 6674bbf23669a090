import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { hasToolchain, buildInTemp, loadElf, enterLong64, installGdt, run64, reg } from './harness'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { createX64Cpu, ExitReason, Reg } from '../../../core/x64'

/**
 * Multi-precision arithmetic the way a kernel's generic C does it (32-bit halves, carries
 * through compares): gcc -O2 makes it IMUL, MOVSXD, SETcc on REX byte registers, CMOVcc,
 * ADC, TEST r8 and CALL/RET, all of which generated blocks emit inline or call as closures.
 */
const MPI = `
typedef unsigned long u64; typedef unsigned int u32; typedef unsigned char u8;
static u64 a[64], r[128];
__attribute__((noinline)) static u64 addmul(u64 *d, const u64 *s, int n, u64 b) {
  u64 cy = 0;
  for (int i = 0; i < n; i++) {
    u64 al = (u32)s[i], ah = s[i] >> 32, bl = (u32)b, bh = b >> 32;
    u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    u64 mid = (ll >> 32) + (u32)lh + (u32)hl;
    u64 lo = (u32)ll | (mid << 32), hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    lo += cy; hi += lo < cy;
    u64 x = d[i]; lo += x; hi += lo < x;
    d[i] = lo; cy = hi;
  }
  return cy;
}
__attribute__((noinline)) static u64 add_n(u64 *d, const u64 *x, int n) {
  u64 c = 0;
  for (int i = 0; i < n; i++) { u64 t; u8 c1 = __builtin_add_overflow(d[i], x[i], &t); u8 c2 = __builtin_add_overflow(t, c, &t); d[i] = t; c = c1 | c2; }
  return c;
}
__attribute__((noinline)) static int cmp_n(const u64 *x, const u64 *y, int n) {
  for (int i = n - 1; i >= 0; i--) if (x[i] != y[i]) return x[i] > y[i] ? 1 : -1;
  return 0;
}
u64 _start(void) {
  u64 seed = 0x9e3779b97f4a7c15UL, acc = 0;
  for (int i = 0; i < 64; i++) { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; a[i] = seed; }
  for (int round = 0; round < 100; round++) {
    for (int i = 0; i < 128; i++) r[i] = 0;
    for (int j = 0; j < 32; j++) r[j + 32] += addmul(r + j, a, 32, a[(j + round) & 63]);
    acc += add_n(r, r + 64, 64) + (u64)cmp_n(r, r + 64, 64) + r[17] + (r[63] >> 3);
    a[round & 63] ^= acc;
  }
  __asm__ volatile("hlt" :: "a"(acc));
  for (;;) {}
}
`

function buildC(src: string): Uint8Array {
  return buildInTemp({ 'b.c': src }, [
    ['gcc', '-m64', '-ffreestanding', '-fno-pic', '-fno-stack-protector', '-mno-red-zone', '-mno-sse', '-O2', '-nostdlib', '-static', '-Wl,-Ttext=0x100000', '-Wl,-z,max-page-size=0x1000', '-o', 'b.elf', 'b.c'],
  ], 'b.elf')
}

function runBench(decodeCache: boolean, elf: Uint8Array, blockThreshold?: number) {
  const mem = new GuestMemory(32 << 20)
  const cpu = createX64Cpu(mem, { decodeCache, blockThreshold })
  enterLong64(cpu, mem, loadElf(mem, elf))
  installGdt(mem, cpu)
  cpu.setReg(Reg.RSP, 0x80000n)
  let r: number
  do r = cpu.run(1_000_000); while (r === ExitReason.None && cpu.retired < 40_000_000)
  const regs = Array.from({ length: 16 }, (_, i) => cpu.getReg(i))
  let sum = 0
  for (let i = 0x100000; i < 0x140000; i += 4) sum = (sum + mem.view.getInt32(i, true) * (i | 1)) | 0
  return { r, regs, flags: cpu.getRflags(), rip: cpu.getRip(), retired: cpu.retired, sum }
}

describe.skipIf(!hasToolchain())('decoded-code cache', () => {
  it('compiled 64-bit code gives the same state and instruction count as the interpreter', () => {
    const src = readFileSync(join(__dirname, 'bench-mips.ts'), 'utf8').match(/const C = `([\s\S]*?)`/)![1].replace('round < 60', 'round < 2')
    const elf = buildInTemp({ 'b.c': src }, [
      ['gcc', '-m64', '-ffreestanding', '-fno-pic', '-fno-stack-protector', '-mno-red-zone', '-mno-sse', '-O2', '-nostdlib', '-static', '-Wl,-Ttext=0x100000', '-Wl,-z,max-page-size=0x1000', '-o', 'b.elf', 'b.c'],
    ], 'b.elf')
    const a = runBench(true, elf)
    const b = runBench(false, elf)
    expect(a.r).toBe(ExitReason.Halt)
    expect(a).toEqual(b)
  })

  it('multi-precision arithmetic: generated blocks, record blocks and the interpreter agree', () => {
    const elf = buildC(MPI)
    const gen = runBench(true, elf, 1)
    const cold = runBench(true, elf)
    const interp = runBench(false, elf)
    expect(interp.r).toBe(ExitReason.Halt)
    expect(gen).toEqual(interp)
    expect(cold).toEqual(interp)
  })

  it('code patched after it was cached runs the new bytes (self-modifying loop)', () => {
    const { cpu } = run64(`
      xor r8, r8
      mov ecx, 4
1:
patch: mov ebx, 0
      add r8, rbx
      inc dword ptr [rip + patch + 1]
      loop 1b`)
    expect(reg(cpu, Reg.R8)).toBe(0n + 1n + 2n + 3n)
  })
})

describe.skipIf(!hasToolchain())('decoded-code cache on a page shared by code and data', () => {
  it('a loop storing into its own code page still computes correctly (and stops thrashing)', () => {
    const { cpu, r } = run64(`
      xor eax, eax
      mov ecx, 200
1:    add dword ptr [rip + counter], 3
      add eax, dword ptr [rip + counter]
      loop 1b
      jmp 2f
counter: .long 0
2:    nop`)
    expect(r.reason).toBe(ExitReason.Halt)
    // sum over k = 1..200 of 3k
    expect(reg(cpu, Reg.RAX)).toBe(BigInt(3 * 200 * 201 / 2))
  })
})
