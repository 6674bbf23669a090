/**
 * Text of the native side: a C driver and the assembly entry/exit stubs. The driver maps
 * the scratch region at its fixed address, and for each case loads GPRs, RFLAGS and the
 * FXSAVE image (x87 state, XMM, MXCSR) from the input record, jumps to the case's single instruction,
 * and stores everything back. Faults (#DE, #GP, …) arrive as signals on an alternate
 * stack and are recorded as the case's status instead of killing the batch.
 */
import {
  CODE_MAX, IN_GPR, IN_MEM, IN_MXCSR, IN_RFLAGS, IN_SIZE, IN_X87, IN_XMM, OUT_CODE, OUT_GPR, OUT_LEN, OUT_MEM, OUT_MXCSR,
  OUT_RFLAGS, OUT_SIZE, OUT_STATUS, OUT_X87, OUT_XMM, SCRATCH_BASE, SCRATCH_SIZE, WIN_BASE, WIN_SIZE, X87_BYTES, XMM_BYTES,
} from './layout'

export function harnessC(): string {
  return `#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

extern uint64_t hx_in_regs[16], hx_in_rflags, hx_out_regs[16], hx_out_rflags, hx_case_count;
extern uint8_t hx_in_fx[512], hx_out_fx[512];
extern void *hx_cases[], *hx_case_ends[];
extern void hx_enter(void *code);

static sigjmp_buf env;
static void on_signal(int sig, siginfo_t *si, void *uc) { (void)si; (void)uc; siglongjmp(env, sig); }

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 3;
  fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
  uint8_t *in = malloc(size);
  if (fread(in, 1, size, f) != (size_t)size) return 4;
  fclose(f);
  uint64_t n = (uint64_t)size / ${IN_SIZE};
  if (n != hx_case_count) { fprintf(stderr, "case count %lu != %lu\\n", (unsigned long)n, (unsigned long)hx_case_count); return 5; }
  uint8_t *scratch = mmap((void *)${SCRATCH_BASE}ul, ${SCRATCH_SIZE}, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (scratch != (uint8_t *)${SCRATCH_BASE}ul) { perror("mmap"); return 6; }
  stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0 };
  sigaltstack(&ss, 0);
  struct sigaction sa; memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal; sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
  for (int i = 0; i < 5; i++) sigaction(sigs[i], &sa, 0);
  static uint8_t base_fx[512] __attribute__((aligned(16)));
  __asm__ volatile("fxsave64 %0" : "=m"(base_fx));
  uint8_t *out = calloc(n, ${OUT_SIZE});
  for (uint64_t i = 0; i < n; i++) {
    const uint8_t *r = in + i * ${IN_SIZE};
    uint8_t *o = out + i * ${OUT_SIZE};
    memcpy(scratch + ${WIN_BASE - SCRATCH_BASE}, r + ${IN_MEM}, ${WIN_SIZE});
    memcpy(hx_in_regs, r + ${IN_GPR}, 128);
    memcpy(&hx_in_rflags, r + ${IN_RFLAGS}, 8);
    memcpy(hx_in_fx, base_fx, 512);
    memcpy(hx_in_fx, r + ${IN_X87}, 24);
    memcpy(hx_in_fx + 32, r + ${IN_X87} + 32, ${X87_BYTES} - 32);
    memcpy(hx_in_fx + 24, r + ${IN_MXCSR}, 4);
    memcpy(hx_in_fx + 160, r + ${IN_XMM}, ${XMM_BYTES});
    uint32_t len = (uint32_t)((uint8_t *)hx_case_ends[i] - (uint8_t *)hx_cases[i]);
    memcpy(o + ${OUT_LEN}, &len, 4);
    memcpy(o + ${OUT_CODE}, hx_cases[i], len > ${CODE_MAX} ? ${CODE_MAX} : len);
    int sig = sigsetjmp(env, 1);
    if (sig == 0) {
      hx_enter(hx_cases[i]);
      memcpy(o + ${OUT_GPR}, hx_out_regs, 128);
      memcpy(o + ${OUT_RFLAGS}, &hx_out_rflags, 8);
      memcpy(o + ${OUT_MXCSR}, hx_out_fx + 24, 4);
      memcpy(o + ${OUT_XMM}, hx_out_fx + 160, ${XMM_BYTES});
      memcpy(o + ${OUT_X87}, hx_out_fx, ${X87_BYTES});
    } else {
      uint32_t s = (uint32_t)sig;
      memcpy(o + ${OUT_STATUS}, &s, 4);
      memcpy(o + ${OUT_GPR}, r + ${IN_GPR}, 128 + 8);
      memcpy(o + ${OUT_X87}, r + ${IN_X87}, ${X87_BYTES});
    }
    memcpy(o + ${OUT_MEM}, scratch + ${WIN_BASE - SCRATCH_BASE}, ${WIN_SIZE});
  }
  FILE *g = fopen(argv[2], "wb");
  if (!g || fwrite(out, ${OUT_SIZE}, n, g) != n) return 7;
  fclose(g);
  return 0;
}
`
}

