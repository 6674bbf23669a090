/*
 * Interrupt entry stubs for all 256 vectors of the cpu-modes guest. Vectors without a
 * CPU-pushed error code push a zero so every frame has the same layout (Intel SDM vol. 3
 * §6.13 lists which exceptions push one); then all general registers are saved and
 * trap_handler(frame) runs. The 64-bit frame keeps RSP 16-byte aligned at the call.
 */
    .text
    .code64

.macro STUB vec
    .balign 16
stub_\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
.endm

.altmacro
.set v, 0
.rept 256
    STUB %v
    .set v, v + 1
.endr

trap_common:
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
    cld
    movq %rsp, %rdi
    call trap_handler
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

.macro STUBADDR vec
    .quad stub_\vec
.endm

    .section .rodata
    .balign 8
    .globl trap_stubs
trap_stubs:
.set v, 0
.rept 256
    STUBADDR %v
    .set v, v + 1
.endr

    .section .note.GNU-stack, "", @progbits
