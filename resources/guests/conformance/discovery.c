/*
 * Discovery and the partition-wide synthetic MSRs: hypervisor CPUID leaves (TLFS 3.1-3.4,
 * appendix D), 0x40000002 before and after HV_X64_MSR_GUEST_OS_ID (3.5), the hypercall MSR
 * and page (4.9), VP index (6.2), reference counter (10.2), reference TSC page (10.3), and
 * the rule that an MSR whose privilege bit the partition lacks raises #GP (11.10).
 */
#include "check.h"

static int cpuid_is(uint32_t leaf, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    struct cpuid_regs r = cpuid(leaf, 0);
    return r.eax == a && r.ebx == b && r.ecx == c && r.edx == d;
}

void run_discovery_checks(void)
{
    struct cpuid_regs r = cpuid(1, 0);
    check_true("cpuid-hypervisor-present-bit", (r.ecx >> 31) & 1, "CPUID.1:ECX[31]=1", "ecx=0x%x", r.ecx);
    r = cpuid(HV_CPUID_VENDOR_AND_MAX, 0);
    check_true("cpuid-40000000-vendor", r.ebx == 0x7263694d && r.ecx == 0x666f736f && r.edx == 0x76482074,
               "\"Microsoft Hv\"", "ebx=0x%x", r.ebx);
    check_true("cpuid-40000000-max-leaf", r.eax >= HV_CPUID_LIMITS && r.eax <= 0x400000FF,
               "0x40000005..0x400000ff", "0x%x", r.eax);
    uint32_t max = r.eax;
    r = cpuid(HV_CPUID_INTERFACE, 0);
    check_true("cpuid-40000001-interface-hv1", r.eax == HV_INTERFACE_HV1 && !r.ebx && !r.ecx && !r.edx,
               "eax=0x31237648 rest 0", "eax=0x%x", r.eax);
    /* 3.3: the version leaf reads zero until the guest has set its OS id. */
    uint64_t os_id = rdmsr(HV_X64_MSR_GUEST_OS_ID);
    check_u64("guest-os-id-initially-zero", 0, os_id);
    r = cpuid(HV_CPUID_VERSION, 0);
    check_true("cpuid-40000002-zero-before-os-id", !(r.eax | r.ebx | r.ecx | r.edx), "all zero", "eax=0x%x", r.eax);

    /* 5.2.3: the mask has only defined bits (0-10, 32-40, 43-45). */
    uint64_t defined = 0x7FFull | (0x1FFull << 32) | (7ull << 43);
    check_u64("cpuid-40000003-privileges-defined-bits", 0, conf_privileges & ~defined);
    check_true("cpuid-40000003-hypercall-msrs", conf_has(HV_PRIV_AccessHypercallMsrs), "AccessHypercallMsrs set",
               "mask 0x%lx", conf_privileges);
    r = cpuid(HV_CPUID_LIMITS, 0);
    check_true("cpuid-40000005-limits", r.eax >= 1 && r.ebx >= 1, "max VPs and LPs >= 1", "eax=0x%x", r.eax);
    /* Leaves above the maximum (up to 0x400000FF) read zero. */
    check_true("cpuid-above-max-leaf-zero", cpuid_is(max + 1, 0, 0, 0, 0), "all zero", "leaf 0x%x nonzero", max + 1);

    uint64_t id = 0x0001040601001DB0ull;
    int f = hvt_wrmsr(HV_X64_MSR_GUEST_OS_ID, id);
    uint64_t back = 0;
    hvt_rdmsr(HV_X64_MSR_GUEST_OS_ID, &back);
    check_true("guest-os-id-write-read", f == HVT_NO_FAULT && back == id, "0x0001040601001db0", "0x%lx", back);
    r = cpuid(HV_CPUID_VERSION, 0);
    check_true("cpuid-40000002-nonzero-after-os-id", (r.eax | r.ebx | r.ecx | r.edx) != 0, "a version", "eax=0x%x",
               r.eax);
}

static int page_is_stub(const uint8_t *p)
{
    if (p[0] != 0x0F || p[1] != 0x01 || p[2] != 0xC1 || p[3] != 0xC3)
        return 0;
    for (int i = 4; i < 4096; i++)
        if (p[i] != 0xCC)
            return 0;
    return 1;
}

