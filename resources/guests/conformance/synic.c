/*
 * SynIC (TLFS 14.4-14.6), synthetic timers (15.3), the APIC MSRs (13.3) and the stats-page
 * MSRs (21.3.3) as a child sees them: register reset values and read-back, the SINT vector
 * rule (#GP for an unmasked vector below 16), a one-shot STIMER0 whose expiration arrives
 * as HvMessageTypeTimerExpired in the SIM slot of its SINT plus an interrupt on the SINT
 * vector, MessagePending and EOM redelivery, TPR/EOI/ICR through MSRs, and counters that
 * move on the VP stats page. Groups whose privilege is missing check for #GP instead.
 */
#include "check.h"

#define APIC_BASE      0xFEE00000ull
#define APIC_TPR       0x080
#define APIC_SVR       0x0F0
#define SINT_VECTOR    0x50
#define IPI_VECTOR     0x60
#define TIMER_SINT     2
/* HV_MESSAGE header (14.8): MessageType 0, PayloadSize 4, MessageFlags 5, payload 16. */
#define MSG_PENDING_FLAG 1

static uint8_t simp_page[4096] __attribute__((aligned(4096)));
static uint8_t siefp_page[4096] __attribute__((aligned(4096)));
static uint8_t assist_page[4096] __attribute__((aligned(4096)));
static uint8_t stats_page[4096] __attribute__((aligned(4096)));

static volatile uint32_t sint_hits, ipi_hits;
static volatile uint64_t sint_time;

static volatile uint32_t *apic_reg(uint32_t off) { return (volatile uint32_t *)(APIC_BASE + off); }

static void on_sint(struct hvt_frame *f)
{
    (void)f;
    if (!sint_hits)
        sint_time = hv_ref_time();
    sint_hits++;
    wrmsr(HV_X64_MSR_EOI, 0);
}

static void on_ipi(struct hvt_frame *f)
{
    (void)f;
    ipi_hits++;
    wrmsr(HV_X64_MSR_EOI, 0);
}

/* Software-enable the local APIC (SVR bit 8) and mask both 8259s so only APIC vectors arrive. */
static void interrupts_setup(void)
{
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
    *apic_reg(APIC_SVR) = 0x1FF;
    hvt_set_handler(SINT_VECTOR, on_sint);
    hvt_set_handler(IPI_VECTOR, on_ipi);
}

/* Spins with interrupts on until `*flag` changes or `limit` units of reference time pass.
 * (Not HLT: a halted VP with an interrupt already pending in the IRR is not woken by our
 * machine yet, and the run ends; reported to the lead.) */
static void wait_for(volatile uint32_t *flag, uint32_t old, uint64_t limit)
{
    uint64_t end = hv_ref_time() + limit;
    sti();
    while (*flag == old && hv_ref_time() < end)
        cpu_relax();
    cli();
}

static volatile uint8_t *slot(int sint) { return simp_page + sint * HV_MESSAGE_SIZE; }
static uint32_t slot_type(int sint) { return *(volatile uint32_t *)slot(sint); }
static uint64_t slot_u64(int sint, int off) { return *(volatile uint64_t *)(slot(sint) + off); }

void run_synic_checks(void)
{
    uint64_t v = 0;
    if (!conf_has(HV_PRIV_AccessSynicMsrs)) {
        check_fault("synic-absent-scontrol-gp", HVT_VECTOR_GP, hvt_rdmsr(HV_X64_MSR_SCONTROL, &v));
        check_fault("synic-absent-sint0-gp", HVT_VECTOR_GP, hvt_rdmsr(HV_X64_MSR_SINT0, &v));
        return;
    }
    hvt_rdmsr(HV_X64_MSR_SVERSION, &v);
    check_u64("synic-sversion", 1, v);
    check_fault("synic-sversion-read-only", HVT_VECTOR_GP, hvt_wrmsr(HV_X64_MSR_SVERSION, 2));
    hvt_rdmsr(HV_X64_MSR_SCONTROL, &v);
    check_u64("synic-scontrol-reset-value", 0, v);
    hvt_rdmsr(HV_X64_MSR_SINT0 + 3, &v);
    check_u64("synic-sint-reset-masked", HV_SINT_MASKED, v);
    int f = hvt_wrmsr(HV_X64_MSR_SCONTROL, 1);
    hvt_rdmsr(HV_X64_MSR_SCONTROL, &v);
    check_true("synic-scontrol-enable", f == HVT_NO_FAULT && v == 1, "1", "0x%lx", v);
    memset(simp_page, 0xA5, sizeof simp_page);
    f = hvt_wrmsr(HV_X64_MSR_SIMP, (uint64_t)simp_page | 1);
    hvt_rdmsr(HV_X64_MSR_SIMP, &v);
    check_true("synic-simp-enable", f == HVT_NO_FAULT && v == ((uint64_t)simp_page | 1), "GPA|1", "0x%lx", v);
    f = hvt_wrmsr(HV_X64_MSR_SIEFP, (uint64_t)siefp_page | 1);
    hvt_rdmsr(HV_X64_MSR_SIEFP, &v);
    check_true("synic-siefp-enable", f == HVT_NO_FAULT && v == ((uint64_t)siefp_page | 1), "GPA|1", "0x%lx", v);
    /* The SIM page must not sit on another overlay (the hypercall page). */
    f = hvt_wrmsr(HV_X64_MSR_SIEFP, (uint64_t)hv_hypercall_page | 1);
    check_fault("synic-siefp-on-hypercall-page-gp", HVT_VECTOR_GP, f);
    /* 14.6: vectors 0-15 are not valid unmasked SINT vectors. */
    check_fault("synic-sint-vector-below-16-gp", HVT_VECTOR_GP, hvt_wrmsr(HV_X64_MSR_SINT0, 0x0F));
    check_fault("synic-sint-vector-below-16-masked-ok", HVT_NO_FAULT,
                hvt_wrmsr(HV_X64_MSR_SINT0, HV_SINT_MASKED | 0x0F));
    f = hvt_wrmsr(HV_X64_MSR_SINT0 + TIMER_SINT, SINT_VECTOR);
    hvt_rdmsr(HV_X64_MSR_SINT0 + TIMER_SINT, &v);
    check_true("synic-sint-program", f == HVT_NO_FAULT && v == SINT_VECTOR, "0x50", "0x%lx", v);
    check_fault("synic-eom-write", HVT_NO_FAULT, hvt_wrmsr(HV_X64_MSR_EOM, 0));
}

