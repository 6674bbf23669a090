/*
 * Shared declarations of the cpu-modes system-test guest: descriptor-table layout, the
 * trap record and resume mechanism, the check/report helpers, and the assembly probes.
 * Intel SDM vol. 3 ch. 3 (segments), 4 (paging), 5 (protection), 6 (interrupts).
 */
#ifndef CPU_MODES_H
#define CPU_MODES_H

#include "../lib/guest.h"

/* GDT layout of this guest (SYSRET needs user32, user data, user64 in that order). */
#define SEL_CODE64   0x08
#define SEL_DATA     0x10
#define SEL_CODE32   0x18
#define SEL_CODE16   0x28
#define SEL_DATA16   0x30
#define SEL_UCODE32  0x38
#define SEL_UDATA    0x40
#define SEL_UCODE64  0x48
#define SEL_TSS      0x50
#define GDT_ENTRIES  12 /* TSS takes two; 0x60 is the first selector past the limit */

#define VEC_DE   0
#define VEC_BP   3
#define VEC_UD   6
#define VEC_DF   8
#define VEC_GP   13
#define VEC_PF   14
#define VEC_INT_KERNEL 0x80 /* gate DPL 0 */
#define VEC_INT_USER   0x81 /* gate DPL 3 */

/* What the last exception or interrupt looked like, written by trap_handler. */
struct trap_record {
    uint64_t count;
    uint64_t vector;
    uint64_t error;
    uint64_t rip;
    uint64_t cs;
    uint64_t cr2;
};
extern volatile struct trap_record last_trap;

/*
 * Where trap_handler sends execution after an expected trap. rip == 0 means no trap is
 * expected (any trap is then reported as a failure and the guest exits); rsp != 0 also
 * replaces RSP, CS and SS (used to come back from ring 3).
 */
struct trap_resume {
    uint64_t rip;
    uint64_t rsp;
    uint64_t cs;
    uint64_t ss;
};
extern volatile struct trap_resume trap_resume;

void descriptors_init(void);
void trap_record_clear(void);

/* check.c */
void check_begin(const char *name);
/* Records a mismatch (first one wins) for the current check. */
void check_u64(const char *what, uint64_t expected, uint64_t got);
void check_end(void);
void check_skip(const char *name, const char *reason);
int check_failures(void);
int check_passes(void);

/* Checks the last trap: vector, error code, RIP (and CS). */
void check_trap(uint64_t vector, uint64_t error, uint64_t rip, uint64_t cs);

/* probes.S: each runs one instruction that should trap, and returns. */
extern char probe_read_insn[], probe_write_insn[], probe_div0_insn[], probe_ud2_insn[];
extern char probe_int3_after[], probe_int80_after[], probe_gp_noncanonical_insn[];
extern char probe_load_ds_insn[], probe_compat_int_after[];
extern char user_read_insn[], user_write_insn[], user_cli_insn[], user_int80_insn[], user_int81_after[];
void probe_read(uint64_t addr);
void probe_write(uint64_t addr, uint64_t value);
void probe_exec(uint64_t addr);
void probe_div0(void);
void probe_ud2(void);
void probe_int3(void);
void probe_int80(void);
void probe_gp_noncanonical(void);
void probe_load_ds(uint16_t selector);
void probe_compat_int(void);
/* Runs `fn(arg)` in ring 3 (64-bit user segment) until it traps; returns after the trap. */
void enter_user(void (*fn)(uint64_t), uint64_t arg);
void user_read(uint64_t addr);
void user_write(uint64_t addr);
void user_cli(uint64_t unused);
void user_int80(uint64_t unused);
void user_int81(uint64_t unused);

/* Test groups. */
void test_faults(void);
void test_paging(void);
void test_syscall(void);
void test_modes(void);

#endif
