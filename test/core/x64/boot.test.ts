import { describe, it, expect } from 'vitest'
import { hasToolchain, buildInTemp, loadElf, enterFlat32, runGuest, newCpu } from './harness'
import { ExitReason } from '../../../core/x64'

const BOOT_S = `
.section .text
.code32
.globl _start
_start:
  mov %eax, %edi
  mov %ebx, %esi
  mov $stack_top, %esp
  mov $pdpt, %eax; or $3, %eax; mov %eax, pml4
  mov $pd, %eax; or $3, %eax; mov %eax, pdpt
  xor %ecx, %ecx
1: mov %ecx, %eax; shl $21, %eax; or $0x83, %eax; mov %eax, pd(,%ecx,8)
  inc %ecx; cmp $512, %ecx; jne 1b
  mov $pml4, %eax; mov %eax, %cr3
  mov %cr4, %eax; or $0x20, %eax; mov %eax, %cr4
  mov $0xC0000080, %ecx; rdmsr; or $0x100, %eax; wrmsr
  mov %cr0, %eax; or $0x80000001, %eax; mov %eax, %cr0
  lgdt gdtr
  ljmp $0x08, $long_entry
.code64
long_entry:
  mov $0x10, %ax; mov %ax, %ds; mov %ax, %es; mov %ax, %ss
  mov $stack_top, %rsp
  call kmain
2: hlt
  jmp 2b
.data
.align 8
gdt: .quad 0, 0x00af9a000000ffff, 0x00cf92000000ffff
gdtr: .word 23
  .long gdt
.bss
.align 4096
pml4: .space 4096
pdpt: .space 4096
pd: .space 4096
.space 16384
stack_top:
`

const KMAIN_C = `
typedef unsigned long u64; typedef unsigned int u32; typedef unsigned char u8;
static inline void outb(unsigned short p, u8 v) { __asm__ volatile("outb %0,%1" :: "a"(v), "Nd"(p)); }
static inline u8 inb(unsigned short p) { u8 v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static void putc(char c) { while (!(inb(0x3fd) & 0x20)) {} outb(0x3f8, c); }
static void puts(const char *s) { while (*s) putc(*s++); }
static void puthex(u64 v) { for (int i = 60; i >= 0; i -= 4) putc("0123456789abcdef"[(v >> i) & 15]); }
static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d) { __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0)); }
static u64 sieve_sum(void) {
  static u8 comp[20000];
  u64 s = 0;
  for (u32 i = 2; i < 20000; i++) { if (comp[i]) continue; s += i; for (u32 j = i * 2; j < 20000; j += i) comp[j] = 1; }
  return s;
}
static u64 mix(u64 x) { x ^= x >> 33; x *= 0xff51afd7ed558ccdUL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53UL; x ^= x >> 33; return x; }
void kmain(u32 magic, u32 info) {
  u32 a, b, c, d;
  puts("Hello from 64-bit C\\n");
  puts("magic="); puthex(magic); puts(" info="); puthex(info); puts("\\n");
  cpuid(0x80000001, &a, &b, &c, &d);
  puts("ext edx="); puthex(d); puts("\\n");
  u64 cr0; __asm__ volatile("mov %%cr0,%0" : "=r"(cr0));
  puts("cr0="); puthex(cr0); puts("\\n");
  puts("sieve="); puthex(sieve_sum()); puts("\\n");
  u64 h = 0; for (u64 i = 0; i < 1000; i++) h += mix(i) / (i + 1) + (mix(h) % 1000003);
  puts("hash="); puthex(h); puts("\\n");
  outb(0xf4, 0x10);
}
`

const LINK_LD = `
ENTRY(_start)
SECTIONS {
  . = 0x100000;
  .text : { *(.text*) }
  .rodata : { *(.rodata*) }
  .data : { *(.data*) }
  .bss : { *(.bss*) *(COMMON) }
}
`

/** The same computations natively, for the expected values. */
function expectedSieve(): bigint {
  const comp = new Uint8Array(20000)
  let s = 0n
  for (let i = 2; i < 20000; i++) { if (comp[i]) continue; s += BigInt(i); for (let j = i * 2; j < 20000; j += i) comp[j] = 1 }
  return s
}
function expectedHash(): bigint {
  const M = (1n << 64n) - 1n
  const mix = (x: bigint) => { x ^= x >> 33n; x = (x * 0xff51afd7ed558ccdn) & M; x ^= x >> 33n; x = (x * 0xc4ceb9fe1a85ec53n) & M; x ^= x >> 33n; return x }
  let h = 0n
  for (let i = 0n; i < 1000n; i++) h = (h + mix(i) / (i + 1n) + (mix(h) % 1000003n)) & M
  return h
}

describe.skipIf(!hasToolchain())('multiboot-style boot path', () => {
  it('enters long mode from 32-bit protected mode and runs gcc -O2 C with port I/O and CPUID', () => {
    const elf = buildInTemp({ 'boot.S': BOOT_S, 'kmain.c': KMAIN_C, 'link.ld': LINK_LD }, [
      ['gcc', '-c', '-m64', '-ffreestanding', '-fno-pic', '-fno-stack-protector', '-mno-red-zone', '-mno-mmx', '-mno-sse', '-mno-sse2', '-O2', '-o', 'kmain.o', 'kmain.c'],
      ['gcc', '-c', '-m64', '-o', 'boot.o', 'boot.S'],
      ['ld', '-m', 'elf_x86_64', '-nostdlib', '-z', 'max-page-size=0x1000', '-T', 'link.ld', '-o', 'kernel.elf', 'boot.o', 'kmain.o'],
    ], 'kernel.elf')
    const { cpu, mem } = newCpu(16 << 20)
    const entry = loadElf(mem, elf)
    enterFlat32(cpu, entry)
    cpu.setReg(0, 0x2badb002n)
    cpu.setReg(3, 0x9000n)
    const r = runGuest(cpu, 20_000_000)
    expect(r.reason).toBe(ExitReason.IoPort)
    expect(r.exitCode).toBe(0x10)
    const lines = r.serial.split('\n')
    expect(lines[0]).toBe('Hello from 64-bit C')
    expect(lines[1]).toBe('magic=000000002badb002 info=0000000000009000')
    expect(BigInt('0x' + lines[2].slice(8)) & (1n << 29n)).not.toBe(0n) // LM advertised
    expect(BigInt('0x' + lines[3].slice(4)) & 0x80000001n).toBe(0x80000001n)
    expect(lines[4]).toBe('sieve=' + expectedSieve().toString(16).padStart(16, '0'))
    expect(lines[5]).toBe('hash=' + expectedHash().toString(16).padStart(16, '0'))
  })
})
