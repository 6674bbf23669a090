/*
 * hvshell's hypervisor commands (TLFS 2.0 through the child's interfaces): `hypercall`
 * probes (ch. 4), `timer` (synthetic timer 0 on SINT 2, ch. 14-15), `msg`/`event`
 * (HvPostMessage / HvSignalEvent, ch. 14), `dbg` (HvPostDebugData, ch. 20), `stats` (the VP
 * stats page through its MSR, ch. 21 / appendix J), `uptime` (the reference counter, 10.2).
 * Times come only from the reference counter, so output is deterministic under a virtual clock.
 */
#include "hvshell.h"
#include "../lib/hv.h"
#include "../lib/trap.h"

#define SINT_VECTOR 0x50
#define TIMER_SINT  2

static uint8_t simp_page[4096] __attribute__((aligned(4096)));
static uint8_t stats_page[4096] __attribute__((aligned(4096)));
static volatile uint32_t sint_hits;
static volatile uint64_t sint_time;

static int ready(void)
{
    if (hv_enable_hypercalls() != 0) {
        kprintf("no Hv#1 hypercall interface here\n");
        return 0;
    }
    return 1;
}

void cmd_hypercall(int argc, char **argv)
{
    uint32_t code;
    if (argc < 2 || !parse_u32(argv[1], &code) || code > 0xFFFF || (argc > 2 && strcmp(argv[2], "fast"))) {
        kprintf("usage: hypercall <code> [fast]\n");
        return;
    }
    if (!ready())
        return;
    memset(hv_input_page, 0, 4096);
    uint64_t r = argc > 2 ? hv_call_fast(code, 0, 0)
                          : hv_call(code, (uint64_t)hv_input_page, (uint64_t)hv_output_page);
    kprintf("hypercall 0x%04x%s: %s (0x%04x) reps %u\n", code, argc > 2 ? " fast" : "",
            hv_status_name(HV_RESULT_STATUS(r)), HV_RESULT_STATUS(r), HV_RESULT_REPS(r));
}

static void on_sint(struct hvt_frame *f)
{
    (void)f;
    sint_time = hv_ref_time();
    sint_hits++;
    wrmsr(HV_X64_MSR_EOI, 0);
}

void cmd_timer(int argc, char **argv)
{
    uint32_t ms;
    if (argc < 2 || !parse_u32(argv[1], &ms) || ms == 0 || ms > 60000) {
        kprintf("usage: timer <ms> (1..60000)\n");
        return;
    }
    uint64_t need = (1ull << HV_PRIV_AccessSynicMsrs) | (1ull << HV_PRIV_AccessSyntheticTimerMsrs) |
                    (1ull << HV_PRIV_AccessApicMsrs);
    if (!hv_present() || (hv_privileges() & need) != need) {
        kprintf("timer: needs the SynIC, synthetic timer and APIC MSR privileges\n");
        return;
    }
    hvt_install();
    hvt_set_handler(SINT_VECTOR, on_sint);
    /* The PICs were programmed at boot (lib/serial-irq.c): only COM1's IRQ 4 is open, on vector 0x24. */
    *(volatile uint32_t *)0xFEE000F0ull = 0x1FF;
    wrmsr(HV_X64_MSR_SCONTROL, 1);
    wrmsr(HV_X64_MSR_SIMP, (uint64_t)simp_page | 1);
    wrmsr(HV_X64_MSR_SINT0 + TIMER_SINT, SINT_VECTOR);
    volatile uint32_t *type = (volatile uint32_t *)(simp_page + TIMER_SINT * HV_MESSAGE_SIZE);
    *type = HvMessageTypeNone;
    uint32_t hits = sint_hits;
    uint64_t start = hv_ref_time();
    uint64_t deadline = start + (uint64_t)ms * 10000;
    wrmsr(HV_X64_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | HV_STIMER_SINT(TIMER_SINT));
    wrmsr(HV_X64_MSR_STIMER0_COUNT, deadline);
    sti();
    while (sint_hits == hits && hv_ref_time() < deadline + 10000000)
        cpu_relax();
    cli();
    if (sint_hits == hits) {
        kprintf("timer: no SINT%u interrupt within 1 s of the deadline\n", TIMER_SINT);
        return;
    }
    volatile uint64_t *payload = (volatile uint64_t *)(simp_page + TIMER_SINT * HV_MESSAGE_SIZE + 16);
    kprintf("timer 0 message 0x%08x on SINT%u vector 0x%x: expected expiration %lu, message says %lu, "
            "delivered %lu (late by %lu x 100 ns)\n",
            *type, TIMER_SINT, SINT_VECTOR, deadline, payload[1], payload[2], payload[2] - deadline);
    *type = HvMessageTypeNone;
    wrmsr(HV_X64_MSR_EOM, 0);
}