void run_hypercall_msr_checks(void)
{
    uint64_t gpa = (uint64_t)hv_hypercall_page;
    uint64_t v = 0;
    hvt_rdmsr(HV_X64_MSR_HYPERCALL, &v);
    check_u64("hypercall-msr-initially-disabled", 0, v & 1);
    /* 3.5: with the OS id zero the Enable bit cannot be set. */
    wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
    hvt_wrmsr(HV_X64_MSR_HYPERCALL, gpa | 1);
    hvt_rdmsr(HV_X64_MSR_HYPERCALL, &v);
    check_u64("hypercall-msr-enable-needs-os-id", 0, v & 1);
    wrmsr(HV_X64_MSR_GUEST_OS_ID, 0x0001040601001DB0ull);
    int f = hvt_wrmsr(HV_X64_MSR_HYPERCALL, gpa | 1);
    hvt_rdmsr(HV_X64_MSR_HYPERCALL, &v);
    check_true("hypercall-msr-enable", f == HVT_NO_FAULT && v == (gpa | 1), "GPA|1", "0x%lx", v);
    check_true("hypercall-page-contents", page_is_stub(hv_hypercall_page), "0F 01 C1 C3 then CC", "first 0x%lx",
               *(uint64_t *)hv_hypercall_page);
    /* The overlay is execute/read only for the guest (4.9; DECISION U22: a write is #GP). */
    f = hvt_write64((volatile uint64_t *)(hv_hypercall_page + 8), 0);
    check_true("hypercall-page-write-protected", f != HVT_NO_FAULT && page_is_stub(hv_hypercall_page),
               "a fault, page unchanged", "fault %ld", (uint64_t)(int64_t)f);
    /* TLFS 2.0 has no Locked bit: bits 11:1 are RsvdP, a later write still takes effect. */
    hvt_wrmsr(HV_X64_MSR_HYPERCALL, gpa | 3);
    hvt_wrmsr(HV_X64_MSR_HYPERCALL, gpa);
    hvt_rdmsr(HV_X64_MSR_HYPERCALL, &v);
    check_u64("hypercall-msr-no-lock-bit", gpa, v & ~0xFFEull);
    /* Disabling removes the overlay: the page's own RAM (zero bss) shows again. */
    check_true("hypercall-msr-disable-restores-page", hv_hypercall_page[0] == 0 && hv_hypercall_page[16] == 0,
               "RAM contents back (00)", "first qword 0x%lx", *(uint64_t *)hv_hypercall_page);
    /* A GPFN past the end of the GPA space is refused with #GP. */
    f = hvt_wrmsr(HV_X64_MSR_HYPERCALL, (1ull << 51) | 1);
    check_fault("hypercall-msr-gpfn-beyond-space", HVT_VECTOR_GP, f);
    f = hvt_wrmsr(HV_X64_MSR_HYPERCALL, gpa | 1);
    hvt_rdmsr(HV_X64_MSR_HYPERCALL, &v);
    check_true("hypercall-msr-reenable", f == HVT_NO_FAULT && v == (gpa | 1) && page_is_stub(hv_hypercall_page),
               "GPA|1 and the stub", "0x%lx", v);
}

/* Reference TSC page (10.3): TscSequence 0, TscScale 8, TscOffset 16. */
static uint8_t tsc_page[4096] __attribute__((aligned(4096)));

static void reference_tsc_checks(void)
{
    if (!conf_has(HV_PRIV_AccessPartitionReferenceTsc)) {
        uint64_t v;
        check_fault("reference-tsc-msr-absent-gp", HVT_VECTOR_GP, hvt_rdmsr(HV_X64_MSR_REFERENCE_TSC, &v));
        return;
    }
    wrmsr(HV_X64_MSR_REFERENCE_TSC, (uint64_t)tsc_page | 1);
    volatile uint32_t *seq = (volatile uint32_t *)tsc_page;
    volatile uint64_t *scale = (volatile uint64_t *)(tsc_page + 8);
    volatile int64_t *offset = (volatile int64_t *)(tsc_page + 16);
    uint32_t s = *seq;
    check_true("reference-tsc-sequence-valid", s != 0 && s != 0xFFFFFFFF, "1..0xfffffffe", "0x%lx", s);
    if (s == 0 || s == 0xFFFFFFFF)
        return;
    uint64_t before = hv_ref_time();
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t tsc = ((uint64_t)hi << 32) | lo;
    uint64_t t = (uint64_t)(((unsigned __int128)tsc * *scale) >> 64) + (uint64_t)*offset;
    uint64_t after = hv_ref_time();
    /* Allow 1 ms (10000 units) either side: the page and the MSR sample one clock. */
    check_true("reference-tsc-matches-counter", t + 10000 >= before && t <= after + 10000, "within the MSR samples",
               "0x%lx", t);
    wrmsr(HV_X64_MSR_REFERENCE_TSC, 0);
}

