/*
 * The hello guest: programs COM1, prints a banner, reports the hypervisor CPUID leaves
 * (TLFS §2.4: CPUID.1:ECX[31], leaf 0x40000000 vendor and max leaf, 0x40000001 interface
 * signature "Hv#1"), prints "ready" and then echoes every byte it receives, turning CR
 * into CR LF, until the host turns the machine off. Between bytes it sleeps in HLT until
 * the UART's receive interrupt (lib/serial-irq.c), so an idle VM costs no host CPU.
 */
#include "../lib/guest.h"
#include "../lib/serial-irq.h"

/* Copies 4 little-endian bytes of a register into `out` (the CPUID vendor string order). */
static void reg_chars(uint32_t reg, char *out)
{
    for (int i = 0; i < 4; i++)
        out[i] = (char)(reg >> (8 * i));
}

/* Prints the 4 bytes as text when printable, so an unknown interface still shows safely. */
static void print_signature(const char *label, uint32_t value)
{
    char s[5];
    reg_chars(value, s);
    s[4] = '\0';
    for (int i = 0; i < 4; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            s[i] = '.';
    kprintf("%s: 0x%08x \"%s\"\n", label, value, s);
}

static void report_hypervisor(void)
{
    struct cpuid_regs l1 = cpuid(1, 0);
    if (!(l1.ecx & CPUID1_ECX_HYPERVISOR)) {
        kprintf("no hypervisor\n");
        return;
    }
    struct cpuid_regs vendor = cpuid(0x40000000, 0);
    char name[13];
    reg_chars(vendor.ebx, name);
    reg_chars(vendor.ecx, name + 4);
    reg_chars(vendor.edx, name + 8);
    name[12] = '\0';
    for (int i = 0; i < 12; i++)
        if (name[i] != '\0' && (name[i] < 0x20 || name[i] > 0x7e))
            name[i] = '.';
    kprintf("hypervisor vendor: \"%s\" max leaf 0x%08x\n", name, vendor.eax);
    // TLFS §2.4.2: leaf 0x40000001 exists only when the max leaf reaches it.
    if (vendor.eax >= 0x40000001)
        print_signature("hypervisor interface", cpuid(0x40000001, 0).eax);
}

int kmain(uint32_t magic, uint32_t info)
{
    serial_init(COM1_BASE);
    serial_irq_enable(COM1_BASE);
    multiboot_init(magic, info);
    kprintf("HV Manager hello guest\n");
    report_hypervisor();
    kprintf("ready\n");
    for (;;) {
        uint8_t c = serial_getc();
        serial_put_raw(c);
        if (c == '\r')
            serial_put_raw('\n');
    }
}