void run_timer_checks(void)
{
    uint64_t v = 0;
    if (!conf_has(HV_PRIV_AccessSyntheticTimerMsrs)) {
        check_fault("stimer-absent-config-gp", HVT_VECTOR_GP, hvt_rdmsr(HV_X64_MSR_STIMER0_CONFIG, &v));
        return;
    }
    if (!conf_has(HV_PRIV_AccessSynicMsrs) || !conf_has(HV_PRIV_AccessApicMsrs))
        return; /* no way to receive the expiration */
    interrupts_setup();
    hvt_rdmsr(HV_X64_MSR_STIMER0_CONFIG, &v);
    check_u64("stimer0-config-reset-value", 0, v);
    for (int i = 0; i < 4 * HV_MESSAGE_SIZE; i++)
        simp_page[i] = 0;
    uint32_t hits = sint_hits;
    uint64_t deadline = hv_ref_time() + 10000; /* 1 ms, absolute for a one-shot timer */
    wrmsr(HV_X64_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | HV_STIMER_SINT(TIMER_SINT));
    wrmsr(HV_X64_MSR_STIMER0_COUNT, deadline);
    wait_for(&sint_hits, hits, 1000000);
    check_true("stimer0-interrupt-on-sint-vector", sint_hits == hits + 1, "one interrupt", "%lu", sint_hits - hits);
    check_true("stimer0-not-early", sint_time >= deadline, ">= deadline", "0x%lx", sint_time);
    check_u64("stimer0-message-type", HvMessageTypeTimerExpired, slot_type(TIMER_SINT));
    check_u64("stimer0-message-payload-size", 24, slot(TIMER_SINT)[4]);
    check_u64("stimer0-message-timer-index", 0, (uint32_t)slot_u64(TIMER_SINT, 16));
    check_u64("stimer0-message-expiration-time", deadline, slot_u64(TIMER_SINT, 24));
    uint64_t delivery = slot_u64(TIMER_SINT, 32);
    check_true("stimer0-message-delivery-time", delivery >= deadline && delivery <= sint_time, "deadline..interrupt",
               "0x%lx", delivery);
    hvt_rdmsr(HV_X64_MSR_STIMER0_CONFIG, &v);
    check_u64("stimer0-one-shot-clears-enable", 0, v & HV_STIMER_ENABLE);

    /* Second expiration while the slot is full: MessagePending, then EOM redelivers (14.4). */
    hits = sint_hits;
    deadline = hv_ref_time() + 5000;
    wrmsr(HV_X64_MSR_STIMER0_CONFIG + 2, HV_STIMER_ENABLE | HV_STIMER_SINT(TIMER_SINT));
    wrmsr(HV_X64_MSR_STIMER0_COUNT + 2, deadline);
    sti();
    /* 5 ms past the deadline: ample for any timer resolution, short for an emulator. */
    while (hv_ref_time() < deadline + 50000)
        cpu_relax();
    cli();
    check_true("stimer1-blocked-by-full-slot", sint_hits == hits && slot_u64(TIMER_SINT, 16) == 0, "no delivery",
               "hits %lu", sint_hits - hits);
    check_u64("synic-message-pending-flag", MSG_PENDING_FLAG, slot(TIMER_SINT)[5] & MSG_PENDING_FLAG);
    *(volatile uint32_t *)slot(TIMER_SINT) = HvMessageTypeNone;
    wrmsr(HV_X64_MSR_EOM, 0);
    wait_for(&sint_hits, hits, 1000000);
    check_true("synic-eom-redelivers", sint_hits == hits + 1 && slot_type(TIMER_SINT) == HvMessageTypeTimerExpired,
               "message + interrupt", "hits %lu", sint_hits - hits);
    check_u64("stimer1-message-timer-index", 1, (uint32_t)slot_u64(TIMER_SINT, 16));
    *(volatile uint32_t *)slot(TIMER_SINT) = HvMessageTypeNone;
    wrmsr(HV_X64_MSR_EOM, 0);
    /* 15.3: SINTx = 0 with Enable clears Enable. */
    wrmsr(HV_X64_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE);
    hvt_rdmsr(HV_X64_MSR_STIMER0_CONFIG, &v);
    check_u64("stimer0-enable-needs-sint", 0, v & HV_STIMER_ENABLE);
}

