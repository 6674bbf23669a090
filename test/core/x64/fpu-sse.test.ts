import { describe, it, expect } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hasToolchain, buildInTemp, loadElf, enterLong64, installGdt, newCpu, run64, reg } from './harness'
import { ExitReason, Reg } from '../../../core/x64'

/**
 * The same C computations (SSE2 scalar/packed double and float, auto-vectorised integer
 * loops, conversions, x87 long double) are compiled for the host and for the guest; the
 * guest's results must match the host CPU's bit for bit.
 */
const CALC_C = `
typedef unsigned long u64; typedef long i64; typedef unsigned int u32; typedef int i32; typedef unsigned char u8;
static inline u64 dbits(double d) { union { double d; u64 u; } x = { d }; return x.u; }
static inline u64 fbits(float f) { union { float f; u32 u; } x = { f }; return x.u; }
__attribute__((noinline)) void calc(u64 *out, volatile i32 *seed) {
  int n = 0;
  double a[16], b[16]; float fa[16]; i32 ia[64], ib[64]; short sa[64]; u8 ua[64];
  for (int i = 0; i < 16; i++) { a[i] = (seed[0] + i) * 0.37 - 2.5; b[i] = (i + 1) / 7.0; fa[i] = (float)(i * 1.5f - seed[1]); }
  for (int i = 0; i < 64; i++) { ia[i] = seed[0] * i - 1000; ib[i] = (i * 7919) ^ seed[1]; sa[i] = (short)(i * 1000 - 30000); ua[i] = (u8)(i * 37); }
  double dot = 0; for (int i = 0; i < 16; i++) dot += a[i] * b[i];
  out[n++] = dbits(dot);
  out[n++] = dbits(__builtin_sqrt(dot * dot + 2.0));
  out[n++] = dbits(a[3] / b[5] - a[7]);
  double mn = a[0], mx = a[0]; for (int i = 1; i < 16; i++) { if (a[i] < mn) mn = a[i]; if (a[i] > mx) mx = a[i]; }
  out[n++] = dbits(mn); out[n++] = dbits(mx);
  float fs = 0; for (int i = 0; i < 16; i++) fs += fa[i] * fa[i] / (i + 1);
  out[n++] = fbits(fs);
  out[n++] = (u64)(i64)(dot * 1000.0);
  out[n++] = (u64)(i64)(a[2] * -12345.678);
  out[n++] = dbits((double)(i64)(-123456789012345L + seed[0]));
  out[n++] = fbits((float)(ia[5] + ia[60]));
  out[n++] = (u64)(i32)(fa[7] * 3.3f);
  i64 isum = 0; for (int i = 0; i < 64; i++) isum += (i64)ia[i] * ib[i];
  out[n++] = (u64)isum;
  i32 imin = ia[0], imax = ia[0]; for (int i = 0; i < 64; i++) { imin = ia[i] < imin ? ia[i] : imin; imax = ia[i] > imax ? ia[i] : imax; }
  out[n++] = (u64)(u32)imin; out[n++] = (u64)(u32)imax;
  u32 xs = 0; for (int i = 0; i < 64; i++) xs += (u32)(ia[i] ^ ib[i]) >> 3;
  out[n++] = xs;
  int ss = 0; for (int i = 0; i < 64; i++) ss += sa[i] * 3;
  out[n++] = (u64)(u32)ss;
  u32 us = 0; for (int i = 0; i < 64; i++) us += ua[i] > 100 ? ua[i] : 0;
  out[n++] = us;
  out[n++] = (a[1] < b[2]) | ((a[4] == a[4]) << 1) | ((b[3] >= 0.5) << 2);
  long double la = seed[0] * 3.0L, lb = 0.25L;
  long double lr = (la * lb + 1.5L) / 2.0L - lb;
  out[n++] = dbits((double)lr);
  out[n++] = (u64)(i64)(la * 1000.0L);
  out[n++] = dbits((double)(long double)(i64)(-987654321L));
  out[n++] = n;
}
`

const HOST_MAIN = `
#include <stdio.h>
typedef unsigned long u64;
void calc(u64 *out, volatile int *seed);
int main(void) { u64 out[64] = {0}; volatile int seed[2] = {7, 3}; calc(out, seed); for (int i = 0; i < (int)out[21]; i++) printf("%016lx\\n", out[i]); return 0; }
`

