/*
 * Hypercall checks through the real hypercall page (TLFS ch. 4 and appendix B): the common
 * input-value and GPA checks in the order of 4.8, rep calls with rep count / start index
 * and the reps-completed field of the result, fast calls, and one probe of every call code
 * of appendix B with the status a child holding this privilege mask must get.
 */
#include "check.h"

#define IN ((uint64_t)hv_input_page)
#define OUT ((uint64_t)hv_output_page)

static void clear_pages(void)
{
    memset(hv_input_page, 0, 4096);
    memset(hv_output_page, 0, 4096);
}

/* HvFlushVirtualAddressSpace input (12.x): AddressSpace, Flags, ProcessorMask. */
#define HV_FLUSH_ALL_PROCESSORS              1ull
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES  2ull
#define HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY    4ull

static void put_flush_header(uint64_t flags)
{
    uint64_t *in = (uint64_t *)hv_input_page;
    in[0] = read_cr3();
    in[1] = flags;
    in[2] = 1; /* processor mask: VP 0 */
}

void run_common_hypercall_checks(void)
{
    clear_pages();
    put_flush_header(HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES);
    uint64_t r = hv_call(HvCallFlushVirtualAddressSpace, IN, 0);
    check_status("hypercall-flush-address-space", HV_STATUS_SUCCESS, r);
    check_u64("hypercall-result-reserved-bits-zero", 0, r & ~0xFFFull);
    check_status("hypercall-unknown-code-0000", HV_STATUS_INVALID_HYPERCALL_CODE, hv_call(0x0000, IN, 0));
    check_status("hypercall-unknown-code-0005", HV_STATUS_INVALID_HYPERCALL_CODE, hv_call(0x0005, IN, 0));
    check_status("hypercall-unknown-code-003f", HV_STATUS_INVALID_HYPERCALL_CODE, hv_call(0x003F, IN, 0));
    check_status("hypercall-unknown-code-ffff", HV_STATUS_INVALID_HYPERCALL_CODE, hv_call(0xFFFF, IN, 0));
    /* 4.2: RsvdZ bits 31:17, 47:44 and 63:60 of the input value. */
    check_status("hypercall-reserved-bit-17", HV_STATUS_INVALID_HYPERCALL_INPUT,
                 hv_call(HvCallFlushVirtualAddressSpace | (1ull << 17), IN, 0));
    check_status("hypercall-reserved-bit-44", HV_STATUS_INVALID_HYPERCALL_INPUT,
                 hv_call(HvCallFlushVirtualAddressSpace | (1ull << 44), IN, 0));
    check_status("hypercall-reserved-bit-63", HV_STATUS_INVALID_HYPERCALL_INPUT,
                 hv_call(HvCallFlushVirtualAddressSpace | (1ull << 63), IN, 0));
    /* 4.5: parameter blocks are 8-byte aligned and do not cross a page. */
    check_status("hypercall-misaligned-input-gpa", HV_STATUS_INVALID_ALIGNMENT,
                 hv_call(HvCallFlushVirtualAddressSpace, IN + 4, 0));
    check_status("hypercall-input-crosses-page", HV_STATUS_INVALID_ALIGNMENT,
                 hv_call(HvCallFlushVirtualAddressSpace, IN + 4096 - 8, 0));
    check_status("hypercall-misaligned-output-gpa", HV_STATUS_INVALID_ALIGNMENT,
                 hv_call(HvCallGetPartitionId, 0, OUT + 4));
    check_status("hypercall-rep-count-on-simple-call", HV_STATUS_INVALID_HYPERCALL_INPUT,
                 hv_call(HvCallFlushVirtualAddressSpace | HV_REP_COUNT(1), IN, 0));
    check_status("hypercall-fast-on-non-fast-call", HV_STATUS_INVALID_HYPERCALL_INPUT,
                 hv_call(HvCallFlushVirtualAddressSpace | HV_HYPERCALL_FAST, IN, 0));
    check_status("hypercall-fast-with-rep-count", HV_STATUS_INVALID_HYPERCALL_INPUT,
                 hv_call(HvCallNotifyLongSpinWait | HV_HYPERCALL_FAST | HV_REP_COUNT(1), 1, 0));
    /* Rep calls: FlushVirtualAddressList = 24-byte header + one GVA range per rep. */
    put_flush_header(HV_FLUSH_ALL_PROCESSORS);
    uint64_t *ranges = (uint64_t *)(hv_input_page + 24);
    ranges[0] = 0x200000;
    ranges[1] = 0x201000;
    ranges[2] = 0x202000;
    check_status("hypercall-rep-count-zero", HV_STATUS_INVALID_HYPERCALL_INPUT,
                 hv_call(HvCallFlushVirtualAddressList, IN, 0));
    check_status("hypercall-rep-start-past-count", HV_STATUS_INVALID_HYPERCALL_INPUT,
                 hv_call(HvCallFlushVirtualAddressList | HV_REP_COUNT(2) | HV_REP_START(2), IN, 0));
    r = hv_call(HvCallFlushVirtualAddressList | HV_REP_COUNT(3), IN, 0);
    check_status("hypercall-rep-flush-list", HV_STATUS_SUCCESS, r);
    check_u64("hypercall-rep-reps-completed", 3, HV_RESULT_REPS(r));
    r = hv_call(HvCallFlushVirtualAddressList | HV_REP_COUNT(3) | HV_REP_START(1), IN, 0);
    check_status("hypercall-rep-start-index", HV_STATUS_SUCCESS, r);
    check_u64("hypercall-rep-start-index-reps-completed", 3, HV_RESULT_REPS(r));
    /* Flags outside the three defined bits are an invalid parameter. */
    put_flush_header(0x100);
    check_status("hypercall-flush-invalid-flags", HV_STATUS_INVALID_PARAMETER,
                 hv_call(HvCallFlushVirtualAddressSpace, IN, 0));
    /* Fast calls: parameters in RDX/R8; SwitchVirtualAddressSpace takes the new CR3. */
    check_status("hypercall-fast-switch-address-space", HV_STATUS_SUCCESS,
                 hv_call_fast(HvCallSwitchVirtualAddressSpace, read_cr3(), 0));
    check_status("hypercall-fast-notify-long-spin-wait", HV_STATUS_SUCCESS,
                 hv_call_fast(HvCallNotifyLongSpinWait, 1, 0));
    *(uint64_t *)hv_input_page = 1;
    check_status("hypercall-memory-notify-long-spin-wait", HV_STATUS_SUCCESS,
                 hv_call(HvCallNotifyLongSpinWait, IN, 0));
    /* VMCALL outside the hypercall page is #UD (4.7; DECISION in native-abi). */
    int fault = HVT_NO_FAULT;
    {
        extern volatile int hvt_fault_vector;
        hvt_fault_vector = HVT_NO_FAULT;
        __asm__ volatile("leaq 1f(%%rip), %%r11\n\t"
                         "movq %%r11, hvt_fixup(%%rip)\n\t"
                         "vmcall\n\t"
                         "1:\n\t"
                         "movq $0, hvt_fixup(%%rip)"
                         :
                         : "c"((uint64_t)HvCallNotifyLongSpinWait | HV_HYPERCALL_FAST), "d"(1ull)
                         : "r11", "rax", "memory");
        fault = hvt_fault_vector;
    }
    check_fault("vmcall-outside-hypercall-page-ud", 6, fault);
}
