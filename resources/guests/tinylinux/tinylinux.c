/*
 * tinylinux: a tiny kernel that follows the Linux x86 boot protocol (boot.rst) and prints
 * what its loader put in boot_params — protocol version, loader type, which entry ran,
 * the command line (cmd_line_ptr), the e820 map (e820_entries at 0x1E8, e820_table at
 * 0x2D0) and the initrd (ramdisk_image / ramdisk_size plus their ext_ high halves): its
 * size, an FNV-1a checksum of its bytes and its first line. Then it exits through 0xF4.
 */
#include <stddef.h>
#include <stdint.h>

#include "../lib/format.h"
#include "../lib/runtime.h"
#include "../lib/serial.h"

/* boot_params offsets (arch/x86/include/uapi/asm/bootparam.h; boot.rst "zero page"). */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES      0x1e8
#define BP_VERSION           0x206
#define BP_TYPE_OF_LOADER    0x210
#define BP_LOADFLAGS         0x211
#define BP_RAMDISK_IMAGE     0x218
#define BP_RAMDISK_SIZE      0x21c
#define BP_CMD_LINE_PTR      0x228
#define BP_E820_TABLE        0x2d0
#define E820_MAX             128
#define FIRST_LINE_MAX       72
#define CMDLINE_MAX          2048

extern volatile uint32_t entry_bits; /* head.S: 64, or 32 when startup_32 ran */

int kmain(const uint8_t *bp);

static uint32_t rd32(const uint8_t *bp, unsigned off)
{
    uint32_t v;
    memcpy(&v, bp + off, 4);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void print_cmdline(const char *s)
{
    kprintf("cmdline: \"");
    for (unsigned i = 0; i < CMDLINE_MAX && s[i]; i++)
        serial_putc(s[i]);
    kprintf("\"\n");
}

static void print_initrd(const uint8_t *p, uint64_t size)
{
    uint32_t h = 0x811c9dc5;
    for (uint64_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= 0x01000193;
    }
    kprintf("initrd: %llu bytes fnv1a 0x%08x\n", (unsigned long long)size, h);
    kprintf("initrd first line: \"");
    for (uint64_t i = 0; i < size && i < FIRST_LINE_MAX && p[i] != '\n'; i++)
        serial_putc(p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.');
    kprintf("\"\n");
}

int kmain(const uint8_t *bp)
{
    serial_init(COM1_BASE);
    kprintf("HV Manager tinylinux guest\n");
    uint16_t version = (uint16_t)(bp[BP_VERSION] | bp[BP_VERSION + 1] << 8);
    kprintf("boot protocol %u.%02u\n", version >> 8, version & 0xff);
    kprintf("loader: type_of_loader 0x%02x loadflags 0x%02x\n", bp[BP_TYPE_OF_LOADER], bp[BP_LOADFLAGS]);
    kprintf("entry: %u-bit\n", entry_bits);

    uint64_t cmd = rd32(bp, BP_CMD_LINE_PTR) | (uint64_t)rd32(bp, BP_EXT_CMD_LINE_PTR) << 32;
    if (cmd)
        print_cmdline((const char *)(uintptr_t)cmd);
    else
        kprintf("cmdline: none\n");

    unsigned n = bp[BP_E820_ENTRIES];
    kprintf("e820: %u entries\n", n);
    if (n > E820_MAX)
        n = E820_MAX;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = bp + BP_E820_TABLE + i * 20;
        kprintf("e820 0x%016llx 0x%016llx type %u\n", (unsigned long long)rd64(e),
                (unsigned long long)rd64(e + 8), rd32(e, 16));
    }

    uint64_t image = rd32(bp, BP_RAMDISK_IMAGE) | (uint64_t)rd32(bp, BP_EXT_RAMDISK_IMAGE) << 32;
    uint64_t size = rd32(bp, BP_RAMDISK_SIZE) | (uint64_t)rd32(bp, BP_EXT_RAMDISK_SIZE) << 32;
    if (image && size)
        print_initrd((const uint8_t *)(uintptr_t)image, size);
    else
        kprintf("initrd: none\n");
    kprintf("tinylinux done\n");
    return 0;
}