const GUEST_MAIN = `
typedef unsigned long u64;
void calc(u64 *out, volatile int *seed);
static inline void outb(unsigned short p, unsigned char v) { __asm__ volatile("outb %0,%1" :: "a"(v), "Nd"(p)); }
static void putc(char c) { outb(0x3f8, c); }
void _start(void) {
  u64 out[64] = {0}; volatile int seed[2] = {7, 3};
  calc(out, seed);
  for (int i = 0; i < (int)out[21]; i++) { for (int s = 60; s >= 0; s -= 4) putc("0123456789abcdef"[(out[i] >> s) & 15]); putc('\\n'); }
  outb(0xf4, 0);
  for (;;) {}
}
`

const FLAGS = ['-O3', '-msse2', '-mfpmath=sse', '-fno-math-errno', '-fno-tree-loop-distribute-patterns', '-fno-stack-protector']

function hostResults(): string {
  const dir = mkdtempSync(join(tmpdir(), 'x64host-'))
  try {
    writeFileSync(join(dir, 'calc.c'), CALC_C)
    writeFileSync(join(dir, 'main.c'), HOST_MAIN)
    execFileSync('gcc', [...FLAGS, '-o', join(dir, 'h'), join(dir, 'main.c'), join(dir, 'calc.c')], { stdio: 'pipe' })
    return execFileSync(join(dir, 'h')).toString()
  } finally { rmSync(dir, { recursive: true, force: true }) }
}

describe.skipIf(!hasToolchain())('x87 and SSE/SSE2', () => {
  it('gcc -O3 SSE2 and x87 code computes bit-identical results to the host CPU', () => {
    const elf = buildInTemp({ 'calc.c': CALC_C, 'main.c': GUEST_MAIN }, [
      ['gcc', ...FLAGS, '-m64', '-ffreestanding', '-fno-pic', '-mno-red-zone', '-nostdlib', '-static', '-Wl,-Ttext=0x100000', '-Wl,-z,max-page-size=0x1000', '-o', 'g.elf', 'main.c', 'calc.c'],
    ], 'g.elf')
    const { cpu, mem } = newCpu(16 << 20)
    const entry = loadElf(mem, elf)
    enterLong64(cpu, mem, entry)
    installGdt(mem, cpu)
    cpu.setCr(4, 0x620n) // PAE | OSFXSR | OSXMMEXCPT
    cpu.setReg(Reg.RSP, 0x7fff8n)
    let serial = ''
    for (;;) {
      const r = cpu.run(1_000_000)
      if (r === ExitReason.IoPort) {
        if (cpu.exit.port === 0xf4) break
        serial += String.fromCharCode(cpu.exit.value)
        cpu.completeIoOut()
        continue
      }
      expect(r, `exit ${r} vector ${cpu.exit.vector} at ${cpu.getRip().toString(16)}`).toBe(ExitReason.None)
    }
    const host = hostResults().trim().split('\n')
    const guest = serial.trim().split('\n')
    expect(guest.length).toBe(22)
    expect(guest).toEqual(host)
  })

  it('FXSAVE/FXRSTOR round-trip x87 and XMM state; getFxState sees it', () => {
    const { cpu, mem } = run64(`
      mov rax, 0x620
      mov cr4, rax
      fninit
      fld1
      fldpi
      mov rax, 0x1122334455667788
      movq xmm3, rax
      fxsave [0x20000]
      fninit
      pxor xmm3, xmm3
      fxrstor [0x20000]
      movq rbx, xmm3
      fstp qword ptr [0x21000]
      fnstsw ax
      fnstcw [0x21010]`)
    expect(reg(cpu, Reg.RBX)).toBe(0x1122334455667788n)
    expect(mem.view.getFloat64(0x21000, true)).toBe(Math.PI)
    expect(mem.view.getUint16(0x21010, true)).toBe(0x37f)
    expect((Number(reg(cpu, Reg.RAX)) >> 11) & 7).toBe(7) // one value left on the stack
    const img = cpu.getFxState()
    expect(new DataView(img.buffer).getUint16(0, true)).toBe(0x37f)
    expect(new DataView(img.buffer).getUint32(24, true)).toBe(0x1f80)
  })

  it('SSE instructions #UD without CR4.OSFXSR and #NM with CR0.TS', () => {
    const a = run64('xorps xmm0, xmm0', (c) => { c.exceptionBitmap = 1 << 6 })
    expect(a.r.reason).toBe(ExitReason.Exception)
    expect(a.cpu.exit.vector).toBe(6)
    const b = run64('mov rax, 0x620\nmov cr4, rax\nmov rax, cr0\nor rax, 8\nmov cr0, rax\naddsd xmm0, xmm1', (c) => { c.exceptionBitmap = 1 << 7 })
    expect(b.cpu.exit.vector).toBe(7)
  })
})
