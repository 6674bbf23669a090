/*
 * Entry stubs of the lib/trap.c IDT: 256 small stubs (vectors that push no error code push
 * a zero one, Intel SDM vol. 3 §6.13), then one common path that saves the GPRs, calls
 * `hvt_dispatch(frame)` with a 16-byte aligned stack and returns with IRETQ.
 */
    .text
    .code64

/* Exceptions with a CPU-pushed error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17, #CP 21. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21)

    .balign 16
    .globl hvt_stubs
hvt_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if HAS_ERROR(vec)
    nop
    nop
    .else
    pushq $0
    .endif
    pushq $vec
    jmp hvt_common
    .set vec, vec + 1
    .endr

hvt_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    cld
    call hvt_dispatch
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    iretq

    .section .note.GNU-stack, "", @progbits
