/*
 * GDT, TSS and 64-bit IDT of the cpu-modes guest, and the C half of its trap handler.
 * Descriptor formats: Intel SDM vol. 3 §3.4.5 (segment), §7.2.3 (64-bit TSS), §6.14.1
 * (64-bit IDT gates). Expected traps resume where trap_resume says; unexpected ones end
 * the run with a FAIL line, since the guest state can no longer be trusted.
 */
#include "cpu-modes.h"

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

struct __attribute__((packed)) table_ptr {
    uint16_t limit;
    uint64_t base;
};

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

volatile struct trap_record last_trap;
volatile struct trap_resume trap_resume;

extern const uint64_t trap_stubs[256]; /* traps.S */

static uint64_t gdt[GDT_ENTRIES];
static uint64_t idt[512] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));

/* Flat code/data descriptor: base 0, limit 4 GiB (or 64 KiB for 16-bit ones). */
static uint64_t segment(uint32_t access, uint32_t flags, uint32_t limit)
{
    return (uint64_t)(limit & 0xFFFF) | ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           ((uint64_t)flags << 52);
}

static void set_gate(int vector, uint64_t handler, int dpl)
{
    // 64-bit interrupt gate (type 0xE): IF is cleared on entry.
    idt[vector * 2] = (handler & 0xFFFF) | ((uint64_t)SEL_CODE64 << 16) | ((uint64_t)(0x8E | (dpl << 5)) << 40) |
                      ((handler >> 16) & 0xFFFF) << 48;
    idt[vector * 2 + 1] = handler >> 32;
}

extern uint64_t boot_pml4[], boot_pdpt[], boot_pd[];

void descriptors_init(void)
{
    // Ring 3 needs U/S=1 at every paging level. The user probes and the user stack live
    // in the image, so the first 2 MiB become user pages (SDM §4.6: no SMEP/SMAP here).
    boot_pml4[0] |= 4;
    boot_pdpt[0] |= 4;
    boot_pd[0] |= 4;
    write_cr3(read_cr3());

    gdt[0] = 0;
    gdt[SEL_CODE64 / 8] = segment(0x9A, 0xA, 0xFFFFF);  /* L=1, G=1 */
    gdt[SEL_DATA / 8] = segment(0x92, 0xC, 0xFFFFF);    /* D/B=1, G=1 */
    gdt[SEL_CODE32 / 8] = segment(0x9A, 0xC, 0xFFFFF);
    gdt[0x20 / 8] = 0;
    gdt[SEL_CODE16 / 8] = segment(0x9A, 0x0, 0xFFFF);   /* 16-bit, byte granular */
    gdt[SEL_DATA16 / 8] = segment(0x92, 0x0, 0xFFFF);
    gdt[SEL_UCODE32 / 8] = segment(0xFA, 0xC, 0xFFFFF);
    gdt[SEL_UDATA / 8] = segment(0xF2, 0xC, 0xFFFFF);
    gdt[SEL_UCODE64 / 8] = segment(0xFA, 0xA, 0xFFFFF);

    memset(&tss, 0, sizeof tss);
    tss.rsp[0] = (uint64_t)(uintptr_t)(ring0_stack + sizeof ring0_stack);
    tss.iomap_base = sizeof tss; /* no I/O bitmap: ring 3 port access faults */
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint32_t limit = sizeof tss - 1;
    gdt[SEL_TSS / 8] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | ((uint64_t)0x89 << 40) |
                       ((uint64_t)((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[SEL_TSS / 8 + 1] = base >> 32;

    struct table_ptr gp = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(gp), "i"(SEL_CODE64), "r"(SEL_DATA), "r"(SEL_TSS)
                     : "rax", "memory");

    for (int v = 0; v < 256; v++)
        set_gate(v, trap_stubs[v], v == VEC_INT_USER ? 3 : 0);
    struct table_ptr ip = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(ip));
}

void trap_record_clear(void)
{
    last_trap.count = 0;
    last_trap.vector = ~0ull;
    last_trap.error = ~0ull;
    last_trap.rip = 0;
    last_trap.cs = 0;
    last_trap.cr2 = 0;
}

void trap_handler(struct trap_frame *f)
{
    last_trap.count++;
    last_trap.vector = f->vector;
    last_trap.error = f->error;
    last_trap.rip = f->rip;
    last_trap.cs = f->cs;
    last_trap.cr2 = read_cr2();
    if (trap_resume.rip == 0) {
        kprintf("FAIL unexpected-trap: vector %lu error 0x%lx rip 0x%lx cs 0x%lx cr2 0x%lx\n", f->vector, f->error,
                f->rip, f->cs, last_trap.cr2);
        kprintf("cpu-modes: aborted\n");
        guest_exit(1);
    }
    f->rip = trap_resume.rip;
    if (trap_resume.rsp) {
        f->rsp = trap_resume.rsp;
        f->cs = trap_resume.cs;
        f->ss = trap_resume.ss;
    }
    trap_resume.rip = 0;
    trap_resume.rsp = 0;
}
