/*
 * The Microsoft hypervisor interface as a child partition sees it (TLFS 2.0): CPUID leaves
 * (ch. 3), synthetic MSR numbers (appendix H), hypercall codes (appendix B), HV_STATUS
 * values (appendix C), and the native hypercall ABI of ch. 4 through the hypercall page:
 * RCX = input value, RDX = input GPA (or first fast parameter), R8 = output GPA (or second),
 * result value in RAX.
 */
#ifndef GUEST_HV_H
#define GUEST_HV_H

#include <stdint.h>

#define HV_CPUID_VENDOR_AND_MAX 0x40000000
#define HV_CPUID_INTERFACE      0x40000001
#define HV_CPUID_VERSION        0x40000002
#define HV_CPUID_FEATURES       0x40000003
#define HV_CPUID_ENLIGHTENMENT  0x40000004
#define HV_CPUID_LIMITS         0x40000005
#define HV_CPUID_HW_FEATURES    0x40000006
#define HV_INTERFACE_HV1        0x31237648 /* "Hv#1" */

/* HV_PARTITION_PRIVILEGE_MASK bits (TLFS 5.2.3), as bit numbers of the 64-bit mask. */
#define HV_PRIV_AccessVpRunTimeMsr              0
#define HV_PRIV_AccessPartitionReferenceCounter 1
#define HV_PRIV_AccessSynicMsrs                 2
#define HV_PRIV_AccessSyntheticTimerMsrs        3
#define HV_PRIV_AccessApicMsrs                  4
#define HV_PRIV_AccessHypercallMsrs             5
#define HV_PRIV_AccessVpIndex                   6
#define HV_PRIV_AccessResetMsr                  7
#define HV_PRIV_AccessStatsMsr                  8
#define HV_PRIV_AccessPartitionReferenceTsc     9
#define HV_PRIV_AccessGuestIdleMsr              10
#define HV_PRIV_CreatePartitions                32
#define HV_PRIV_AccessPartitionId               33
#define HV_PRIV_AccessMemoryPool                34
#define HV_PRIV_AdjustMessageBuffers            35
#define HV_PRIV_PostMessages                    36
#define HV_PRIV_SignalEvents                    37
#define HV_PRIV_CreatePort                      38
#define HV_PRIV_ConnectPort                     39
#define HV_PRIV_AccessStats                     40
#define HV_PRIV_Debugging                       43
#define HV_PRIV_CpuPowerManagement              44
#define HV_PRIV_ConfigureProfiler               45

/* CPUID 0x40000003 EDX feature bits. */
#define HV_FEATURE_GuestDebugging (1u << 1)

/* Synthetic MSRs (appendix H). */
#define HV_X64_MSR_GUEST_OS_ID                   0x40000000
#define HV_X64_MSR_HYPERCALL                     0x40000001
#define HV_X64_MSR_VP_INDEX                      0x40000002
#define HV_X64_MSR_RESET                         0x40000003
#define HV_X64_MSR_VP_RUNTIME                    0x40000010
#define HV_X64_MSR_TIME_REF_COUNT                0x40000020
#define HV_X64_MSR_REFERENCE_TSC                 0x40000021
#define HV_X64_MSR_EOI                           0x40000070
#define HV_X64_MSR_ICR                           0x40000071
#define HV_X64_MSR_TPR                           0x40000072
#define HV_X64_MSR_APIC_ASSIST_PAGE              0x40000073
#define HV_X64_MSR_SCONTROL                      0x40000080
#define HV_X64_MSR_SVERSION                      0x40000081
#define HV_X64_MSR_SIEFP                         0x40000082
#define HV_X64_MSR_SIMP                          0x40000083
#define HV_X64_MSR_EOM                           0x40000084
#define HV_X64_MSR_SINT0                         0x40000090
#define HV_X64_MSR_STIMER0_CONFIG                0x400000B0
#define HV_X64_MSR_STIMER0_COUNT                 0x400000B1
#define HV_X64_MSR_STATS_PARTITION_RETAIL_PAGE   0x400000E0
#define HV_X64_MSR_STATS_PARTITION_INTERNAL_PAGE 0x400000E1
#define HV_X64_MSR_STATS_VP_RETAIL_PAGE          0x400000E2
#define HV_X64_MSR_STATS_VP_INTERNAL_PAGE        0x400000E3
#define HV_X64_MSR_GUEST_IDLE                    0x400000F0

/* STIMERx_CONFIG (15.3) and SINTx (14.6) fields. */
#define HV_STIMER_ENABLE        1ull
#define HV_STIMER_PERIODIC      2ull
#define HV_STIMER_SINT(n)       ((uint64_t)(n) << 16)
#define HV_SINT_MASKED          (1ull << 16)
#define HV_SINT_AUTO_EOI        (1ull << 17)
#define HvMessageTypeNone         0x00000000u
#define HvMessageTypeTimerExpired 0x80000010u
#define HV_MESSAGE_SIZE           256

