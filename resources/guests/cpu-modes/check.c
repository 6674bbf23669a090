/*
 * Reporting for the cpu-modes guest: every named check prints exactly one line,
 * `PASS name`, `FAIL name: expected X got Y` (the first mismatching field) or
 * `SKIP name: reason`, so the host-side test can count them.
 */
#include "cpu-modes.h"

static const char *current;
static int failed_field;
static int passes, failures;

void check_begin(const char *name)
{
    current = name;
    failed_field = 0;
}

void check_u64(const char *what, uint64_t expected, uint64_t got)
{
    if (failed_field || expected == got)
        return;
    failed_field = 1;
    kprintf("FAIL %s: expected %s 0x%lx got 0x%lx\n", current, what, expected, got);
}

void check_end(void)
{
    if (failed_field) {
        failures++;
    } else {
        passes++;
        kprintf("PASS %s\n", current);
    }
}

void check_skip(const char *name, const char *reason)
{
    kprintf("SKIP %s: %s\n", name, reason);
}

int check_failures(void) { return failures; }
int check_passes(void) { return passes; }

void check_trap(uint64_t vector, uint64_t error, uint64_t rip, uint64_t cs)
{
    check_u64("trap count", 1, last_trap.count);
    check_u64("vector", vector, last_trap.vector);
    check_u64("error code", error, last_trap.error);
    check_u64("rip", rip, last_trap.rip);
    check_u64("cs", cs, last_trap.cs);
}
