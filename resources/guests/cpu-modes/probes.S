/*
 * One-instruction probes for the cpu-modes guest. Each probe stores its resume address in
 * trap_resume.rip, runs the instruction that should trap (labelled *_insn, the RIP a fault
 * reports) and ends at *_after (the RIP a trap such as INT3 reports). Intel SDM vol. 3
 * §6.5: faults report the faulting instruction, traps the next one.
 */
    .text
    .code64

.macro ARM label
    leaq \label(%rip), %rax
    movq %rax, trap_resume(%rip)
.endm

.macro DISARM
    movq $0, trap_resume(%rip)
.endm

    .globl probe_read, probe_read_insn
probe_read:
    ARM 1f
probe_read_insn:
    movq (%rdi), %rax
1:  DISARM
    ret

    .globl probe_write, probe_write_insn
probe_write:
    ARM 1f
probe_write_insn:
    movq %rsi, (%rdi)
1:  DISARM
    ret

    /* jmp, not call: the fetch fault then leaves RSP as it was. */
    .globl probe_exec
probe_exec:
    ARM 1f
    jmp *%rdi
1:  DISARM
    ret

    .globl probe_div0, probe_div0_insn
probe_div0:
    ARM 1f
    movl $1, %eax
    xorl %edx, %edx
    xorl %ecx, %ecx
probe_div0_insn:
    divl %ecx
1:  DISARM
    ret

    .globl probe_ud2, probe_ud2_insn
probe_ud2:
    ARM 1f
probe_ud2_insn:
    ud2
1:  DISARM
    ret

    .globl probe_int3, probe_int3_after
probe_int3:
    ARM probe_int3_after
    int3
probe_int3_after:
    DISARM
    ret

    .globl probe_int80, probe_int80_after
probe_int80:
    ARM probe_int80_after
    int $0x80
probe_int80_after:
    DISARM
    ret

    .globl probe_gp_noncanonical, probe_gp_noncanonical_insn
probe_gp_noncanonical:
    ARM 1f
    movabsq $0x8000000000000000, %rdx
probe_gp_noncanonical_insn:
    movq (%rdx), %rax
1:  DISARM
    ret

    .globl probe_load_ds, probe_load_ds_insn
probe_load_ds:
    ARM 1f
probe_load_ds_insn:
    movw %di, %ds
1:  DISARM
    movw $0x10, %ax
    movw %ax, %ds
    ret

    /* INT n from compatibility mode: far return into the 32-bit code segment (0x18). */
    .globl probe_compat_int, probe_compat_int_after
probe_compat_int:
    pushq %rbx
    movq %rsp, compat_saved_rsp(%rip)
    ARM probe_compat_int_after
    pushq $0x18
    leaq compat_code(%rip), %rax
    pushq %rax
    lretq
    .code32
compat_code:
    int $0x80
probe_compat_int_after:
    pushl $0x08
    pushl $compat_back
    lret
    .code64
compat_back:
    /* Upper halves of registers are undefined after compatibility mode (SDM §3.4.1.1). */
    movq compat_saved_rsp(%rip), %rsp
    popq %rbx
    DISARM
    ret

/*
 * enter_user(fn, arg): iretq to ring 3 at fn with RDI = arg, on the user stack. The user
 * code always ends in a trap; trap_handler then resumes at 1: in ring 0 with our RSP.
 */
    .globl enter_user
enter_user:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    leaq 1f(%rip), %rax
    movq %rax, trap_resume(%rip)
    movq %rsp, trap_resume+8(%rip)
    movq $0x08, trap_resume+16(%rip)
    movq $0x10, trap_resume+24(%rip)
    pushq $0x43                       /* SS: user data | RPL 3 */
    leaq user_stack_top(%rip), %rax
    pushq %rax
    pushq $0x2                        /* RFLAGS: IF=0 */
    pushq $0x4B                       /* CS: user code64 | RPL 3 */
    pushq %rdi
    movq %rsi, %rdi
    iretq
1:  movw $0x10, %ax                   /* iretq to ring 3 nulled DS/ES (SDM §6.14.3) */
    movw %ax, %ds
    movw %ax, %es
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

/* Ring-3 bodies: the trapping instruction, then ud2 in case it did not trap. */
    .globl user_read, user_read_insn
user_read:
user_read_insn:
    movq (%rdi), %rax
    ud2

    .globl user_write, user_write_insn
user_write:
user_write_insn:
    movq $1, (%rdi)
    ud2

    .globl user_cli, user_cli_insn
user_cli:
user_cli_insn:
    cli
    ud2

    .globl user_int80, user_int80_insn
user_int80:
user_int80_insn:
    int $0x80
    ud2

    .globl user_int81, user_int81_after
user_int81:
    int $0x81
user_int81_after:
    ud2

    .data
    .balign 8
compat_saved_rsp: .quad 0

    .bss
    .balign 16
    .globl user_stack_top
user_stack: .skip 4096
user_stack_top:

    .section .note.GNU-stack, "", @progbits
