/*
 * A 256-vector 64-bit IDT for guests that need to catch exceptions and take interrupts
 * (Intel SDM vol. 3 ch. 6): every vector enters one common stub that saves the GPRs and
 * calls the C dispatcher. Expected faults (a #GP from RDMSR/WRMSR on an MSR the partition
 * may not touch, TLFS 11.10) are caught with a fixup address instead of a handler, so one
 * probe never stops the run. Interrupt handlers are registered per vector.
 */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include <stdint.h>

/* What the common stub leaves on the stack (lowest address first). */
struct hvt_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*hvt_handler)(struct hvt_frame *frame);

#define HVT_VECTOR_GP 13
#define HVT_NO_FAULT  (-1)

/* Builds and loads the IDT (idempotent). Unexpected exceptions print and exit with 1. */
void hvt_install(void);
void hvt_set_handler(uint8_t vector, hvt_handler handler);
/* Counts of entries per vector since boot (interrupts included). */
uint32_t hvt_count(uint8_t vector);

/* RDMSR/WRMSR that return the vector of the fault they caused, or HVT_NO_FAULT. */
int hvt_rdmsr(uint32_t msr, uint64_t *value);
int hvt_wrmsr(uint32_t msr, uint64_t value);
/* A 64-bit store that returns the fault vector or HVT_NO_FAULT. */
int hvt_write64(volatile uint64_t *p, uint64_t value);

#endif
