/*
 * The multiboot v1 information structure (multiboot spec §3.3) as far as the guests read
 * it, and a lookup of `key=value` words in the kernel command line.
 */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002
#define MULTIBOOT_INFO_MEMORY  (1u << 0)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower; /* KiB below 1 MiB */
    uint32_t mem_upper; /* KiB above 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline;   /* physical address of a NUL-terminated string */
};

/* Records the loader's magic and info pointer; returns 0 if the magic is wrong. */
int multiboot_init(uint32_t magic, uint32_t info);
/* The command line, or "" when the loader gave none. */
const char *multiboot_cmdline(void);
/*
 * Copies the value of the first word `key=value` into `out` (NUL-terminated, truncated to
 * `size`); returns 1 if found. Words are separated by spaces.
 */
int multiboot_arg(const char *key, char *out, size_t size);
/* The value of `key=N` as an unsigned decimal, or `fallback` when absent or malformed. */
uint64_t multiboot_arg_u64(const char *key, uint64_t fallback);

#endif