void run_msr_privilege_checks(void)
{
    uint64_t v = 0;
    int f = hvt_rdmsr(HV_X64_MSR_VP_INDEX, &v);
    check_true("vp-index-msr-bsp-zero", f == HVT_NO_FAULT && v == 0, "0", "0x%lx", v);
    check_fault("vp-index-msr-read-only", HVT_VECTOR_GP, hvt_wrmsr(HV_X64_MSR_VP_INDEX, 1));

    uint64_t a = 0, b = 0;
    hvt_rdmsr(HV_X64_MSR_TIME_REF_COUNT, &a);
    for (volatile int i = 0; i < 20000; i++)
        cpu_relax();
    f = hvt_rdmsr(HV_X64_MSR_TIME_REF_COUNT, &b);
    check_true("time-ref-count-monotonic", f == HVT_NO_FAULT && b > a, "increasing", "delta 0x%lx", b - a);
    check_fault("time-ref-count-read-only", HVT_VECTOR_GP, hvt_wrmsr(HV_X64_MSR_TIME_REF_COUNT, 0));
    reference_tsc_checks();

    if (conf_has(HV_PRIV_AccessVpRunTimeMsr)) {
        hvt_rdmsr(HV_X64_MSR_VP_RUNTIME, &a);
        for (volatile int i = 0; i < 20000; i++)
            cpu_relax();
        f = hvt_rdmsr(HV_X64_MSR_VP_RUNTIME, &b);
        check_true("vp-runtime-nondecreasing", f == HVT_NO_FAULT && b >= a, ">= first read", "delta 0x%lx", b - a);
    }
    /* A synthetic MSR number TLFS does not define (appendix H) faults. */
    check_fault("undefined-synthetic-msr-gp", HVT_VECTOR_GP, hvt_rdmsr(0x40000005, &v));
    check_fault("guest-os-id-write-any", HVT_NO_FAULT, hvt_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0x0001040601001DB0ull));

    /* 11.10: every MSR gated by a privilege the mask lacks raises #GP; granted ones do not. */
    static const struct {
        const char *name;
        int bit;
        uint32_t msr;
    } gated[] = {
        {"msr-privilege-vp-runtime", HV_PRIV_AccessVpRunTimeMsr, HV_X64_MSR_VP_RUNTIME},
        {"msr-privilege-time-ref-count", HV_PRIV_AccessPartitionReferenceCounter, HV_X64_MSR_TIME_REF_COUNT},
        {"msr-privilege-synic-scontrol", HV_PRIV_AccessSynicMsrs, HV_X64_MSR_SCONTROL},
        {"msr-privilege-synic-sversion", HV_PRIV_AccessSynicMsrs, HV_X64_MSR_SVERSION},
        {"msr-privilege-stimer0-config", HV_PRIV_AccessSyntheticTimerMsrs, HV_X64_MSR_STIMER0_CONFIG},
        {"msr-privilege-apic-tpr", HV_PRIV_AccessApicMsrs, HV_X64_MSR_TPR},
        {"msr-privilege-hypercall", HV_PRIV_AccessHypercallMsrs, HV_X64_MSR_HYPERCALL},
        {"msr-privilege-guest-os-id", HV_PRIV_AccessHypercallMsrs, HV_X64_MSR_GUEST_OS_ID},
        {"msr-privilege-vp-index", HV_PRIV_AccessVpIndex, HV_X64_MSR_VP_INDEX},
        {"msr-privilege-reset", HV_PRIV_AccessResetMsr, HV_X64_MSR_RESET},
        {"msr-privilege-stats-vp-retail", HV_PRIV_AccessStatsMsr, HV_X64_MSR_STATS_VP_RETAIL_PAGE},
        {"msr-privilege-reference-tsc", HV_PRIV_AccessPartitionReferenceTsc, HV_X64_MSR_REFERENCE_TSC},
    };
    for (unsigned i = 0; i < sizeof gated / sizeof gated[0]; i++)
        check_fault(gated[i].name, conf_has(gated[i].bit) ? HVT_NO_FAULT : HVT_VECTOR_GP, hvt_rdmsr(gated[i].msr, &v));
    /* Reading GUEST_IDLE idles the VP, so only its absence is probed. */
    if (!conf_has(HV_PRIV_AccessGuestIdleMsr))
        check_fault("msr-privilege-guest-idle", HVT_VECTOR_GP, hvt_rdmsr(HV_X64_MSR_GUEST_IDLE, &v));
}