const GPRS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15']

/** The entry/exit stubs and one labelled block per case. */
export function harnessAsm(instructions: readonly string[]): string {
  const lines: string[] = ['.intel_syntax noprefix', '.text', '.globl hx_enter', 'hx_enter:']
  for (const r of ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15']) lines.push(`  push ${r}`)
  lines.push('  mov [rip+hx_saved_rsp], rsp', '  mov [rip+hx_target], rdi', '  fxrstor64 [rip+hx_in_fx]')
  lines.push('  push qword ptr [rip+hx_in_rflags]', '  popfq')
  GPRS.forEach((r, i) => { if (r !== 'rsp') lines.push(`  mov ${r}, [rip+hx_in_regs+${i * 8}]`) })
  lines.push('  mov rsp, [rip+hx_in_regs+32]', '  jmp qword ptr [rip+hx_target]')
  lines.push('hx_exit:')
  GPRS.forEach((r, i) => lines.push(`  mov [rip+hx_out_regs+${i * 8}], ${r}`))
  lines.push('  mov rsp, [rip+hx_saved_rsp]', '  pushfq', '  pop qword ptr [rip+hx_out_rflags]')
  lines.push('  fxsave64 [rip+hx_out_fx]', '  fninit', '  ldmxcsr [rip+hx_default_mxcsr]', '  push 0x202', '  popfq')
  for (const r of ['r15', 'r14', 'r13', 'r12', 'rbp', 'rbx']) lines.push(`  pop ${r}`)
  lines.push('  ret', '')
  lines.push('.section .text.cases,"ax",@progbits')
  instructions.forEach((text, i) => lines.push(`hx_case_${i}:`, `  ${text}`, `hx_case_end_${i}:`, '  jmp hx_exit'))
  lines.push('.data', '.balign 16')
  lines.push('.globl hx_in_fx', 'hx_in_fx: .zero 512', '.globl hx_out_fx', 'hx_out_fx: .zero 512')
  lines.push('.globl hx_in_regs', 'hx_in_regs: .zero 128', '.globl hx_out_regs', 'hx_out_regs: .zero 128')
  lines.push('.globl hx_in_rflags', 'hx_in_rflags: .quad 2', '.globl hx_out_rflags', 'hx_out_rflags: .quad 0')
  lines.push('hx_saved_rsp: .quad 0', 'hx_target: .quad 0', 'hx_default_mxcsr: .long 0x1f80', '.balign 8')
  lines.push('.globl hx_case_count', `hx_case_count: .quad ${instructions.length}`)
  lines.push('.globl hx_cases', 'hx_cases:')
  instructions.forEach((_, i) => lines.push(`  .quad hx_case_${i}`))
  lines.push('.globl hx_case_ends', 'hx_case_ends:')
  instructions.forEach((_, i) => lines.push(`  .quad hx_case_end_${i}`))
  return lines.join('\n') + '\n'
}
