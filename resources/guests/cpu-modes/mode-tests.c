/*
 * Checks of the mode trip in modes.S: legacy protected mode really had EFER.LMA and
 * CR0.PG clear, INT n went through the 32-bit IDT (twice) and the real-mode IVT with the
 * right return CS:EIP / CS:IP, real-mode segment arithmetic (segment * 16 + offset) hit
 * the right byte, and the guest came back to 64-bit mode with paging and LMA on.
 */
#include "cpu-modes.h"

#define LOW_BASE 0x8000
#define MSR_EFER 0xC0000080
#define EFER_LMA (1u << 10)
#define CR0_PG   (1u << 31)

struct __attribute__((packed)) tramp_results {
    uint32_t efer_pm32, cr0_pm32, pm32_count, pm32_eip, pm32_cs;
    uint16_t real_reached, real_cs, rm_ip, rm_cs, rm_count, pad;
};

struct __attribute__((packed)) idt32_ptr {
    uint16_t limit;
    uint32_t base;
};

extern char tramp_start[], tramp_end[], tramp_results[];
extern char tramp_pm32_handler[], tramp_pm32_after_int1[], tramp_pm32_after_int2[], tramp_real_after_int[];
void mode_trip(void);

#define PM32_VECTOR 0x30
static uint64_t pm32_idt[PM32_VECTOR + 1];
struct idt32_ptr pm32_idt_ptr;

static uint32_t low(const char *sym)
{
    return (uint32_t)(LOW_BASE + (uintptr_t)(sym - tramp_start));
}

void test_modes(void)
{
    uint64_t size = (uint64_t)(tramp_end - tramp_start);
    memcpy((void *)(uintptr_t)LOW_BASE, tramp_start, size);
    volatile struct tramp_results *r = (volatile struct tramp_results *)(uintptr_t)low(tramp_results);
    memset((void *)(uintptr_t)r, 0, sizeof *r);
    *(volatile uint16_t *)(uintptr_t)0x6010 = 0;

    // 32-bit interrupt gate (type 0xE, 32-bit) to the copied handler in the flat 0x18 segment.
    uint32_t h = low(tramp_pm32_handler);
    pm32_idt[PM32_VECTOR] = (h & 0xFFFF) | ((uint64_t)SEL_CODE32 << 16) | (0x8Eull << 40) | ((uint64_t)(h >> 16) << 48);
    pm32_idt_ptr.limit = sizeof pm32_idt - 1;
    pm32_idt_ptr.base = (uint32_t)(uintptr_t)pm32_idt;

    trap_record_clear();
    mode_trip();

    check_begin("mode-protected32-no-long-mode");
    check_u64("EFER.LMA", 0, r->efer_pm32 & EFER_LMA);
    check_u64("CR0.PG", 0, r->cr0_pm32 & CR0_PG);
    check_end();

    check_begin("int-n-protected32");
    check_u64("count", 2, r->pm32_count);
    check_u64("eip", low(tramp_pm32_after_int2), r->pm32_eip);
    check_u64("cs", SEL_CODE32, r->pm32_cs);
    check_end();

    check_begin("mode-real");
    check_u64("reached", 1, r->real_reached);
    check_u64("cs", LOW_BASE >> 4, r->real_cs);
    check_end();

    check_begin("int-n-real-mode");
    check_u64("count", 1, r->rm_count);
    check_u64("ip", (uint64_t)(tramp_real_after_int - tramp_start), r->rm_ip);
    check_u64("cs", LOW_BASE >> 4, r->rm_cs);
    check_end();

    check_begin("real-mode-segmentation");
    check_u64("word at 0x6010", 0xBEEF, *(volatile uint16_t *)(uintptr_t)0x6010);
    check_end();

    check_begin("mode-back-to-long");
    check_u64("EFER.LMA", EFER_LMA, rdmsr(MSR_EFER) & EFER_LMA);
    check_u64("CR0.PG", CR0_PG, read_cr0() & CR0_PG);
    check_u64("trap count", 0, last_trap.count);
    check_end();

    // The 64-bit IDT must work again after the trip.
    trap_record_clear();
    check_begin("int-n-64bit-after-trip");
    probe_int80();
    check_trap(VEC_INT_KERNEL, 0, (uint64_t)(uintptr_t)probe_int80_after, SEL_CODE64);
    check_end();
}
