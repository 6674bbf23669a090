/*
 * The conformance guest's report: every check prints exactly one line, PASS or FAIL with
 * what was expected and what came back, and bumps a counter for the summary line.
 */
#include <stdarg.h>
#include "check.h"

static int passes, failures;

struct line_sink {
    char *buf;
    size_t size, pos;
};

static void line_put(char c, void *ctx)
{
    struct line_sink *s = ctx;
    if (s->pos + 1 < s->size)
        s->buf[s->pos++] = c;
}

void check_pass(const char *name)
{
    passes++;
    kprintf("PASS %s\n", name);
}

void check_fail(const char *name, const char *fmt, ...)
{
    char buf[192];
    struct line_sink sink = {buf, sizeof buf, 0};
    va_list ap;
    va_start(ap, fmt);
    vformat(line_put, &sink, fmt, ap);
    va_end(ap);
    buf[sink.pos] = '\0';
    failures++;
    kprintf("FAIL %s: %s\n", name, buf);
}

void check_u64(const char *name, uint64_t expected, uint64_t got)
{
    if (expected == got)
        check_pass(name);
    else
        check_fail(name, "expected 0x%lx got 0x%lx", expected, got);
}

void check_status(const char *name, uint16_t expected, uint64_t result)
{
    uint16_t got = HV_RESULT_STATUS(result);
    if (got == expected) {
        check_pass(name);
        return;
    }
    /* Two names from one static buffer would collide: copy the first. */
    char want[40];
    ksnprintf(want, sizeof want, "%s", hv_status_name(expected));
    check_fail(name, "expected %s got %s", want, hv_status_name(got));
}

static const char *fault_name(int v, char *buf, size_t n)
{
    if (v == HVT_NO_FAULT)
        return "no fault";
    if (v == HVT_VECTOR_GP)
        return "#GP";
    ksnprintf(buf, n, "vector %d", v);
    return buf;
}

void check_fault(const char *name, int expected, int got)
{
    char a[16], b[16];
    if (expected == got)
        check_pass(name);
    else
        check_fail(name, "expected %s got %s", fault_name(expected, a, sizeof a), fault_name(got, b, sizeof b));
}

void check_true(const char *name, int ok, const char *expected, const char *got_fmt, uint64_t got)
{
    if (ok) {
        check_pass(name);
        return;
    }
    char g[64];
    ksnprintf(g, sizeof g, got_fmt, got);
    check_fail(name, "expected %s got %s", expected, g);
}

int check_failures(void) { return failures; }
int check_passes(void) { return passes; }
