/*
 * hvshell: a small interactive 64-bit guest on COM1. It reads lines with the line editor
 * and runs `help`, `cpuid [leaf [subleaf]]`, `hv`, `cmdline`, `poweroff` (writes 0 to the
 * isa-debug-exit port 0xF4, our machine's and QEMU's test-exit device) and `reboot`
 * (pulses the reset line through the i8042 controller: command 0xFE to port 0x64).
 * While waiting for input it sleeps in HLT until COM1's receive interrupt (lib/serial-irq.c),
 * unless the command line says `poll=1`.
 */
#include "hvshell.h"
#include "line-editor.h"
#include "../lib/serial-irq.h"

#define I8042_STATUS  0x64
#define I8042_COMMAND 0x64
#define I8042_STATUS_INPUT_FULL 0x02
#define I8042_PULSE_RESET 0xFE

#define MAX_WORDS 4

/* Parses "0x..." as hex, anything else as decimal; returns 0 if malformed. */
int parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return 0;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            return 0;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > 0xFFFFFFFFull)
            return 0;
    }
    *out = (uint32_t)v;
    return 1;
}

static int split_words(char *line, char **words)
{
    int n = 0;
    char *p = line;
    while (*p && n < MAX_WORDS) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        words[n++] = p;
        while (*p && *p != ' ')
            p++;
    }
    return n;
}

static void cmd_help(void)
{
    kprintf("commands:\n"
            "  help                   this list\n"
            "  cpuid [leaf [subleaf]] run CPUID (numbers in decimal or 0x hex; default leaf 0)\n"
            "  hv                     hypervisor present? vendor, interface, privileges\n"
            "  cmdline                the multiboot command line\n"
            "  hypercall <code> [fast] call the hypervisor with zero input, print the status\n"
            "  timer <ms>             synthetic timer 0 on SINT2: expected vs actual expiry\n"
            "  msg <conn> [text]      HvPostMessage to a connection id\n"
            "  event <conn> [flag]    HvSignalEvent to a connection id\n"
            "  dbg <text>             HvPostDebugData\n"
            "  stats                  VP counters from the stats page (appendix J names)\n"
            "  uptime                 the partition reference counter\n"
            "  poweroff [acpi]        turn off (port 0xF4; acpi: PM1 SLP_EN, 0x3400 to 0x604)\n"
            "  reboot                 reset through the i8042 controller\n");
}

static void cmd_cpuid(int argc, char **argv)
{
    uint32_t leaf = 0, sub = 0;
    if ((argc > 1 && !parse_u32(argv[1], &leaf)) || (argc > 2 && !parse_u32(argv[2], &sub))) {
        kprintf("usage: cpuid [leaf [subleaf]]\n");
        return;
    }
    struct cpuid_regs r = cpuid(leaf, sub);
    kprintf("cpuid 0x%08x.%u: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", leaf, sub, r.eax, r.ebx, r.ecx, r.edx);
}

static void cmd_poweroff(int argc, char **argv)
{
    kprintf("powering off\n");
    /* Our machine's ACPI PM1a control (core/vmm/devices/acpi-pm1): SLP_TYP 5 | SLP_EN. */
    if (argc > 1 && !strcmp(argv[1], "acpi"))
        outw(0x604, 0x3400);
    guest_exit(0);
}

static void cmd_reboot(void)
{
    kprintf("rebooting\n");
    for (int i = 0; i < 100000 && (inb(I8042_STATUS) & I8042_STATUS_INPUT_FULL); i++)
        cpu_relax();
    outb(I8042_COMMAND, I8042_PULSE_RESET);
    for (int i = 0; i < 1000000; i++)
        cpu_relax();
    kprintf("reboot: the i8042 reset did not happen\n");
}

static void run_command(char *line)
{
    char *argv[MAX_WORDS];
    int argc = split_words(line, argv);
    if (argc == 0)
        return;
    if (!strcmp(argv[0], "help"))
        cmd_help();
    else if (!strcmp(argv[0], "cpuid"))
        cmd_cpuid(argc, argv);
    else if (!strcmp(argv[0], "hv"))
        cmd_hv();
    else if (!strcmp(argv[0], "cmdline"))
        kprintf("%s\n", multiboot_cmdline());
    else if (!strcmp(argv[0], "poweroff"))
        cmd_poweroff(argc, argv);
    else if (!strcmp(argv[0], "hypercall"))
        cmd_hypercall(argc, argv);
    else if (!strcmp(argv[0], "timer"))
        cmd_timer(argc, argv);
    else if (!strcmp(argv[0], "msg"))
        cmd_msg(argc, argv);
    else if (!strcmp(argv[0], "event"))
        cmd_event(argc, argv);
    else if (!strcmp(argv[0], "dbg"))
        cmd_dbg(argc, argv);
    else if (!strcmp(argv[0], "stats"))
        cmd_stats();
    else if (!strcmp(argv[0], "uptime"))
        cmd_uptime();
    else if (!strcmp(argv[0], "reboot"))
        cmd_reboot();
    else
        kprintf("unknown command '%s' (try help)\n", argv[0]);
}

int kmain(uint32_t magic, uint32_t info)
{
    serial_init(COM1_BASE);
    multiboot_init(magic, info);
    /* `poll=1` on the command line keeps the old busy LSR polling (a baseline for tests). */
    if (!multiboot_arg_u64("poll", 0))
        serial_irq_enable(COM1_BASE);
    kprintf("HV Manager hvshell (type help)\n");
    char line[128];
    for (;;) {
        kprintf("hv> ");
        if (read_line(line, sizeof line) >= 0)
            run_command(line);
    }
}
