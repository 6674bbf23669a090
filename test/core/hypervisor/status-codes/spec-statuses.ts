/**
 * The status codes each hypercall of TLFS ch. 4-16 can return besides the common ones of
 * 4.8 (INVALID_HYPERCALL_CODE / _INPUT, INVALID_ALIGNMENT: common.test.ts), transcribed from
 * the per-call tables of the spec inventories (tlfs-part1 §5-§10, tlfs-part2 §2.7, §3.6,
 * §4.11). The status-code tests check that each one is provoked by at least one case.
 * docs/tlfs-coverage.md ("Status codes tested") mirrors this table.
 */
import * as S from '../../../../core/hypervisor/hv-status'

const {
  HV_STATUS_ACCESS_DENIED: AD, HV_STATUS_INVALID_PARTITION_ID: PID, HV_STATUS_INVALID_PARTITION_STATE: PST,
  HV_STATUS_INVALID_PARAMETER: PAR, HV_STATUS_OPERATION_DENIED: OPD, HV_STATUS_INSUFFICIENT_MEMORY: MEM,
  HV_STATUS_NO_RESOURCES: RES, HV_STATUS_OBJECT_IN_USE: USE, HV_STATUS_INVALID_VP_INDEX: VPI,
  HV_STATUS_UNKNOWN_PROPERTY: UNK, HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE: RNG, HV_STATUS_PARTITION_TOO_DEEP: DEEP,
  HV_STATUS_INVALID_PORT_ID: PORT, HV_STATUS_INVALID_CONNECTION_ID: CONN, HV_STATUS_INVALID_ALIGNMENT: ALN,
  HV_STATUS_INSUFFICIENT_BUFFERS: BUF, HV_STATUS_INVALID_SYNIC_STATE: SYN, HV_STATUS_ACKNOWLEDGED: ACK,
  HV_STATUS_NOT_ACKNOWLEDGED: NACK,
} = S

const TARGET = [PID, AD, PST]

export const SPEC_STATUSES = {
  HvSwitchVirtualAddressSpace: { code: 0x0001, codes: [PAR] },
  HvFlushVirtualAddressSpace: { code: 0x0002, codes: [PAR] },
  HvFlushVirtualAddressList: { code: 0x0003, codes: [PAR] },
  HvGetLogicalProcessorRunTime: { code: 0x0004, codes: [AD] },
  HvNotifyLongSpinWait: { code: 0x0008, codes: [] },
  HvParkLogicalProcessors: { code: 0x0009, codes: [AD] },
  HvCreatePartition: { code: 0x0040, codes: [AD, PAR, DEEP, MEM, RES] },
  HvInitializePartition: { code: 0x0041, codes: [...TARGET, MEM] },
  HvFinalizePartition: { code: 0x0042, codes: [...TARGET, OPD] },
  HvDeletePartition: { code: 0x0043, codes: [...TARGET, OPD] },
  HvGetPartitionProperty: { code: 0x0044, codes: [...TARGET, UNK] },
  HvSetPartitionProperty: { code: 0x0045, codes: [...TARGET, UNK, PAR, RNG, USE, MEM] },
  HvGetPartitionId: { code: 0x0046, codes: [AD] },
  HvGetNextChildPartition: { code: 0x0047, codes: [PID, AD] },
  HvDepositMemory: { code: 0x0048, codes: [...TARGET, OPD, USE] },
  HvWithdrawMemory: { code: 0x0049, codes: [AD, PID, PAR, RES] },
  HvGetMemoryBalance: { code: 0x004a, codes: [AD, PID, PAR] },
  HvMapGpaPages: { code: 0x004b, codes: [...TARGET, PAR, OPD, MEM, USE] },
  HvUnmapGpaPages: { code: 0x004c, codes: [...TARGET, PAR, USE] },
  HvInstallIntercept: { code: 0x004d, codes: [...TARGET, PAR, MEM] },
  HvCreateVp: { code: 0x004e, codes: [...TARGET, PAR, VPI, OPD, MEM, RES] },
  HvDeleteVp: { code: 0x004f, codes: [...TARGET, VPI] },
  HvGetVpRegisters: { code: 0x0050, codes: [...TARGET, VPI, PAR] },
  HvSetVpRegisters: { code: 0x0051, codes: [...TARGET, VPI, PAR] },
  HvTranslateVirtualAddress: { code: 0x0052, codes: [...TARGET, VPI, PAR] },
  HvReadGpa: { code: 0x0053, codes: [...TARGET, VPI, PAR] },
  HvWriteGpa: { code: 0x0054, codes: [...TARGET, VPI, PAR] },
  HvAssertVirtualInterrupt: { code: 0x0055, codes: [...TARGET, VPI, PAR, ACK] },
  HvClearVirtualInterrupt: { code: 0x0056, codes: [...TARGET, NACK] },
  HvCreatePort: { code: 0x0057, codes: [...TARGET, PORT, PAR, VPI, ALN, MEM, RES] },
  HvDeletePort: { code: 0x0058, codes: [...TARGET, PORT] },
  HvConnectPort: { code: 0x0059, codes: [...TARGET, CONN, PORT, ALN, PAR, MEM, RES] },
  HvGetPortProperty: { code: 0x005a, codes: [PID, AD, PORT, UNK] },
  HvDisconnectPort: { code: 0x005b, codes: [...TARGET, CONN] },
  HvPostMessage: { code: 0x005c, codes: [AD, CONN, PAR, PORT, VPI, SYN, BUF] },
  HvSignalEvent: { code: 0x005d, codes: [AD, CONN, PORT, PAR, VPI, SYN] },
  HvMapSparseGpaPages: { code: 0x006e, codes: [...TARGET, PAR, OPD, MEM, USE] },
  HvSetPortProperty: { code: 0x0070, codes: [PID, AD, PORT, UNK, PAR, VPI] },
} as const satisfies Record<string, { code: number; codes: readonly number[] }>

export type HypercallName = keyof typeof SPEC_STATUSES
