/**
 * The synthetic MSRs of chapters 3-10: GUEST_OS_ID, HYPERCALL, VP_INDEX, RESET, VP_RUNTIME,
 * GUEST_IDLE and the power-state config/trigger MSRs (TLFS 3.5, 4.9, 6.2, 6.4, 10.1, 10.2).
 */
import { writeGuestOsId, writeHypercallMsr } from './hypercall-page'
import { HvPrivilege } from './privileges'
import {
  HV_X64_MSR_GUEST_IDLE, HV_X64_MSR_GUEST_OS_ID, HV_X64_MSR_HYPERCALL, HV_X64_MSR_POWER_STATE_CONFIG_C1,
  HV_X64_MSR_POWER_STATE_TRIGGER_C1, HV_X64_MSR_RESET, HV_X64_MSR_VP_INDEX, HV_X64_MSR_VP_RUNTIME, MSR_FAULT,
  MSR_WRITE_OK, type SyntheticMsrTable,
} from './synthetic-msrs'

export function registerCoreMsrs(table: SyntheticMsrTable): void {
  table.register({
    index: HV_X64_MSR_GUEST_OS_ID, name: 'HV_X64_MSR_GUEST_OS_ID', privilege: HvPrivilege.AccessHypercallMsrs,
    read: (vp) => vp.partition.guestOsId,
    write: (vp, v) => (writeGuestOsId(vp.partition, v), MSR_WRITE_OK),
  })
  table.register({
    index: HV_X64_MSR_HYPERCALL, name: 'HV_X64_MSR_HYPERCALL', privilege: HvPrivilege.AccessHypercallMsrs,
    read: (vp) => vp.partition.hypercallMsr,
    write: (vp, v) => (writeHypercallMsr(vp.partition, v) ? MSR_WRITE_OK : MSR_FAULT),
  })
  table.register({
    index: HV_X64_MSR_VP_INDEX, name: 'HV_X64_MSR_VP_INDEX', privilege: HvPrivilege.AccessVpIndex,
    read: (vp) => BigInt(vp.index),
    write: () => MSR_FAULT, // read-only (DECISION 10.2)
  })
  table.register({
    index: HV_X64_MSR_RESET, name: 'HV_X64_MSR_RESET', privilege: HvPrivilege.AccessResetMsr,
    read: () => 0n, // 6.4: reads always return 0
    write: (vp, v) => {
      if (v > 1n) return MSR_FAULT // DECISION U46: reserved bits → #GP
      if (v === 1n) vp.resetRequested = true
      return MSR_WRITE_OK
    },
  })
  table.register({
    index: HV_X64_MSR_VP_RUNTIME, name: 'HV_X64_MSR_VP_RUNTIME', privilege: HvPrivilege.AccessVpRunTimeMsr,
    read: (vp) => BigInt(vp.runTime),
    write: () => MSR_FAULT,
  })
  table.register({
    index: HV_X64_MSR_GUEST_IDLE, name: 'HV_X64_MSR_GUEST_IDLE', privilege: HvPrivilege.AccessGuestIdleMsr,
    read: (vp) => {
      vp.idleSleep = true // 10.1: sleep until an interrupt arrives, even a masked one
      return 0n
    },
    write: () => MSR_FAULT,
  })
  for (let i = 0; i < 3; i++) {
    const n = i + 1
    table.register({
      index: HV_X64_MSR_POWER_STATE_TRIGGER_C1 + i, name: `HV_X64_MSR_POWER_STATE_TRIGGER_C${n}`,
      privilege: HvPrivilege.CpuPowerManagement,
      read: (vp) => {
        vp.idleSleep = true // reading a trigger enters the power state (6.2)
        return 0n
      },
      write: () => MSR_FAULT,
    })
    table.register({
      index: HV_X64_MSR_POWER_STATE_CONFIG_C1 + i, name: `HV_X64_MSR_POWER_STATE_CONFIG_C${n}`,
      privilege: HvPrivilege.CpuPowerManagement,
      read: (vp) => vp.powerStateConfig[i],
      write: (vp, v) => {
        // DECISION 6.2: RsvdZ 63:60 set or ChangeType > 3 → #GP.
        if (v >> 60n !== 0n || ((v >> 52n) & 0xfn) > 3n) return MSR_FAULT
        vp.powerStateConfig[i] = v
        return MSR_WRITE_OK
      },
    })
  }
}
