/*
 * The lib/trap.h IDT: 64-bit interrupt gates (type 0xE, DPL 0, selector 0x08, IST 0) for all
 * 256 vectors (Intel SDM vol. 3 §6.14.1), a dispatcher with per-vector handlers and counts,
 * and the fault-probing MSR accessors. A probe stores its recovery address in
 * `hvt_fixup`; a fault while it is set resumes there instead of at the faulting
 * instruction, and the vector is recorded for the probe to return.
 */
#include "trap.h"
#include "cpu.h"
#include "format.h"

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
} __attribute__((packed));

extern const uint8_t hvt_stubs[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static hvt_handler handlers[256];
static uint32_t counts[256];
static int installed;

/* Written by the probes below (through inline assembly), read by the dispatcher. */
volatile uint64_t hvt_fixup;
volatile int hvt_fault_vector;

void hvt_install(void)
{
    if (installed)
        return;
    for (int v = 0; v < 256; v++) {
        uint64_t addr = (uint64_t)(hvt_stubs + 16 * v);
        idt[v].offset_lo = (uint16_t)addr;
        idt[v].selector = 0x08;
        idt[v].ist = 0;
        idt[v].type_attr = 0x8E; /* present, DPL 0, 64-bit interrupt gate */
        idt[v].offset_mid = (uint16_t)(addr >> 16);
        idt[v].offset_hi = (uint32_t)(addr >> 32);
        idt[v].reserved = 0;
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) ptr = {sizeof idt - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" : : "m"(ptr) : "memory");
    installed = 1;
}

void hvt_set_handler(uint8_t vector, hvt_handler handler) { handlers[vector] = handler; }

uint32_t hvt_count(uint8_t vector) { return counts[vector]; }

void hvt_dispatch(struct hvt_frame *f);
void hvt_dispatch(struct hvt_frame *f)
{
    uint8_t v = (uint8_t)f->vector;
    counts[v]++;
    if (v < 32 && hvt_fixup) {
        hvt_fault_vector = v;
        f->rip = hvt_fixup;
        hvt_fixup = 0;
        return;
    }
    if (handlers[v]) {
        handlers[v](f);
        return;
    }
    if (v < 32) {
        kprintf("FAIL unexpected-exception: vector %u error 0x%lx rip 0x%lx\n", v, f->error_code, f->rip);
        guest_exit(1);
    }
    /* An interrupt nobody expects: counted, otherwise ignored (the caller EOIs if needed). */
}

int hvt_rdmsr(uint32_t msr, uint64_t *value)
{
    uint32_t lo = 0, hi = 0;
    hvt_fault_vector = HVT_NO_FAULT;
    __asm__ volatile("leaq 1f(%%rip), %%r11\n\t"
                     "movq %%r11, hvt_fixup(%%rip)\n\t"
                     "rdmsr\n\t"
                     "1:\n\t"
                     "movq $0, hvt_fixup(%%rip)"
                     : "+a"(lo), "+d"(hi)
                     : "c"(msr)
                     : "r11", "memory");
    *value = ((uint64_t)hi << 32) | lo;
    return hvt_fault_vector;
}

int hvt_wrmsr(uint32_t msr, uint64_t value)
{
    hvt_fault_vector = HVT_NO_FAULT;
    __asm__ volatile("leaq 1f(%%rip), %%r11\n\t"
                     "movq %%r11, hvt_fixup(%%rip)\n\t"
                     "wrmsr\n\t"
                     "1:\n\t"
                     "movq $0, hvt_fixup(%%rip)"
                     :
                     : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "r11", "memory");
    return hvt_fault_vector;
}

int hvt_write64(volatile uint64_t *p, uint64_t value)
{
    hvt_fault_vector = HVT_NO_FAULT;
    __asm__ volatile("leaq 1f(%%rip), %%r11\n\t"
                     "movq %%r11, hvt_fixup(%%rip)\n\t"
                     "movq %1, (%0)\n\t"
                     "1:\n\t"
                     "movq $0, hvt_fixup(%%rip)"
                     :
                     : "r"(p), "r"(value)
                     : "r11", "memory");
    return hvt_fault_vector;
}
