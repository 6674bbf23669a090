import { describe, expect, it } from 'vitest'
import * as S from '../../../../core/hypervisor/hv-status'
import { HV_EVENTLOG_ENABLE_DIAG_PERF_GENERAL } from '../../../../core/hypervisor/event-log/event-log-types'
import { HvCallGetSystemProperty, HvProfileSource, HvSystemPropertyCode } from '../../../../core/hypervisor/system/system-properties'
import { HvPrivilege } from '../../../../core/hypervisor/privileges'
import { HvServicesWrapper } from '../../../../core/hypervisor/system/services-wrapper'
import { HYPERCALLS_BY_CODE } from '../../../../core/hypervisor/hypercall-table'
import { makeChild, makeHv, rootPages } from '../helpers'

describe('system properties (TLFS ch. 23)', () => {
  it('dispatches 0x0071 to HvGetSystemProperty (idea 3) and refuses non-root callers (idea 81)', () => {
    expect(HYPERCALLS_BY_CODE[HvCallGetSystemProperty]?.name).toBe('HvGetSystemProperty')
    const { hv } = makeHv()
    const child = new HvServicesWrapper(hv, hv.partition(makeChild(hv))!)
    expect(child.HvSetSystemProperty(0, 1, 100n)).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(child.HvGetSystemProperty(0).status).toBe(S.HV_STATUS_ACCESS_DENIED)
  })

  it('validates code and value, round-trips, and refuses while the profiler runs (ideas 82-85)', () => {
    const { hv } = makeHv()
    const svc = new HvServicesWrapper(hv)
    expect(svc.HvSetSystemProperty(1, 1, 100n)).toBe(S.HV_STATUS_UNKNOWN_PROPERTY)
    expect(svc.HvGetSystemProperty(1).status).toBe(S.HV_STATUS_UNKNOWN_PROPERTY)
    expect(svc.HvSetSystemProperty(0, 0, 100n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(svc.HvSetSystemProperty(0, 4, 100n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(svc.HvSetSystemProperty(0, 1, 0n)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(svc.HvSetSystemProperty(0, HvProfileSource.HvProfileCacheMisses, 10000n)).toBe(S.HV_STATUS_SUCCESS)
    expect(svc.HvGetSystemProperty(0)).toEqual({ status: 0, profileSource: 2, period: 10000n })
    hv.wrapper().HvDepositMemory(hv.root.id, rootPages(2))
    svc.HvInitializeEventLogBufferGroup(1, 1, 1, 1, 0)
    svc.HvSetEventLogGroupSources(1, HV_EVENTLOG_ENABLE_DIAG_PERF_GENERAL)
    expect(svc.HvSetSystemProperty(0, 1, 5n)).toBe(S.HV_STATUS_OPERATION_DENIED)
    expect(svc.HvGetSystemProperty(0).period).toBe(10000n)
  })

  it('covers every HV_SYSTEM_PROPERTY_CODE: PerfCounterConfiguration for each profile source; Max and beyond are unknown', () => {
    const { hv } = makeHv()
    const svc = new HvServicesWrapper(hv)
    // Before any set: the property reads as zero (no configuration).
    expect(svc.HvGetSystemProperty(HvSystemPropertyCode.HvSystemProperyPerfCounterConfiguration)).toEqual({ status: 0, profileSource: 0, period: 0n })
    for (const source of [HvProfileSource.HvProfileCyclesNotHalted, HvProfileSource.HvProfileCacheMisses, HvProfileSource.HvProfileBranchMispredictions]) {
      const period = 1000n * BigInt(source) + 7n
      expect(svc.HvSetSystemProperty(HvSystemPropertyCode.HvSystemProperyPerfCounterConfiguration, source, period)).toBe(S.HV_STATUS_SUCCESS)
      // 23.1: the value stays until the root sets it again.
      expect(svc.HvGetSystemProperty(0)).toEqual({ status: 0, profileSource: source, period })
      expect(svc.HvGetSystemProperty(0)).toEqual({ status: 0, profileSource: source, period })
    }
    // The 128-bit value's reserved half of the first u64 must be zero.
    expect(svc.HvSetSystemProperty(0, HvProfileSource.HvProfileCacheMisses, 5n, 1)).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(svc.HvGetSystemProperty(0).profileSource).toBe(HvProfileSource.HvProfileBranchMispredictions)
    for (const code of [HvSystemPropertyCode.HvSystemPropertyMax, 2, 0x7fffffff, 0xffffffff]) {
      expect(svc.HvSetSystemProperty(code, 1, 100n)).toBe(S.HV_STATUS_UNKNOWN_PROPERTY)
      expect(svc.HvGetSystemProperty(code).status).toBe(S.HV_STATUS_UNKNOWN_PROPERTY)
    }
  })

  it('setting needs ConfigureProfiler (appendix B); reading does not', () => {
    const { hv } = makeHv()
    const svc = new HvServicesWrapper(hv)
    expect(svc.HvSetSystemProperty(0, 1, 100n)).toBe(S.HV_STATUS_SUCCESS)
    hv.root.privileges &= ~(1n << BigInt(HvPrivilege.ConfigureProfiler))
    expect(svc.HvSetSystemProperty(0, 2, 200n)).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(svc.HvGetSystemProperty(0)).toEqual({ status: 0, profileSource: 1, period: 100n })
  })
})