/* Hypercall codes (appendix B). */
#define HvCallSwitchVirtualAddressSpace       0x0001
#define HvCallFlushVirtualAddressSpace        0x0002
#define HvCallFlushVirtualAddressList         0x0003
#define HvCallGetLogicalProcessorRunTime      0x0004
#define HvCallNotifyLongSpinWait              0x0008
#define HvCallParkLogicalProcessors           0x0009
#define HvCallCreatePartition                 0x0040
#define HvCallInitializePartition             0x0041
#define HvCallFinalizePartition               0x0042
#define HvCallDeletePartition                 0x0043
#define HvCallGetPartitionProperty            0x0044
#define HvCallSetPartitionProperty            0x0045
#define HvCallGetPartitionId                  0x0046
#define HvCallGetNextChildPartition           0x0047
#define HvCallDepositMemory                   0x0048
#define HvCallWithdrawMemory                  0x0049
#define HvCallGetMemoryBalance                0x004A
#define HvCallMapGpaPages                     0x004B
#define HvCallUnmapGpaPages                   0x004C
#define HvCallInstallIntercept                0x004D
#define HvCallCreateVp                        0x004E
#define HvCallDeleteVp                        0x004F
#define HvCallGetVpRegisters                  0x0050
#define HvCallSetVpRegisters                  0x0051
#define HvCallTranslateVirtualAddress         0x0052
#define HvCallReadGpa                         0x0053
#define HvCallWriteGpa                        0x0054
#define HvCallAssertVirtualInterrupt          0x0055
#define HvCallClearVirtualInterrupt           0x0056
#define HvCallCreatePort                      0x0057
#define HvCallDeletePort                      0x0058
#define HvCallConnectPort                     0x0059
#define HvCallGetPortProperty                 0x005A
#define HvCallDisconnectPort                  0x005B
#define HvCallPostMessage                     0x005C
#define HvCallSignalEvent                     0x005D
#define HvCallSavePartitionState              0x005E
#define HvCallRestorePartitionState           0x005F
#define HvCallInitializeEventLogBufferGroup   0x0060
#define HvCallFinalizeEventLogBufferGroup     0x0061
#define HvCallCreateEventLogBuffer            0x0062
#define HvCallDeleteEventLogBuffer            0x0063
#define HvCallMapEventLogBuffer               0x0064
#define HvCallUnmapEventLogBuffer             0x0065
#define HvCallSetEventLogGroupSources         0x0066
#define HvCallReleaseEventLogBuffer           0x0067
#define HvCallFlushEventLogBuffer             0x0068
#define HvCallPostDebugData                   0x0069
#define HvCallRetrieveDebugData               0x006A
#define HvCallResetDebugSession               0x006B
#define HvCallMapStatsPage                    0x006C
#define HvCallUnmapStatsPage                  0x006D
#define HvCallMapSparseGpaPages               0x006E
#define HvCallSetSystemProperty               0x006F
#define HvCallSetPortProperty                 0x0070

/* HV_STATUS (appendix C). */
#define HV_STATUS_SUCCESS                 0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE  0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x0003
#define HV_STATUS_INVALID_ALIGNMENT       0x0004
#define HV_STATUS_INVALID_PARAMETER       0x0005
#define HV_STATUS_ACCESS_DENIED           0x0006
#define HV_STATUS_INVALID_PARTITION_STATE 0x0007
#define HV_STATUS_OPERATION_DENIED        0x0008
#define HV_STATUS_INVALID_PARTITION_ID    0x000D
#define HV_STATUS_INVALID_VP_INDEX        0x000E
#define HV_STATUS_INVALID_PORT_ID         0x0011
#define HV_STATUS_INVALID_CONNECTION_ID   0x0012
#define HV_STATUS_INSUFFICIENT_BUFFERS    0x0013
#define HV_STATUS_NO_DATA                 0x001B
#define HV_STATUS_INACTIVE                0x001C
#define HV_STATUS_FEATURE_UNAVAILABLE     0x001E

/* The input value (4.2): code 15:0, Fast 16, rep count 43:32, rep start index 59:48. */
#define HV_HYPERCALL_FAST (1ull << 16)
#define HV_REP_COUNT(n)   ((uint64_t)(n) << 32)
#define HV_REP_START(n)   ((uint64_t)(n) << 48)
/* The result value (4.4): status 15:0, reps completed 43:32. */
#define HV_RESULT_STATUS(r) ((uint16_t)(r))
#define HV_RESULT_REPS(r)   ((uint32_t)((r) >> 32) & 0xFFF)

/* Page-aligned input and output parameter pages (identity mapped: GVA = GPA). */
extern uint8_t hv_input_page[4096];
extern uint8_t hv_output_page[4096];
extern uint8_t hv_hypercall_page[4096];

/* CPUID 0x40000003 EBX:EAX. */
uint64_t hv_privileges(void);
static inline int hv_has_privilege(int bit) { return (int)((hv_privileges() >> bit) & 1); }
/* True when CPUID says "Hv#1" behind the hypervisor-present bit. */
int hv_present(void);
/* Sets a guest OS id (if zero) and enables the hypercall page at hv_hypercall_page; 0 = ok. */
int hv_enable_hypercalls(void);
/* Memory-based call: input value, input GPA, output GPA → result value. */
uint64_t hv_call(uint64_t control, uint64_t in_gpa, uint64_t out_gpa);
/* Fast call: parameters in RDX and R8 (4.7.1). */
uint64_t hv_call_fast(uint64_t control, uint64_t p1, uint64_t p2);
/* HV_X64_MSR_TIME_REF_COUNT (100 ns units). */
uint64_t hv_ref_time(void);
/* Name of a status code ("HV_STATUS_ACCESS_DENIED") or "HV_STATUS_0x...." for others. */
const char *hv_status_name(uint16_t status);

#endif
