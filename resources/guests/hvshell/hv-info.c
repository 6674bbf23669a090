/*
 * The `hv` command of hvshell: is a hypervisor present (CPUID.1:ECX[31]), its vendor and
 * highest leaf (0x40000000), the interface signature (0x40000001) and, for "Hv#1", the
 * version (0x40000002) and the partition privileges and features (0x40000003), decoded
 * with the TLFS names of HV_PARTITION_PRIVILEGE_MASK (TLFS §3.3, §5.3 of our inventory).
 */
#include "hvshell.h"

#define HV_INTERFACE_HV1 0x31237648 /* "Hv#1" */

/* Privilege-mask bit names (TLFS HV_PARTITION_PRIVILEGE_MASK); NULL = reserved. */
static const char *const privilege_names[64] = {
    [0] = "AccessVpRunTimeMsr",
    [1] = "AccessPartitionReferenceCounter",
    [2] = "AccessSynicMsrs",
    [3] = "AccessSyntheticTimerMsrs",
    [4] = "AccessApicMsrs",
    [5] = "AccessHypercallMsrs",
    [6] = "AccessVpIndex",
    [7] = "AccessResetMsr",
    [8] = "AccessStatsMsr",
    [9] = "AccessPartitionReferenceTsc",
    [10] = "AccessGuestIdleMsr",
    [32] = "CreatePartitions",
    [33] = "AccessPartitionId",
    [34] = "AccessMemoryPool",
    [35] = "AdjustMessageBuffers",
    [36] = "PostMessages",
    [37] = "SignalEvents",
    [38] = "CreatePort",
    [39] = "ConnectPort",
    [40] = "AccessStats",
    [43] = "Debugging",
    [44] = "CpuManagement",
    [45] = "ConfigureProfiler",
};

static const char *const feature_names[6] = {
    "MwaitAvailable", "GuestDebugging", "PerformanceMonitor", "CpuDynamicPartitioning", "XmmHypercallInput",
    "GuestIdleState",
};

static void printable(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\0' && (s[i] < 0x20 || s[i] > 0x7e))
            s[i] = '.';
}

static void regs_to_chars(char *out, uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t regs[3] = {a, b, c};
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < 4; i++)
            out[r * 4 + i] = (char)(regs[r] >> (8 * i));
    out[12] = '\0';
    printable(out, 12);
}

void cmd_hv(void)
{
    if (!(cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR)) {
        kprintf("hypervisor present: no (CPUID.1:ECX[31] is clear)\n");
        return;
    }
    kprintf("hypervisor present: yes\n");
    struct cpuid_regs v = cpuid(0x40000000, 0);
    char vendor[13];
    regs_to_chars(vendor, v.ebx, v.ecx, v.edx);
    kprintf("vendor: \"%s\" max leaf 0x%08x\n", vendor, v.eax);
    if (v.eax < 0x40000001)
        return;
    uint32_t sig = cpuid(0x40000001, 0).eax;
    char sig_text[5] = {(char)sig, (char)(sig >> 8), (char)(sig >> 16), (char)(sig >> 24), 0};
    for (int i = 0; i < 4; i++)
        if (sig_text[i] < 0x20 || sig_text[i] > 0x7e)
            sig_text[i] = '.';
    kprintf("interface: 0x%08x \"%s\"\n", sig, sig_text);
    if (sig != HV_INTERFACE_HV1) {
        kprintf("not a Hyper-V (Hv#1) interface: no privileges to show\n");
        return;
    }
    if (v.eax >= 0x40000002) {
        struct cpuid_regs ver = cpuid(0x40000002, 0);
        kprintf("version: build %u, %u.%u, service pack %u, branch %u, number %u%s\n", ver.eax, ver.ebx >> 16,
                ver.ebx & 0xFFFF, ver.ecx, ver.edx >> 24, ver.edx & 0xFFFFFF,
                (ver.eax | ver.ebx | ver.ecx | ver.edx) ? "" : " (zero until GUEST_OS_ID is set)");
    }
    if (v.eax < 0x40000003)
        return;
    struct cpuid_regs p = cpuid(0x40000003, 0);
    uint64_t mask = ((uint64_t)p.ebx << 32) | p.eax;
    kprintf("privileges: 0x%016lx\n", mask);
    for (int bit = 0; bit < 64; bit++) {
        if (!(mask & (1ull << bit)))
            continue;
        if (privilege_names[bit])
            kprintf("  %2d %s\n", bit, privilege_names[bit]);
        else
            kprintf("  %2d (reserved)\n", bit);
    }
    kprintf("max power state: C%u\n", p.ecx & 0xF);
    kprintf("features (EDX): 0x%08x\n", p.edx);
    for (int bit = 0; bit < 32; bit++) {
        if (!(p.edx & (1u << bit)))
            continue;
        kprintf("  %2d %s\n", bit, bit < 6 ? feature_names[bit] : "(reserved)");
    }
}
