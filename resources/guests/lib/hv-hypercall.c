/*
 * The native hypercall interface of lib/hv.h (TLFS 4.7-4.9): identification through
 * HV_X64_MSR_GUEST_OS_ID (3.5; a zero id keeps the hypercall page disabled), the hypercall
 * page enabled by HV_X64_MSR_HYPERCALL (GPFN 63:12, Enable 0), and calls into its first
 * byte with the x64 register convention. The hypervisor preserves every register but RAX
 * (and RCX on a rep continuation, which it re-executes itself), so the asm clobbers little.
 */
#include "hv.h"
#include "cpu.h"
#include "format.h"

uint8_t hv_input_page[4096] __attribute__((aligned(4096)));
uint8_t hv_output_page[4096] __attribute__((aligned(4096)));
uint8_t hv_hypercall_page[4096] __attribute__((aligned(4096)));

/* 3.5 layout: vendor 63:48 (1 = Microsoft), OS 47:40 (4 = NT), major 39:32, minor 31:24,
 * service version 23:16, build 15:0. Any non-zero value identifies the guest. */
#define GUEST_OS_ID_VALUE 0x0001040601001DB0ull

static const char *const status_names[] = {
    [0x00] = "HV_STATUS_SUCCESS", [0x02] = "HV_STATUS_INVALID_HYPERCALL_CODE",
    [0x03] = "HV_STATUS_INVALID_HYPERCALL_INPUT", [0x04] = "HV_STATUS_INVALID_ALIGNMENT",
    [0x05] = "HV_STATUS_INVALID_PARAMETER", [0x06] = "HV_STATUS_ACCESS_DENIED",
    [0x07] = "HV_STATUS_INVALID_PARTITION_STATE", [0x08] = "HV_STATUS_OPERATION_DENIED",
    [0x09] = "HV_STATUS_UNKNOWN_PROPERTY", [0x0A] = "HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE",
    [0x0B] = "HV_STATUS_INSUFFICIENT_MEMORY", [0x0C] = "HV_STATUS_PARTITION_TOO_DEEP",
    [0x0D] = "HV_STATUS_INVALID_PARTITION_ID", [0x0E] = "HV_STATUS_INVALID_VP_INDEX",
    [0x11] = "HV_STATUS_INVALID_PORT_ID", [0x12] = "HV_STATUS_INVALID_CONNECTION_ID",
    [0x13] = "HV_STATUS_INSUFFICIENT_BUFFERS", [0x14] = "HV_STATUS_NOT_ACKNOWLEDGED",
    [0x16] = "HV_STATUS_ACKNOWLEDGED", [0x17] = "HV_STATUS_INVALID_SAVE_RESTORE_STATE",
    [0x18] = "HV_STATUS_INVALID_SYNIC_STATE", [0x19] = "HV_STATUS_OBJECT_IN_USE",
    [0x1B] = "HV_STATUS_NO_DATA", [0x1C] = "HV_STATUS_INACTIVE", [0x1D] = "HV_STATUS_NO_RESOURCES",
    [0x1E] = "HV_STATUS_FEATURE_UNAVAILABLE", [0x1F] = "HV_STATUS_PARTIAL_PACKET",
};

const char *hv_status_name(uint16_t status)
{
    static char buf[24];
    if (status < sizeof status_names / sizeof status_names[0] && status_names[status])
        return status_names[status];
    ksnprintf(buf, sizeof buf, "HV_STATUS_0x%04x", status);
    return buf;
}

uint64_t hv_privileges(void)
{
    struct cpuid_regs r = cpuid(HV_CPUID_FEATURES, 0);
    return ((uint64_t)r.ebx << 32) | r.eax;
}

int hv_present(void)
{
    if (!(cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR))
        return 0;
    if (cpuid(HV_CPUID_VENDOR_AND_MAX, 0).eax < HV_CPUID_FEATURES)
        return 0;
    return cpuid(HV_CPUID_INTERFACE, 0).eax == HV_INTERFACE_HV1;
}

int hv_enable_hypercalls(void)
{
    if (!hv_present() || !hv_has_privilege(HV_PRIV_AccessHypercallMsrs))
        return -1;
    if (rdmsr(HV_X64_MSR_GUEST_OS_ID) == 0)
        wrmsr(HV_X64_MSR_GUEST_OS_ID, GUEST_OS_ID_VALUE);
    wrmsr(HV_X64_MSR_HYPERCALL, (uint64_t)hv_hypercall_page | 1);
    return (rdmsr(HV_X64_MSR_HYPERCALL) & 1) ? 0 : -1;
}

uint64_t hv_call(uint64_t control, uint64_t in_gpa, uint64_t out_gpa)
{
    uint64_t result;
    register uint64_t r8 __asm__("r8") = out_gpa;
    __asm__ volatile("call *%[page]"
                     : "=a"(result), "+c"(control), "+d"(in_gpa), "+r"(r8)
                     : [page] "r"(hv_hypercall_page)
                     : "memory", "cc");
    return result;
}

uint64_t hv_call_fast(uint64_t control, uint64_t p1, uint64_t p2)
{
    return hv_call(control | HV_HYPERCALL_FAST, p1, p2);
}

uint64_t hv_ref_time(void) { return rdmsr(HV_X64_MSR_TIME_REF_COUNT); }
