/*
 * Inline wrappers for the privileged x86-64 instructions the guests use: port I/O,
 * CPUID, RDMSR/WRMSR, control registers, HLT. Intel SDM vol. 2 for each instruction.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

#define GUEST_DEFINE_CR(n)                                                              \
    static inline uint64_t read_cr##n(void)                                             \
    {                                                                                   \
        uint64_t v;                                                                     \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                               \
        return v;                                                                       \
    }                                                                                   \
    static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }

GUEST_DEFINE_CR(0)
GUEST_DEFINE_CR(2)
GUEST_DEFINE_CR(3)
GUEST_DEFINE_CR(4)
#undef GUEST_DEFINE_CR

static inline void invlpg(const volatile void *p) { __asm__ volatile("invlpg (%0)" : : "r"(p) : "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt"); }
static inline void cli(void) { __asm__ volatile("cli"); }
static inline void sti(void) { __asm__ volatile("sti"); }
static inline void cpu_relax(void) { __asm__ volatile("pause"); }

/* CPUID.1:ECX[31] is reserved for hypervisors to announce themselves (TLFS §2.4.1). */
#define CPUID1_ECX_HYPERVISOR (1u << 31)

/* isa-debug-exit: QEMU's (and our machine's) test-exit port; status = (value << 1) | 1. */
#define DEBUG_EXIT_PORT 0xF4

/* Write `code` to the debug-exit port; if nothing stops the machine, halt forever. */
void guest_exit(uint32_t code) __attribute__((noreturn));

#endif
