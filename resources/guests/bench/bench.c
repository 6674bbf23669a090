/*
 * The bench guest: a compute-bound 64-bit integer workload with paging on, for timing the
 * CPU emulator against QEMU TCG. Three phases over RAM past the image: CRC-32 over a
 * pseudo-random buffer, a sort of 32-bit pseudo-random values, a sieve of Eratosthenes.
 * The size comes from `scale=N` on the multiboot command line (default 4: 4 MiB CRC, 1 Mi
 * values sorted, sieve to 4 Mi); every printed value depends only on the scale, so the
 * output is identical on any x86-64 implementation. Exits via port 0xF4 with 0 on success.
 */
#include "../lib/guest.h"

#define DEFAULT_SCALE 4
#define MIB (1024u * 1024u)

extern char __bss_end[];

static uint64_t rng_state;

/* xorshift64: deterministic and cheap, so every machine produces the same data. */
static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

static uint32_t crc_table[256];

static void crc32_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, uint64_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (uint64_t i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static void phase_crc(uint8_t *buf, uint64_t bytes)
{
    rng_state = 0x9E3779B97F4A7C15ull;
    uint64_t *w = (uint64_t *)buf;
    for (uint64_t i = 0; i < bytes / 8; i++)
        w[i] = rng_next();
    crc32_init();
    kprintf("crc32 %08x over %lu bytes\n", crc32(buf, bytes), bytes);
}

static void sift_down(uint32_t *a, uint64_t root, uint64_t n)
{
    for (;;) {
        uint64_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        uint32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

/* Heapsort: O(n log n) with no recursion and no extra memory. */
static void heap_sort(uint32_t *a, uint64_t n)
{
    for (uint64_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (uint64_t end = n; end-- > 1;) {
        uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

static int phase_sort(uint32_t *a, uint64_t n)
{
    rng_state = 0xD1B54A32D192ED03ull;
    uint64_t sum_before = 0;
    for (uint64_t i = 0; i < n; i++) {
        a[i] = (uint32_t)(rng_next() >> 16);
        sum_before += a[i];
    }
    heap_sort(a, n);
    uint64_t sum_after = 0, weighted = 0;
    int ordered = 1;
    for (uint64_t i = 0; i < n; i++) {
        sum_after += a[i];
        weighted = weighted * 31 + a[i];
        if (i > 0 && a[i - 1] > a[i])
            ordered = 0;
    }
    int ok = ordered && sum_after == sum_before;
    kprintf("sort %lu values min %08x max %08x checksum %016lx %s\n", n, a[0], a[n - 1], weighted,
            ok ? "ok" : "BROKEN");
    return ok;
}

static void phase_sieve(uint8_t *composite, uint64_t limit)
{
    memset(composite, 0, limit + 1);
    uint64_t count = 0, last = 0;
    for (uint64_t i = 2; i <= limit; i++) {
        if (composite[i])
            continue;
        count++;
        last = i;
        for (uint64_t j = i * i; j <= limit; j += i)
            composite[j] = 1;
    }
    kprintf("sieve %lu primes %lu largest %lu\n", limit, count, last);
}

int kmain(uint32_t magic, uint32_t info)
{
    serial_init(COM1_BASE);
    int have_mb = multiboot_init(magic, info);
    kprintf("HV Manager bench guest\n");

    uint64_t arena = ((uint64_t)(uintptr_t)__bss_end + MIB - 1) & ~(uint64_t)(MIB - 1);
    uint64_t ram_end = 64ull * MIB;
    const struct multiboot_info *mbi = (const struct multiboot_info *)(uintptr_t)info;
    if (have_mb && (mbi->flags & MULTIBOOT_INFO_MEMORY))
        ram_end = MIB + (uint64_t)mbi->mem_upper * 1024;
    // The largest phase (sieve) needs scale MiB + 1 byte; keep clear of the end of RAM.
    uint64_t max_scale = ram_end > arena + MIB ? (ram_end - arena - MIB) / MIB : 0;
    uint64_t scale = multiboot_arg_u64("scale", DEFAULT_SCALE);
    if (scale == 0 || scale > max_scale) {
        kprintf("bad scale %lu (1..%lu fits in RAM)\n", scale, max_scale);
        return 2;
    }
    kprintf("scale %lu\n", scale);

    phase_crc((uint8_t *)(uintptr_t)arena, scale * MIB);
    int ok = phase_sort((uint32_t *)(uintptr_t)arena, scale * MIB / 4);
    phase_sieve((uint8_t *)(uintptr_t)arena, scale * MIB);
    kprintf("bench %s\n", ok ? "done" : "FAILED");
    return ok ? 0 : 1;
}
