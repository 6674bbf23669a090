/**
 * Run-time counters from the creator's run-time source (TLFS 10.3.2 HV_X64_MSR_VP_RUNTIME,
 * 6.3.3 logical processor run time, appendix J VPA/LPA): VP_RUNTIME and Total Run Time are the
 * source's nanoseconds in 100 ns units; Hypervisor Run Time is a modelled share of them; each
 * LP page sums its own VPs and shows the rest of global time as idle; HvGetLogicalProcessorRunTime
 * answers for one LP, not for all of them.
 */
import { describe, expect, it } from 'vitest'
import { HV_X64_MSR_VP_RUNTIME } from '../../../../core/hypervisor/synthetic-msrs'
import { decodeStatsPage } from '../../../../core/hypervisor/stats/stats-page'
import { HvStatsObjectType as T, VpCounter } from '../../../../core/hypervisor/stats/stats-types'
import { HvServicesWrapper } from '../../../../core/hypervisor/system/services-wrapper'
import { makeChild, makeHv } from '../helpers'

function setup() {
  const ns = [0, 0]
  let ref = 0
  const { hv } = makeHv({ logicalProcessorCount: 2, vpRunTime: (vp) => ns[vp.index]!, referenceTime: () => ref })
  const c = makeChild(hv, 32 * 4096, 16)
  const root = hv.wrapper()
  root.HvCreateVp(c, 0)
  root.HvCreateVp(c, 1)
  const p = hv.partition(c)!
  const svc = new HvServicesWrapper(hv)
  const page = (type: number, ids: object) => {
    const bytes = svc.readStatsPage(type, ids)!
    return (group: string, name: string) => decodeStatsPage(type, bytes).find((x) => x.group === group && x.name === name)!.value
  }
  return { hv, c, p, ns, setRef: (v: number) => (ref = v), page }
}

describe('run time from the run-time source', () => {
  it('VP_RUNTIME and Total Run Time are the source in 100 ns units; Hypervisor Run Time never exceeds them', () => {
    const { hv, c, p, ns, page } = setup()
    const vp0 = p.vp(0)!
    ns[0] = 123_456
    expect(hv.msrs.get(HV_X64_MSR_VP_RUNTIME)!.read(vp0)).toBe(1234n)
    vp0.counters[VpCounter.HypervisorEntries] = 3
    let vpPage = page(T.HvStatsObjectVp, { partitionId: c, vpIndex: 0 })
    expect(vpPage('VPA', 'Total Run Time')).toBe(1234)
    expect(vpPage('VPA', 'Hypervisor Run Time')).toBe(30) // 1 µs per entry
    vp0.counters[VpCounter.HypervisorEntries] = 1000 // 1 ms of modelled exits in 123 µs of run time
    vpPage = page(T.HvStatsObjectVp, { partitionId: c, vpIndex: 0 })
    expect(vpPage('VPA', 'Hypervisor Run Time')).toBe(1234)
    // The source does not advance while the VP is not run: neither does VP_RUNTIME.
    expect(hv.msrs.get(HV_X64_MSR_VP_RUNTIME)!.read(vp0)).toBe(1234n)
  })

  it('each LP page sums its own VPs, idles the rest of global time, and HvGetLogicalProcessorRunTime answers for one LP', () => {
    const { hv, c, ns, setRef, page } = setup()
    ns[0] = 400_000 // VP 0 on LP 0: 4000 units
    ns[1] = 150_099 // VP 1 on LP 1: 1500 units
    setRef(10_000)
    const lp0 = page(T.HvStatsObjectLogicalProcessor, { lpIndex: 0 })
    const lp1 = page(T.HvStatsObjectLogicalProcessor, { lpIndex: 1 })
    expect(lp0('LPA', 'Global Time')).toBe(10_000)
    expect(lp0('LPA', 'Total Run Time')).toBe(4000)
    expect(lp1('LPA', 'Total Run Time')).toBe(1500)
    expect(lp0('LPA', '% C1 Time')).toBe(6000)
    expect(lp1('LPA', '% C1 Time')).toBe(8500)
    expect(page(T.HvStatsObjectPartition, { partitionId: c })('PA', 'Virtual Processors')).toBe(2)
    // The root has no VP: it asks about LP 0, whose run time is VP 0's alone.
    const r = hv.wrapper().HvGetLogicalProcessorRunTime()
    expect(r.globalTime).toBe(10_000n)
    expect(r.localRunTime).toBe(4000n)
    expect(hv.logicalProcessorRunTime(1)).toBe(1500)
  })
})
