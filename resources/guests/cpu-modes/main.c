/*
 * The cpu-modes system-test guest: installs its own GDT, TSS and IDT, then checks
 * exceptions and error codes (#DE, #UD, #GP, INT3, INT n), page faults with CR2 and error
 * codes (not-present, write, NX, user, reserved bit), SYSCALL/SYSRET, INT n from
 * compatibility mode, and a trip down to real mode and back up to long mode. Prints one
 * PASS/FAIL/SKIP line per check and exits via port 0xF4 with 0 when nothing failed.
 */
#include "cpu-modes.h"

int kmain(uint32_t magic, uint32_t info)
{
    serial_init(COM1_BASE);
    multiboot_init(magic, info);
    kprintf("HV Manager cpu-modes guest\n");
    descriptors_init();
    test_faults();
    test_paging();
    test_syscall();
    test_modes();
    kprintf("cpu-modes: %d passed, %d failed\n", check_passes(), check_failures());
    return check_failures() ? 1 : 0;
}
