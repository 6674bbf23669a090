/*
 * The triple guest: loads an empty IDT (limit 0) and executes UD2. #UD cannot be
 * delivered (its gate is past the IDT limit), which is #GP, which cannot be delivered
 * either, so #DF; #DF's gate is missing too, so the processor shuts down: a triple fault
 * (Intel SDM vol. 3 §6.15, interrupt 8: "processor enters shutdown mode"). QEMU with
 * -no-reboot then exits with status 0; our machine reports a 'triple-fault' stop.
 */
#include "../lib/guest.h"

struct __attribute__((packed)) idt_ptr {
    uint16_t limit;
    uint64_t base;
};

int kmain(uint32_t magic, uint32_t info)
{
    serial_init(COM1_BASE);
    multiboot_init(magic, info);
    kprintf("HV Manager triple guest\n");
    kprintf("loading an empty IDT and executing ud2\n");
    struct idt_ptr empty = {0, 0};
    __asm__ volatile("lidt %0\n\tud2" : : "m"(empty));
    // Only reached if the machine did not shut down.
    kprintf("FAIL still running after the triple fault\n");
    return 1;
}
