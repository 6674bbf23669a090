/*
 * Shared declarations of the conformance guest: the one-line-per-check report (`PASS name`
 * or `FAIL name: expected X got Y`) and the check groups, each independent of the others.
 */
#ifndef CONFORMANCE_CHECK_H
#define CONFORMANCE_CHECK_H

#include "../lib/guest.h"
#include "../lib/hv.h"
#include "../lib/trap.h"

void check_pass(const char *name);
void check_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* PASS when got == expected, else FAIL with both in hex. */
void check_u64(const char *name, uint64_t expected, uint64_t got);
/* PASS when the status of `result` is `expected`, else FAIL with both names. */
void check_status(const char *name, uint16_t expected, uint64_t result);
/* PASS when the fault vector is the expected one (HVT_NO_FAULT = none). */
void check_fault(const char *name, int expected, int got);
void check_true(const char *name, int ok, const char *expected, const char *got_fmt, uint64_t got);
int check_failures(void);
int check_passes(void);

/* The privilege mask and 0x40000003 EDX, read once by main. */
extern uint64_t conf_privileges;
extern uint32_t conf_features;
/* The mask goes through a register on purpose: gcc would otherwise emit
 * `testb $imm8, disp32(%rip)`, which our interpreter decodes with the RIP-relative
 * address taken before the immediate (off by one byte; reported to the lead). */
static inline int conf_has(int bit)
{
    uint64_t m = conf_privileges;
    __asm__("" : "+r"(m));
    return (int)((m >> bit) & 1);
}

void run_discovery_checks(void);
void run_hypercall_msr_checks(void);
void run_msr_privilege_checks(void);
void run_common_hypercall_checks(void);
void run_hypercall_table_checks(void);
void run_synic_checks(void);
void run_timer_checks(void);
void run_apic_checks(void);
void run_stats_checks(void);

#endif
