/*
 * SYSCALL/SYSRET round trip for the cpu-modes guest (Intel SDM vol. 2, SYSCALL and
 * SYSRET; AMD APM vol. 2 §6.1.1). syscall_round_trip() SYSRETs to ring 3; the user code
 * records its CS, SS and RFLAGS, sets DF and SYSCALLs (leg 1: the kernel records what
 * SYSCALL delivered and SYSRETs back with RAX = 42); the user code SYSCALLs again with
 * that value (leg 2), and the kernel returns to the C caller. Results go to sc_result.
 */
    .text
    .code64

    .globl syscall_round_trip
syscall_round_trip:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, sc_kernel_rsp(%rip)
    leaq user_stack_top(%rip), %rsp
    leaq sc_user_entry(%rip), %rcx
    movq $0x86, %r11                /* SF | PF | reserved bit 1: proves R11 -> RFLAGS */
    sysretq
sc_done:
    movq sc_kernel_rsp(%rip), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

/* LSTAR points here. RSP is still the user's: SYSCALL does not switch stacks. */
    .globl syscall_entry
syscall_entry:
    pushfq                          /* kernel RFLAGS = user RFLAGS & ~FMASK */
    popq sc_result+56(%rip)
    cmpq $2, %rax
    je 2f
    movq %rcx, sc_result+0(%rip)    /* RIP after the user's SYSCALL */
    movq %r11, sc_result+8(%rip)    /* user RFLAGS */
    movq %rdi, sc_result+16(%rip)   /* user CS */
    movq %rsi, sc_result+24(%rip)   /* user RFLAGS right after SYSRET */
    movq %rdx, sc_result+32(%rip)   /* user SS */
    xorl %eax, %eax
    movw %cs, %ax
    movq %rax, sc_result+40(%rip)   /* kernel CS from STAR[47:32] */
    movw %ss, %ax
    movq %rax, sc_result+48(%rip)   /* kernel SS = STAR[47:32] + 8 */
    movq $42, %rax
    sysretq
2:  movq %rdi, sc_result+64(%rip)   /* what leg 1 returned in RAX */
    movq %rcx, sc_result+72(%rip)
    jmp sc_done

    .globl sc_user_entry, sc_user_ret1, sc_user_ret2
sc_user_entry:
    /* No flag-changing instruction before SYSCALL: R11 must equal what SYSRET loaded | DF. */
    movq %cs, %rdi
    movq %ss, %rdx
    pushfq
    popq %rsi
    std
    movl $1, %eax
    syscall
sc_user_ret1:
    cld
    movq %rax, %rdi
    movl $2, %eax
    syscall
sc_user_ret2:
    ud2

    .data
    .balign 8
sc_kernel_rsp: .quad 0
    .globl sc_result
sc_result: .skip 80

    .section .note.GNU-stack, "", @progbits