static void print_connection_status(const char *what, uint64_t r, int privilege)
{
    uint16_t s = HV_RESULT_STATUS(r);
    kprintf("%s: %s\n", what, hv_status_name(s));
    if (s == HV_STATUS_ACCESS_DENIED && !hv_has_privilege(privilege))
        kprintf("  this partition lacks the privilege; the root must grant it and create a port "
                "(HvCreatePort) and a connection to it (HvConnectPort) first\n");
    else if (s == HV_STATUS_INVALID_CONNECTION_ID)
        kprintf("  no such connection: the root must create a port and connect this partition to it\n");
}

void cmd_msg(int argc, char **argv)
{
    uint32_t id;
    if (argc < 2 || !parse_u32(argv[1], &id)) {
        kprintf("usage: msg <connection id> [text]\n");
        return;
    }
    if (!ready())
        return;
    /* HvPostMessage input (14.9): ConnectionId u32, pad, MessageType u32, PayloadSize u32, payload. */
    memset(hv_input_page, 0, 4096);
    const char *text = argc > 2 ? argv[2] : "";
    uint32_t n = (uint32_t)strlen(text);
    *(uint32_t *)hv_input_page = id;
    *(uint32_t *)(hv_input_page + 8) = 1;
    *(uint32_t *)(hv_input_page + 12) = n;
    memcpy(hv_input_page + 16, text, n);
    print_connection_status("HvPostMessage", hv_call(HvCallPostMessage, (uint64_t)hv_input_page, 0),
                            HV_PRIV_PostMessages);
}

void cmd_event(int argc, char **argv)
{
    uint32_t id, flag = 0;
    if (argc < 2 || !parse_u32(argv[1], &id) || (argc > 2 && !parse_u32(argv[2], &flag))) {
        kprintf("usage: event <connection id> [flag]\n");
        return;
    }
    if (!ready())
        return;
    /* HvSignalEvent fast input (14.9): ConnectionId u32, FlagNumber u16. */
    print_connection_status("HvSignalEvent", hv_call_fast(HvCallSignalEvent, id | ((uint64_t)flag << 32), 0),
                            HV_PRIV_SignalEvents);
}

void cmd_dbg(int argc, char **argv)
{
    if (argc < 2) {
        kprintf("usage: dbg <text>\n");
        return;
    }
    if (!ready())
        return;
    /* HvPostDebugData (20.3): Count u32, Options u32, Data. */
    memset(hv_input_page, 0, 4096);
    uint32_t n = (uint32_t)strlen(argv[1]);
    *(uint32_t *)hv_input_page = n;
    memcpy(hv_input_page + 8, argv[1], n);
    uint64_t r = hv_call(HvCallPostDebugData, (uint64_t)hv_input_page, (uint64_t)hv_output_page);
    kprintf("HvPostDebugData %u bytes: %s\n", n, hv_status_name(HV_RESULT_STATUS(r)));
}

static const char *const vpv_names[] = {
    [1] = "Hypercalls/sec", [7] = "IO Instructions/sec", [9] = "HLT Instructions/sec",
    [13] = "CPUID Instructions/sec", [15] = "MSR Accesses/sec",
};

void cmd_stats(void)
{
    if (!hv_present() || !hv_has_privilege(HV_PRIV_AccessStatsMsr)) {
        kprintf("stats: needs AccessStatsMsr\n");
        return;
    }
    wrmsr(HV_X64_MSR_STATS_VP_INTERNAL_PAGE, (uint64_t)stats_page | 1);
    int off = 0;
    while (off + 8 <= 4096) {
        uint16_t type = *(volatile uint16_t *)(stats_page + off);
        uint16_t len = *(volatile uint16_t *)(stats_page + off + 6);
        if (type == 0)
            break;
        if (type == 3)
            for (unsigned i = 1; i < sizeof vpv_names / sizeof vpv_names[0] && i * 8 <= len; i++)
                if (vpv_names[i])
                    kprintf("VPV %-24s %lu\n", vpv_names[i], *(volatile uint64_t *)(stats_page + off + 8 * i));
        off += 8 + len;
    }
    wrmsr(HV_X64_MSR_STATS_VP_INTERNAL_PAGE, 0);
}

void cmd_uptime(void)
{
    if (!hv_present() || !hv_has_privilege(HV_PRIV_AccessPartitionReferenceCounter)) {
        kprintf("uptime: no reference counter\n");
        return;
    }
    uint64_t t = hv_ref_time();
    kprintf("uptime %lu.%07lu s (reference counter %lu)\n", t / 10000000, t % 10000000, t);
}
