/*
 * The mode trip of the cpu-modes guest: 64-bit -> compatibility mode -> paging off
 * (legacy 32-bit protected mode, EFER.LME cleared) -> INT n through a 32-bit IDT ->
 * 16-bit protected mode -> real mode (INT n through the IVT, segment arithmetic) ->
 * 32-bit protected mode (INT n again) -> long mode -> 64-bit. Intel SDM vol. 3 §9.8.5
 * (entering long mode), §9.8.5.4 (leaving it), §9.9.2 (switching back to real mode).
 * The code from tramp_start to tramp_end is copied to LOW_BASE, below 64 KiB, because
 * 16-bit and real-mode code must run from a 64 KiB segment; addresses inside it are
 * written as LOW(label). It records what it saw in the tramp_results block.
 */
#define LOW_BASE   0x8000
#define LOW(x)     ((x) - tramp_start + LOW_BASE)
#define OFF(x)     ((x) - tramp_start)
#define STACK_LOW  0x7000
#define SEG_TEST   0x600    /* real-mode segment for the arithmetic check: 0x600:0x10 = 0x6010 */

    .text
    .code64
    .globl mode_trip
mode_trip:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, trip_saved_rsp(%rip)
    sidt trip_saved_idt(%rip)
    pushq $0x18
    pushq $LOW(t_compat)
    lretq

    .globl mode_trip_back64
mode_trip_back64:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs
    movq trip_saved_rsp(%rip), %rsp
    lidt trip_saved_idt(%rip)
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

    .globl tramp_start, tramp_end, tramp_results
    .balign 16
tramp_start:
    .code32
t_compat:
    /* Compatibility mode, CS = 0x18. Paging off drops EFER.LMA; then clear LME. */
    movl %cr0, %eax
    andl $0x7FFFFFFF, %eax
    movl %eax, %cr0
    movl $0xC0000080, %ecx
    rdmsr
    andl $0xFFFFFEFF, %eax
    wrmsr
    /* Legacy 32-bit protected mode, paging off. */
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl $STACK_LOW, %esp
    rdmsr
    movl %eax, LOW(r_efer_pm32)
    movl %cr0, %eax
    movl %eax, LOW(r_cr0_pm32)
    lidt pm32_idt_ptr
    int $0x30
t_pm32_after_int1:
    ljmp $0x28, $LOW(t_pm16)

    .code16
t_pm16:
    /* 16-bit protected mode: 64 KiB data segments give real mode sane segment limits. */
    movw $0x30, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    lidtw LOW(rm_idt_ptr)
    movl %cr0, %eax
    andl $0xFFFFFFFE, %eax
    movl %eax, %cr0
    ljmp $(LOW_BASE >> 4), $OFF(t_real)

t_real:
    xorw %ax, %ax
    movw %ax, %ss
    movw $STACK_LOW, %sp
    movw %ax, %es
    movw $(LOW_BASE >> 4), %ax
    movw %ax, %ds
    incw OFF(r_real_reached)
    movw %cs, %ax
    movw %ax, OFF(r_real_cs)
    /* IVT entry 0x82 -> our handler (4 bytes per vector: offset, segment). */
    movw $OFF(rm_handler), %es:(0x82 * 4)
    movw $(LOW_BASE >> 4), %es:(0x82 * 4 + 2)
    int $0x82
t_real_after_int:
    movw $SEG_TEST, %ax
    movw %ax, %es
    movw $0xBEEF, %es:0x10
    /* Back up: PE=1, then a far jump with a 32-bit offset into the flat 32-bit code. */
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x18, $LOW(t_pm32_up)

    .code32
t_pm32_up:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl $STACK_LOW, %esp
    lidt pm32_idt_ptr
    int $0x30
t_pm32_after_int2:
    /* CR3 and CR4.PAE are still set up: LME + PG enters long mode (compatibility). */
    movl $0xC0000080, %ecx
    rdmsr
    orl $0x100, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0
    ljmp $0x08, $mode_trip_back64

pm32_handler:
    incl LOW(r_pm32_count)
    movl (%esp), %eax
    movl %eax, LOW(r_pm32_eip)
    movl 4(%esp), %eax
    movl %eax, LOW(r_pm32_cs)
    iret

    .code16
rm_handler:
    pushw %bp
    movw %sp, %bp
    movw 2(%bp), %ax
    movw %ax, %cs:OFF(r_rm_ip)
    movw 4(%bp), %ax
    movw %ax, %cs:OFF(r_rm_cs)
    incw %cs:OFF(r_rm_count)
    popw %bp
    iret

    .balign 8
rm_idt_ptr:
    .word 0x3FF
    .long 0
    .balign 8
tramp_results:
r_efer_pm32:    .long 0      /* +0 */
r_cr0_pm32:     .long 0      /* +4 */
r_pm32_count:   .long 0      /* +8 */
r_pm32_eip:     .long 0      /* +12 */
r_pm32_cs:      .long 0      /* +16 */
r_real_reached: .word 0      /* +20 */
r_real_cs:      .word 0      /* +22 */
r_rm_ip:        .word 0      /* +24 */
r_rm_cs:        .word 0      /* +26 */
r_rm_count:     .word 0      /* +28 */
                .word 0
tramp_end:

    .globl tramp_pm32_handler, tramp_pm32_after_int1, tramp_pm32_after_int2, tramp_real_after_int
    .set tramp_pm32_handler, pm32_handler
    .set tramp_pm32_after_int1, t_pm32_after_int1
    .set tramp_pm32_after_int2, t_pm32_after_int2
    .set tramp_real_after_int, t_real_after_int

    .data
    .balign 8
trip_saved_rsp: .quad 0
trip_saved_idt: .skip 10

    .section .note.GNU-stack, "", @progbits
