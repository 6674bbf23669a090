/*
 * Shared boot code for every bundled guest: a multiboot v1 header (with the a.out-kludge
 * address fields, so loaders can place the image without parsing ELF64), a 32-bit entry
 * that builds identity page tables (2 MiB pages, first 4 GiB), enables PAE, EFER.LME and
 * CR0.PG, loads a 64-bit GDT and far-jumps to 64-bit code, which calls
 * `int kmain(uint32_t magic, uint32_t info)` and exits through the isa-debug-exit port
 * with its return value. Multiboot v1 spec sections 3.1 (header) and 3.2 (machine state).
 * Intel SDM vol. 3 §9.8.5 gives the order of the long-mode switch.
 */

#define MB_MAGIC      0x1BADB002
/* bit 0: page-align modules, bit 1: memory info, bit 16: the address fields are valid.
 * A guest may build with -DMB_FLAGS=0x3 to be loaded through its ELF program headers. */
#ifndef MB_FLAGS
#define MB_FLAGS      0x00010003
#endif

#define CR0_PE        0x00000001
#define CR0_PG        0x80000000
#define CR4_PAE       0x00000020
#define MSR_EFER      0xC0000080
#define EFER_LME      0x00000100

#define SEL_CODE64    0x08
#define SEL_DATA      0x10

    .section .multiboot, "a"
    .balign 4
    .globl mb_header
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header          /* header_addr */
    .long __image_start      /* load_addr */
    .long __load_end         /* load_end_addr */
    .long __bss_end          /* bss_end_addr */
    .long _start32           /* entry_addr */

    .section .text.boot, "ax"
    .code32
    .globl _start32
_start32:
    cli
    cld
    /* The loader leaves the magic in EAX and the info pointer in EBX (multiboot §3.2). */
    movl %eax, boot_mb_magic
    movl %ebx, boot_mb_info
    movl $boot_stack_top, %esp

    /* The loader zeroes bss, but zero the tables anyway: a reset may re-enter here. */
    movl $boot_pml4, %edi
    xorl %eax, %eax
    movl $(6 * 4096 / 4), %ecx
    rep stosl

    movl $(boot_pdpt + 3), boot_pml4          /* present, writable */

    movl $(boot_pd + 3), %eax
    xorl %ecx, %ecx
1:  movl %eax, boot_pdpt(, %ecx, 8)
    addl $4096, %eax
    incl %ecx
    cmpl $4, %ecx
    jne 1b

    /* 2048 PDEs x 2 MiB: present, writable, PS (large page); identity, 0..4 GiB. */
    movl $0x83, %eax
    xorl %ecx, %ecx
2:  movl %eax, boot_pd(, %ecx, 8)
    addl $0x200000, %eax
    incl %ecx
    cmpl $2048, %ecx
    jne 2b

    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    wrmsr
    movl %cr0, %eax
    orl $(CR0_PG | CR0_PE), %eax
    movl %eax, %cr0                   /* EFER.LMA becomes 1 here */

    lgdt boot_gdt_ptr
    ljmp $SEL_CODE64, $start64

    .code64
start64:
    movw $SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabsq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    movl boot_mb_magic(%rip), %edi
    movl boot_mb_info(%rip), %esi
    call kmain
    movl %eax, %edi
    call guest_exit
3:  cli
    hlt
    jmp 3b

    .section .rodata
    .balign 8
    .globl boot_gdt
boot_gdt:
    .quad 0                           /* 0x00 null */
    .quad 0x00AF9A000000FFFF          /* 0x08 64-bit code, DPL 0 */
    .quad 0x00CF92000000FFFF          /* 0x10 flat data, DPL 0 */
    .quad 0x00CF9A000000FFFF          /* 0x18 32-bit flat code, DPL 0 */
boot_gdt_end:
    .balign 8
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .data
    .balign 4
    .globl boot_mb_magic, boot_mb_info
boot_mb_magic: .long 0
boot_mb_info:  .long 0

    .section .bss
    .balign 4096
    .globl boot_pml4, boot_pdpt, boot_pd
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd:   .skip 4 * 4096
    .balign 16
boot_stack: .skip 16384
    .globl boot_stack_top
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
