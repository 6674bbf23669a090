/*
 * The bootinfo guest: prints what its multiboot v1 loader handed over (multiboot spec 0.6.96
 * §3.3) — the boot loader name, the command line, mem_lower/mem_upper, every memory-map
 * entry, and every module with its string, byte length and an FNV-1a checksum of its
 * contents — then checks that its data segment (a separate PT_LOAD 1 MiB above the code,
 * see link.ld) holds its initial value, and exits through port 0xF4. Built without the
 * a.out-kludge flag, so a loader must read the ELF program headers to place it.
 */
#include "../lib/guest.h"

#define MBI_MEMORY    (1u << 0)
#define MBI_CMDLINE   (1u << 2)
#define MBI_MODS      (1u << 3)
#define MBI_MEM_MAP   (1u << 6)
#define MBI_LOADER    (1u << 9)
/* A memory map longer than this is treated as corrupt rather than walked forever. */
#define MAX_MMAP_ENTRIES 64
#define MAX_MODULES      16

struct mb_info {
    uint32_t flags;
    uint32_t mem_lower;
    uint32_t mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count;
    uint32_t mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length;
    uint32_t mmap_addr;
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
};

struct __attribute__((packed)) mb_mmap_entry {
    uint32_t size; /* of the rest of the entry, not counting this field */
    uint64_t base;
    uint64_t length;
    uint32_t type;
};

struct mb_module {
    uint32_t mod_start;
    uint32_t mod_end; /* one past the last byte */
    uint32_t string;
    uint32_t reserved;
};

/* In .data, i.e. the second PT_LOAD segment: zero here means the segment was misplaced. */
static volatile uint32_t data_marker = 0x5eed1e55;

static const char *str_at(uint32_t addr)
{
    return addr ? (const char *)(uintptr_t)addr : "";
}

static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
    uint32_t h = 0x811c9dc5;
    for (uint32_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x01000193;
    }
    return h;
}

static void print_mmap(const struct mb_info *mbi)
{
    uint32_t at = mbi->mmap_addr;
    uint32_t end = mbi->mmap_addr + mbi->mmap_length;
    unsigned count = 0;
    /* First pass counts, second prints, so the count line comes first. */
    for (uint32_t p = at; p + 4 <= end && count < MAX_MMAP_ENTRIES; count++) {
        const struct mb_mmap_entry *e = (const struct mb_mmap_entry *)(uintptr_t)p;
        if (e->size < 20)
            break;
        p += e->size + 4;
    }
    kprintf("mmap: %u entries\n", count);
    for (unsigned i = 0; i < count; i++) {
        const struct mb_mmap_entry *e = (const struct mb_mmap_entry *)(uintptr_t)at;
        kprintf("mmap 0x%016llx 0x%016llx type %u\n", (unsigned long long)e->base,
                (unsigned long long)e->length, e->type);
        at += e->size + 4;
    }
}

static void print_modules(const struct mb_info *mbi)
{
    uint32_t n = mbi->mods_count;
    kprintf("modules: %u\n", n);
    if (n > MAX_MODULES)
        n = MAX_MODULES;
    const struct mb_module *m = (const struct mb_module *)(uintptr_t)mbi->mods_addr;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t size = m[i].mod_end >= m[i].mod_start ? m[i].mod_end - m[i].mod_start : 0;
        kprintf("module %u: %u bytes fnv1a 0x%08x %s\n", i, size,
                fnv1a((const uint8_t *)(uintptr_t)m[i].mod_start, size),
                (m[i].mod_start & 0xfff) == 0 ? "page-aligned" : "not page-aligned");
        kprintf("module %u string: \"%s\"\n", i, str_at(m[i].string));
    }
}

int kmain(uint32_t magic, uint32_t info)
{
    serial_init(COM1_BASE);
    kprintf("HV Manager bootinfo guest\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC || info == 0) {
        kprintf("bad multiboot magic 0x%08x info 0x%08x\n", magic, info);
        return 1;
    }
    const struct mb_info *mbi = (const struct mb_info *)(uintptr_t)info;
    kprintf("flags 0x%08x\n", mbi->flags);
    if (mbi->flags & MBI_LOADER)
        kprintf("boot loader: \"%s\"\n", str_at(mbi->boot_loader_name));
    if (mbi->flags & MBI_CMDLINE)
        kprintf("cmdline: \"%s\"\n", str_at(mbi->cmdline));
    else
        kprintf("cmdline: none\n");
    if (mbi->flags & MBI_MEMORY)
        kprintf("memory: lower %u KiB upper %u KiB\n", mbi->mem_lower, mbi->mem_upper);
    if (mbi->flags & MBI_MEM_MAP)
        print_mmap(mbi);
    else
        kprintf("mmap: none\n");
    if (mbi->flags & MBI_MODS)
        print_modules(mbi);
    else
        kprintf("modules: none\n");
    uint32_t marker = data_marker;
    int ok = marker == 0x5eed1e55;
    kprintf("data segment at 0x%08x: marker 0x%08x %s\n", (uint32_t)(uintptr_t)&data_marker, marker, ok ? "ok" : "WRONG");
    kprintf("bootinfo done\n");
    return ok ? 0 : 1;
}
