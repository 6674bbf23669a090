/*
 * Reads the multiboot v1 information structure (multiboot spec §3.3): the boot command
 * line, which QEMU fills from `-append` (prefixed with the kernel file name) and our
 * loader from the VM's command line. Parsing never trusts lengths: words end at a space
 * or the NUL.
 */
#include "multiboot.h"

static const struct multiboot_info *mb_info;

int multiboot_init(uint32_t magic, uint32_t info)
{
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC || info == 0)
        return 0;
    mb_info = (const struct multiboot_info *)(uintptr_t)info;
    return 1;
}

const char *multiboot_cmdline(void)
{
    if (!mb_info || !(mb_info->flags & MULTIBOOT_INFO_CMDLINE) || mb_info->cmdline == 0)
        return "";
    return (const char *)(uintptr_t)mb_info->cmdline;
}

int multiboot_arg(const char *key, char *out, size_t size)
{
    const char *p = multiboot_cmdline();
    size_t klen = 0;
    while (key[klen])
        klen++;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p && *p != ' ')
            p++;
        size_t wlen = (size_t)(p - word);
        int match = wlen > klen && word[klen] == '=';
        for (size_t i = 0; match && i < klen; i++)
            match = word[i] == key[i];
        if (!match)
            continue;
        size_t i = 0;
        for (const char *v = word + klen + 1; v < p && i + 1 < size; v++)
            out[i++] = *v;
        if (size > 0)
            out[i] = '\0';
        return 1;
    }
    return 0;
}

uint64_t multiboot_arg_u64(const char *key, uint64_t fallback)
{
    char buf[24];
    if (!multiboot_arg(key, buf, sizeof buf) || buf[0] == '\0')
        return fallback;
    uint64_t v = 0;
    for (const char *c = buf; *c; c++) {
        if (*c < '0' || *c > '9')
            return fallback;
        v = v * 10 + (uint64_t)(*c - '0');
    }
    return v;
}
