/*
 * SYSCALL/SYSRET checks: STAR selects the kernel CS/SS on SYSCALL and the user CS/SS on
 * SYSRET, LSTAR the entry point, FMASK the RFLAGS bits cleared; RCX/R11 carry RIP and
 * RFLAGS (Intel SDM vol. 2 SYSCALL/SYSRET; AMD APM vol. 2 §6.1.1).
 */
#include "cpu-modes.h"

#define MSR_EFER  0xC0000080
#define MSR_STAR  0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_FMASK 0xC0000084
#define EFER_SCE  1ull

/* Field order matches the offsets used in syscall.S. */
struct sc_result {
    uint64_t rcx, r11, user_cs, user_rflags, user_ss, kernel_cs, kernel_ss, kernel_rflags, leg2_rdi, leg2_rcx;
};
extern volatile struct sc_result sc_result;
extern char syscall_entry[], sc_user_ret1[], sc_user_ret2[];
void syscall_round_trip(void);

void test_syscall(void)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    // SYSRET to 64-bit: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8 (both RPL 3).
    wrmsr(MSR_STAR, ((uint64_t)SEL_UCODE32 << 48) | ((uint64_t)SEL_CODE64 << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, 0x700); /* TF, IF, DF */

    trap_record_clear();
    syscall_round_trip();

    check_begin("sysret-to-ring3");
    check_u64("user cs", SEL_UCODE64 | 3, sc_result.user_cs);
    check_u64("user ss", SEL_UDATA | 3, sc_result.user_ss);
    check_u64("user rflags", 0x86, sc_result.user_rflags);
    check_end();

    check_begin("syscall-entry-state");
    check_u64("kernel cs", SEL_CODE64, sc_result.kernel_cs);
    check_u64("kernel ss", SEL_DATA, sc_result.kernel_ss);
    check_u64("rcx", (uint64_t)(uintptr_t)sc_user_ret1, sc_result.rcx);
    check_u64("r11", 0x486, sc_result.r11);
    // Only the FMASK'd bits are compared: QEMU 7.2 TCG also loses the arithmetic flags
    // on SYSCALL (hardware keeps them), and the line must read the same on both.
    check_u64("kernel rflags & 0x702 (FMASK cleared TF/IF/DF)", 0x2, sc_result.kernel_rflags & 0x702);
    check_end();

    check_begin("syscall-sysret-round-trip");
    check_u64("rax after sysret", 42, sc_result.leg2_rdi);
    check_u64("second rcx", (uint64_t)(uintptr_t)sc_user_ret2, sc_result.leg2_rcx);
    check_u64("trap count", 0, last_trap.count);
    check_end();
}
