/*
 * conformance: a child-partition guest that checks our hypervisor against TLFS 2.0 through
 * its real interfaces (CPUID, synthetic MSRs, the hypercall page, SynIC, timers, APIC,
 * stats pages). One line per check, a summary, then exit through port 0xF4 with 0 when
 * every check passed and 1 otherwise. Expectations follow the privilege mask the partition
 * is given (CPUID 0x40000003): what is not advertised must be absent.
 */
#include "check.h"

uint64_t conf_privileges;
uint32_t conf_features;

int kmain(uint32_t magic, uint32_t info)
{
    serial_init(COM1_BASE);
    multiboot_init(magic, info);
    hvt_install();
    kprintf("HV Manager conformance guest\n");
    if (!hv_present()) {
        kprintf("FAIL hypervisor-present: expected \"Hv#1\" got no Microsoft hypervisor interface\n");
        kprintf("conformance: 0 passed, 1 failed\n");
        return 1;
    }
    struct cpuid_regs r = cpuid(HV_CPUID_FEATURES, 0);
    conf_privileges = ((uint64_t)r.ebx << 32) | r.eax;
    conf_features = r.edx;
    kprintf("privileges 0x%016lx features 0x%08x\n", conf_privileges, conf_features);
    run_discovery_checks();
    run_hypercall_msr_checks();
    run_msr_privilege_checks();
    if (hv_enable_hypercalls() == 0) {
        run_common_hypercall_checks();
        run_hypercall_table_checks();
    } else {
        check_fail("hypercall-page-usable", "expected an enabled hypercall page got none");
    }
    run_synic_checks();
    run_timer_checks();
    run_apic_checks();
    run_stats_checks();
    kprintf("conformance: %d passed, %d failed\n", check_passes(), check_failures());
    return check_failures() ? 1 : 0;
}
