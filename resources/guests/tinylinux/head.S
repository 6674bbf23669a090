/*
 * tinylinux's protected-mode kernel head, loaded at 1 MiB (boot.rst, "32-bit boot protocol"
 * and "64-bit boot protocol"): startup_32 at offset 0 (code32_start) builds an identity
 * map of 4 GiB with 2 MiB pages, enables long mode and continues at startup_64; startup_64
 * at offset 0x200 (what XLF_KERNEL_64 promises) is where 64-bit loaders enter with paging on
 * and RSI = boot_params. It calls `int kmain(const uint8_t *boot_params)` and writes the
 * result to the isa-debug-exit port 0xF4.
 */
#define CR0_PG        0x80000000
#define CR4_PAE       0x00000020
#define MSR_EFER      0xC0000080
#define EFER_LME      0x00000100

    .section .head.text, "ax"
    .code32
    .globl startup_32
startup_32:
    cli
    cld
    movl $32, entry_bits
    movl $boot_stack_top, %esp

    movl $pml4, %edi
    xorl %eax, %eax
    movl $(6 * 4096 / 4), %ecx
    rep stosl
    movl $(pdpt + 3), pml4
    movl $(pd + 3), %eax
    xorl %ecx, %ecx
1:  movl %eax, pdpt(, %ecx, 8)
    addl $4096, %eax
    incl %ecx
    cmpl $4, %ecx
    jne 1b
    movl $0x83, %eax                 /* present, writable, 2 MiB */
    xorl %ecx, %ecx
2:  movl %eax, pd(, %ecx, 8)
    addl $0x200000, %eax
    incl %ecx
    cmpl $2048, %ecx
    jne 2b

    movl $pml4, %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    wrmsr
    movl %cr0, %eax
    orl $CR0_PG, %eax
    movl %eax, %cr0
    lgdt gdt64_desc
    ljmp $0x10, $from32

    .code64
from32:
    movl %esi, %esi                  /* boot_params, zero-extended */
    jmp startup_64

    .org 0x200
    .globl startup_64
startup_64:
    cli
    cld
    movl $0x18, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movabsq $boot_stack_top, %rsp
    movq %rsi, %rdi
    call kmain
    movl %eax, %edi
    call guest_exit
3:  cli
    hlt
    jmp 3b

    .section .rodata
    .balign 8
gdt64:
    .quad 0
    .quad 0
    .quad 0x00af9a000000ffff         /* 0x10 64-bit code (as __BOOT_CS) */
    .quad 0x00cf92000000ffff         /* 0x18 data (as __BOOT_DS) */
gdt64_end:
gdt64_desc:
    .word gdt64_end - gdt64 - 1
    .long gdt64

    .section .data
    .balign 4
    .globl entry_bits
entry_bits: .long 64                 /* 32 once startup_32 ran */

    .section .bss
    .balign 4096
pml4: .skip 4096
pdpt: .skip 4096
pd:   .skip 4 * 4096
    .balign 16
    .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
