/*
 * One probe of every hypercall code of TLFS appendix B from the child partition, with the
 * status the call must return given the privilege mask of CPUID 0x40000003 (5.2.3):
 * privileged calls answer HV_STATUS_ACCESS_DENIED without the privilege; parent-only calls
 * name partition id 0, which is never a child of ours (5.1: HV_PARTITION_ID_INVALID), and
 * get HV_STATUS_INVALID_PARTITION_ID (the status tables of 5.x, 17.x list it first);
 * debug calls answer HV_STATUS_FEATURE_UNAVAILABLE unless CPUID advertises debugging (20.3).
 * Inputs are zero unless noted, so a call never changes the partition.
 */
#include "check.h"

#define KIND_SIMPLE 0
#define KIND_REP    1
#define KIND_FAST   2
#define NO_PRIV     (-1)
#define DEBUG_CALL  (-2)
#define ROOT_ONLY   (-3) /* 23.4: only the root may call it */

struct call_probe {
    const char *name;
    uint16_t code;
    uint8_t kind;
    int8_t privilege;  /* bit the call needs, NO_PRIV, or DEBUG_CALL */
    uint16_t allowed;  /* status with the privilege (zero input) */
};

static const struct call_probe probes[] = {
    {"HvGetLogicalProcessorRunTime", HvCallGetLogicalProcessorRunTime, KIND_SIMPLE, HV_PRIV_CpuPowerManagement, HV_STATUS_SUCCESS},
    {"HvParkLogicalProcessors", HvCallParkLogicalProcessors, KIND_FAST, HV_PRIV_CpuPowerManagement, HV_STATUS_SUCCESS},
    {"HvCreatePartition", HvCallCreatePartition, KIND_SIMPLE, HV_PRIV_CreatePartitions, HV_STATUS_INVALID_PARTITION_ID},
    {"HvInitializePartition", HvCallInitializePartition, KIND_FAST, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvFinalizePartition", HvCallFinalizePartition, KIND_FAST, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvDeletePartition", HvCallDeletePartition, KIND_FAST, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvGetPartitionProperty", HvCallGetPartitionProperty, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvSetPartitionProperty", HvCallSetPartitionProperty, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvGetPartitionId", HvCallGetPartitionId, KIND_SIMPLE, HV_PRIV_AccessPartitionId, HV_STATUS_SUCCESS},
    {"HvGetNextChildPartition", HvCallGetNextChildPartition, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvDepositMemory", HvCallDepositMemory, KIND_REP, HV_PRIV_AccessMemoryPool, HV_STATUS_INVALID_PARTITION_ID},
    {"HvWithdrawMemory", HvCallWithdrawMemory, KIND_REP, HV_PRIV_AccessMemoryPool, HV_STATUS_INVALID_PARTITION_ID},
    {"HvGetMemoryBalance", HvCallGetMemoryBalance, KIND_SIMPLE, HV_PRIV_AccessMemoryPool, HV_STATUS_INVALID_PARTITION_ID},
    {"HvMapGpaPages", HvCallMapGpaPages, KIND_REP, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvUnmapGpaPages", HvCallUnmapGpaPages, KIND_REP, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvInstallIntercept", HvCallInstallIntercept, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvCreateVp", HvCallCreateVp, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvDeleteVp", HvCallDeleteVp, KIND_FAST, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvGetVpRegisters", HvCallGetVpRegisters, KIND_REP, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvSetVpRegisters", HvCallSetVpRegisters, KIND_REP, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvTranslateVirtualAddress", HvCallTranslateVirtualAddress, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvReadGpa", HvCallReadGpa, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvWriteGpa", HvCallWriteGpa, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvAssertVirtualInterrupt", HvCallAssertVirtualInterrupt, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvClearVirtualInterrupt", HvCallClearVirtualInterrupt, KIND_FAST, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvCreatePort", HvCallCreatePort, KIND_SIMPLE, HV_PRIV_CreatePort, HV_STATUS_INVALID_PARTITION_ID},
    {"HvDeletePort", HvCallDeletePort, KIND_SIMPLE, HV_PRIV_CreatePort, HV_STATUS_INVALID_PARTITION_ID},
    {"HvConnectPort", HvCallConnectPort, KIND_SIMPLE, HV_PRIV_ConnectPort, HV_STATUS_INVALID_PARTITION_ID},
    {"HvGetPortProperty", HvCallGetPortProperty, KIND_SIMPLE, HV_PRIV_CreatePort, HV_STATUS_INVALID_PARTITION_ID},
    {"HvDisconnectPort", HvCallDisconnectPort, KIND_FAST, HV_PRIV_ConnectPort, HV_STATUS_INVALID_PARTITION_ID},
    {"HvPostMessage", HvCallPostMessage, KIND_SIMPLE, HV_PRIV_PostMessages, HV_STATUS_INVALID_CONNECTION_ID},
    {"HvSignalEvent", HvCallSignalEvent, KIND_FAST, HV_PRIV_SignalEvents, HV_STATUS_INVALID_CONNECTION_ID},
    {"HvSavePartitionState", HvCallSavePartitionState, KIND_SIMPLE, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvRestorePartitionState", HvCallRestorePartitionState, KIND_SIMPLE, HV_PRIV_CreatePartitions, HV_STATUS_INVALID_PARTITION_ID},
    {"HvInitializeEventLogBufferGroup", HvCallInitializeEventLogBufferGroup, KIND_SIMPLE, NO_PRIV, HV_STATUS_ACCESS_DENIED},
    {"HvFinalizeEventLogBufferGroup", HvCallFinalizeEventLogBufferGroup, KIND_FAST, NO_PRIV, HV_STATUS_ACCESS_DENIED},
    {"HvCreateEventLogBuffer", HvCallCreateEventLogBuffer, KIND_FAST, NO_PRIV, HV_STATUS_ACCESS_DENIED},
    {"HvDeleteEventLogBuffer", HvCallDeleteEventLogBuffer, KIND_FAST, NO_PRIV, HV_STATUS_ACCESS_DENIED},
    {"HvMapEventLogBuffer", HvCallMapEventLogBuffer, KIND_SIMPLE, NO_PRIV, HV_STATUS_ACCESS_DENIED},
    {"HvUnmapEventLogBuffer", HvCallUnmapEventLogBuffer, KIND_FAST, NO_PRIV, HV_STATUS_ACCESS_DENIED},
    {"HvSetEventLogGroupSources", HvCallSetEventLogGroupSources, KIND_FAST, NO_PRIV, HV_STATUS_ACCESS_DENIED},
    {"HvReleaseEventLogBuffer", HvCallReleaseEventLogBuffer, KIND_FAST, NO_PRIV, HV_STATUS_ACCESS_DENIED},
    {"HvFlushEventLogBuffer", HvCallFlushEventLogBuffer, KIND_FAST, NO_PRIV, HV_STATUS_ACCESS_DENIED},
    {"HvPostDebugData", HvCallPostDebugData, KIND_SIMPLE, DEBUG_CALL, HV_STATUS_SUCCESS},
    {"HvRetrieveDebugData", HvCallRetrieveDebugData, KIND_SIMPLE, DEBUG_CALL, HV_STATUS_NO_DATA},
    /* 20.3.3: the probe's Options = 0 sets neither PURGE flag, which is INVALID_PARAMETER. */
    {"HvResetDebugSession", HvCallResetDebugSession, KIND_FAST, DEBUG_CALL, HV_STATUS_INVALID_PARAMETER},
    {"HvMapStatsPage", HvCallMapStatsPage, KIND_SIMPLE, HV_PRIV_AccessStats, HV_STATUS_INVALID_PARAMETER},
    {"HvUnmapStatsPage", HvCallUnmapStatsPage, KIND_SIMPLE, HV_PRIV_AccessStats, HV_STATUS_INVALID_PARAMETER},
    {"HvMapSparseGpaPages", HvCallMapSparseGpaPages, KIND_REP, NO_PRIV, HV_STATUS_INVALID_PARTITION_ID},
    {"HvSetSystemProperty", HvCallSetSystemProperty, KIND_SIMPLE, HV_PRIV_CpuPowerManagement, HV_STATUS_INVALID_PARAMETER},
    {"HvSetPortProperty", HvCallSetPortProperty, KIND_SIMPLE, HV_PRIV_CreatePort, HV_STATUS_INVALID_PARTITION_ID},
    {"HvGetSystemProperty", 0x0071, KIND_SIMPLE, ROOT_ONLY, 0},
};

/* 20.3: FEATURE_UNAVAILABLE without debugging support, then ACCESS_DENIED without the privilege. */
static uint16_t expected_status(const struct call_probe *p)
{
    if (p->privilege == DEBUG_CALL) {
        if (!(conf_features & HV_FEATURE_GuestDebugging))
            return HV_STATUS_FEATURE_UNAVAILABLE;
        return conf_has(HV_PRIV_Debugging) ? p->allowed : HV_STATUS_ACCESS_DENIED;
    }
    if (p->privilege == ROOT_ONLY)
        return HV_STATUS_ACCESS_DENIED;
    if (p->privilege >= 0 && !conf_has(p->privilege))
        return HV_STATUS_ACCESS_DENIED;
    return p->allowed;
}

void run_hypercall_table_checks(void)
{
    char name[64];
    for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        const struct call_probe *p = &probes[i];
        memset(hv_input_page, 0, 4096);
        memset(hv_output_page, 0, 4096);
        uint64_t r;
        if (p->kind == KIND_FAST)
            r = hv_call_fast(p->code, 0, 0);
        else if (p->kind == KIND_REP)
            r = hv_call(p->code | HV_REP_COUNT(1), (uint64_t)hv_input_page, (uint64_t)hv_output_page);
        else
            r = hv_call(p->code, (uint64_t)hv_input_page, (uint64_t)hv_output_page);
        ksnprintf(name, sizeof name, "call-%s", p->name);
        check_status(name, expected_status(p), r);
    }
}