void run_apic_checks(void)
{
    uint64_t v = 0;
    if (!conf_has(HV_PRIV_AccessApicMsrs)) {
        check_fault("apic-msrs-absent-eoi-gp", HVT_VECTOR_GP, hvt_wrmsr(HV_X64_MSR_EOI, 0));
        return;
    }
    interrupts_setup();
    int f = hvt_wrmsr(HV_X64_MSR_TPR, 0x20);
    hvt_rdmsr(HV_X64_MSR_TPR, &v);
    check_true("apic-tpr-msr", f == HVT_NO_FAULT && v == 0x20, "0x20", "0x%lx", v);
    check_u64("apic-tpr-msr-matches-mmio", 0x20, *apic_reg(APIC_TPR) & 0xFF);
    check_fault("apic-tpr-msr-reserved-gp", HVT_VECTOR_GP, hvt_wrmsr(HV_X64_MSR_TPR, 0x100));
    wrmsr(HV_X64_MSR_TPR, 0);
    check_fault("apic-eoi-msr-write", HVT_NO_FAULT, hvt_wrmsr(HV_X64_MSR_EOI, 0));
    check_fault("apic-eoi-msr-write-only", HVT_VECTOR_GP, hvt_rdmsr(HV_X64_MSR_EOI, &v));
    /* ICR through the MSR (13.3): fixed delivery, shorthand self (bits 19:18 = 01). */
    uint32_t hits = ipi_hits;
    f = hvt_wrmsr(HV_X64_MSR_ICR, (1ull << 18) | IPI_VECTOR);
    wait_for(&ipi_hits, hits, 100000);
    check_true("apic-icr-msr-self-ipi", f == HVT_NO_FAULT && ipi_hits == hits + 1, "one interrupt", "%lu",
               ipi_hits - hits);
    f = hvt_wrmsr(HV_X64_MSR_APIC_ASSIST_PAGE, (uint64_t)assist_page | 1);
    hvt_rdmsr(HV_X64_MSR_APIC_ASSIST_PAGE, &v);
    check_true("apic-assist-page-enable", f == HVT_NO_FAULT && v == ((uint64_t)assist_page | 1), "GPA|1", "0x%lx", v);
    wrmsr(HV_X64_MSR_APIC_ASSIST_PAGE, 0);
}

/* Finds counter `index` of group `type` on a stats page (21.1); -1 if absent. */
static int64_t stats_counter(uint16_t type, int index)
{
    int off = 0;
    while (off + 8 <= 4096) {
        uint16_t t = *(volatile uint16_t *)(stats_page + off);
        uint16_t len = *(volatile uint16_t *)(stats_page + off + 6);
        if (t == 0)
            return -1;
        if (t == type && index * 8 <= len)
            return (int64_t)*(volatile uint64_t *)(stats_page + off + 8 * index);
        off += 8 + len;
    }
    return -1;
}

void run_stats_checks(void)
{
    uint64_t v = 0;
    if (!conf_has(HV_PRIV_AccessStatsMsr)) {
        check_fault("stats-msr-absent-gp", HVT_VECTOR_GP, hvt_rdmsr(HV_X64_MSR_STATS_VP_INTERNAL_PAGE, &v));
        return;
    }
    int f = hvt_wrmsr(HV_X64_MSR_STATS_VP_INTERNAL_PAGE, (uint64_t)stats_page | 1);
    hvt_rdmsr(HV_X64_MSR_STATS_VP_INTERNAL_PAGE, &v);
    check_true("stats-vp-page-msr", f == HVT_NO_FAULT && v == ((uint64_t)stats_page | 1), "GPA|1", "0x%lx", v);
    check_u64("stats-vp-page-group-version", 0x00010000, *(volatile uint32_t *)(stats_page + 2));
    /* VPV counter 1 = Hypercalls/sec (appendix J): five calls move it by at least five. */
    int64_t before = stats_counter(3, 1);
    for (int i = 0; i < 5; i++)
        hv_call_fast(HvCallNotifyLongSpinWait, 1, 0);
    int64_t after = stats_counter(3, 1);
    check_true("stats-vp-hypercalls-counter", before >= 0 && after >= before + 5, "+5 or more", "%ld", after - before);
    /* A guest write to the stats page is refused (machine check, DECISION ch. 21). */
    f = hvt_write64((volatile uint64_t *)(stats_page + 64), 0);
    check_true("stats-page-read-only", f != HVT_NO_FAULT, "a fault", "vector %ld", (uint64_t)(int64_t)f);
    wrmsr(HV_X64_MSR_STATS_VP_INTERNAL_PAGE, 0);
}
