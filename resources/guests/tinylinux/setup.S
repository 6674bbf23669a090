/*
 * tinylinux's real-mode part: boot sector + setup header (Linux x86 boot protocol,
 * Documentation/arch/x86/boot.rst, "The real-mode kernel header", protocol 2.12) and the
 * setup code a BIOS-based loader (QEMU -kernel) enters at setup segment + 0x20, offset 0,
 * in real mode. It builds boot_params (the zero page) from the header the loader filled
 * in, asks the BIOS for the memory map (INT 15h AX=E820h), enables A20, switches to 32-bit
 * protected mode with __BOOT_CS/__BOOT_DS and jumps to code32_start with ESI = boot_params
 * ("32-bit boot protocol"). Loaders that use the 64-bit entry never run any of this.
 * Linked at address 0: every label here is an offset from the start of the setup segment.
 */
#define SETUP_SECTS   4
#define BP            0x1000          /* boot_params, inside our setup segment */
#define STACK_TOP     0x3000
#define BOOT_CS       0x10
#define BOOT_DS       0x18
#define E820_MAX      128
#define SMAP          0x534d4150

    .code16
    .section .setup, "ax"
    .globl _setup
_setup:
    /* Offset 0: the legacy boot sector. Booting it from a disk is not supported. */
    cli
1:  hlt
    jmp 1b

    .org 0x1f1
setup_sects:        .byte SETUP_SECTS
root_flags:         .word 0
syssize:            .long __syssize          /* protected-mode size in 16-byte units */
ram_size:           .word 0
vid_mode:           .word 0xffff             /* NORMAL_VGA */
root_dev:           .word 0
boot_flag:          .word 0xaa55
    .org 0x200
    /* A short jump whose displacement also tells loaders where the header ends. */
    .byte 0xeb, start_of_setup - header
header:             .ascii "HdrS"
version:            .word 0x020c             /* 2.12: xloadflags */
realmode_swtch:     .long 0
start_sys_seg:      .word 0x1000
kernel_version:     .word kernel_version_str - 0x200
type_of_loader:     .byte 0
loadflags:          .byte 0x01               /* LOADED_HIGH: protected-mode code at 1 MiB */
setup_move_size:    .word 0x8000
    .org 0x214
code32_start:       .long 0x100000
ramdisk_image:      .long 0
ramdisk_size:       .long 0
bootsect_kludge:    .long 0
heap_end_ptr:       .word 0
ext_loader_ver:     .byte 0
ext_loader_type:    .byte 0
cmd_line_ptr:       .long 0
initrd_addr_max:    .long 0x7fffffff
kernel_alignment:   .long 0x200000
relocatable_kernel: .byte 0                  /* must be loaded at pref_address */
min_alignment:      .byte 21
xloadflags:         .word 0x0001             /* XLF_KERNEL_64: 64-bit entry at +0x200 */
cmdline_size:       .long 2047
hardware_subarch:   .long 0
hardware_subarch_data: .quad 0
payload_offset:     .long 0
payload_length:     .long 0
setup_data:         .quad 0
    .org 0x258
pref_address:       .quad 0x100000
init_size:          .long __init_size        /* file + bss, from 1 MiB */
handover_offset:    .long 0
start_of_setup:
    /* CS = base + 0x20 with IP = 0 here: move to CS = base so labels are offsets. */
    cli
    cld
    movw %cs, %ax
    subw $0x20, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw $STACK_TOP, %sp
    pushw %ax
    pushw $normalized
    lretw
normalized:
    /* boot_params: zeroed, then the setup header as the loader left it (boot.rst: the
       header is copied into the zero page at the same offsets). */
    movw $BP, %di
    xorl %eax, %eax
    movw $1024, %cx
    rep stosl
    movw $0x1f1, %si
    movw $(BP + 0x1f1), %di
    movw $(start_of_setup - 0x1f1), %cx
    rep movsb

    /* The BIOS memory map, 20-byte entries, into e820_table (0x2d0), count at 0x1e8. */
    movw $(BP + 0x2d0), %di
    xorl %ebx, %ebx
    xorw %bp, %bp
e820_next:
    movl $0xe820, %eax
    movl $SMAP, %edx
    movl $20, %ecx
    int $0x15
    jc e820_done
    cmpl $SMAP, %eax
    jne e820_done
    incw %bp
    addw $20, %di
    cmpw $E820_MAX, %bp
    jae e820_done
    testl %ebx, %ebx
    jnz e820_next
e820_done:
    movw %bp, %ax
    movb %al, (BP + 0x1e8)

    /* Fast A20 through port 0x92 (bit 1), never touching bit 0 (reset). */
    inb $0x92, %al
    orb $0x02, %al
    andb $0xfe, %al
    outb %al, $0x92

    /* Linear addresses need the segment base: patch the GDT pointer and the far jump. */
    xorl %ebx, %ebx
    movw %ds, %bx
    shll $4, %ebx
    movl %ebx, %eax
    addl $gdt, %eax
    movl %eax, (gdt_desc + 2)
    movl %ebx, %eax
    addl $in_pm32, %eax
    movl %eax, (pm32_jump)
    movl %ebx, %esi
    addl $BP, %esi

    lgdtl gdt_desc
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl *pm32_jump

    .code32
in_pm32:
    /* 32-bit boot protocol: __BOOT_DS in DS/ES/SS, ESI = boot_params, EBP/EDI/EBX zero. */
    movl $BOOT_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    movl %eax, %ss
    xorl %ebp, %ebp
    xorl %edi, %edi
    xorl %ebx, %ebx
    jmp *0x214(%esi)                 /* code32_start as the loader left it */

    .balign 8
gdt:
    .quad 0
    .quad 0
    .quad 0x00cf9a000000ffff         /* 0x10 __BOOT_CS: flat 32-bit code */
    .quad 0x00cf92000000ffff         /* 0x18 __BOOT_DS: flat data */
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long 0
pm32_jump:
    .long 0
    .word BOOT_CS

kernel_version_str:
    .asciz "tinylinux 1.0 (HV Manager loader test)"

    .org (SETUP_SECTS + 1) * 512

    .section .note.GNU-stack, "", @progbits
