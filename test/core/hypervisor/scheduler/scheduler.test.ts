import { describe, expect, it } from 'vitest'
import * as S from '../../../../core/hypervisor/hv-status'
import type { Hypervisor } from '../../../../core/hypervisor/hypervisor'
import { HvPartitionProperty as P } from '../../../../core/hypervisor/partition-properties'
import { runVp } from '../../../../core/hypervisor/run-vp'
import { partitionPolicy } from '../../../../core/hypervisor/scheduler/partition-policy'
import { HvScheduler } from '../../../../core/hypervisor/scheduler/scheduler'
import type { VirtualProcessor } from '../../../../core/hypervisor/virtual-processor'
import { HvCall } from '../../../../core/hypervisor/hypercall-codes'
import { makeChild, makeHv } from '../helpers'

/** Two busy single-VP partitions (FakeCpu: every run retires its whole budget). */
function busyPair() {
  const { hv } = makeHv()
  const vps = [makeChild(hv), makeChild(hv)].map((id) => {
    hv.wrapper().HvCreateVp(id, 0)
    const vp = hv.partition(id)!.vp(0)!
    vp.explicitSuspend = false
    return vp
  })
  return { hv, vps }
}

/** Run one LP for `total` instructions of virtual time under the scheduler; returns VP run-time shares. */
function simulate(hv: Hypervisor, vps: VirtualProcessor[], total: number): { shares: number[]; idle: number } {
  const sched = new HvScheduler<VirtualProcessor>({ quantum: 10_000 })
  for (const vp of vps) sched.add(vp, partitionPolicy(vp.partition))
  const start = vps.map((vp) => vp.runTime)
  while (sched.now < total) {
    const d = sched.next()
    if (d.key === null) {
      sched.idle(d.budget)
      continue
    }
    const before = d.key.cpu.retired
    runVp(hv, d.key, d.budget)
    sched.account(d.key, d.key.cpu.retired - before)
  }
  // Shares of LP time, measured from HV_X64_MSR_VP_RUNTIME (100 ns = 10 instructions).
  return { shares: vps.map((vp, i) => ((vp.runTime - start[i]) * 10) / sched.now), idle: sched.idleTime / sched.now }
}

describe('scheduler (TLFS ch. 18)', () => {
  it('gives new partitions reserve 0, cap 0x10000, weight 100 (ideas 29, 79)', () => {
    const { hv, vps } = busyPair()
    expect(partitionPolicy(vps[0].partition)).toEqual({ reserve: 0, cap: 0x10000, weight: 100 })
    expect(partitionPolicy(hv.root)).toEqual({ reserve: 0, cap: 0x10000, weight: 100 })
  })

  it('shares one LP 25/75 between weights 100 and 300', () => {
    const { hv, vps } = busyPair()
    hv.wrapper().HvSetPartitionProperty(vps[1].partition.id, P.HvPartitionPropertyCpuWeight, 300n)
    const { shares } = simulate(hv, vps, 20_000_000)
    expect(Math.abs(shares[0] - 0.25)).toBeLessThan(0.05)
    expect(Math.abs(shares[1] - 0.75)).toBeLessThan(0.05)
  })

  it('holds a 25 % cap against a lighter competitor, and idles the LP when the capped VP is alone (idea 34)', () => {
    const { hv, vps } = busyPair()
    const root = hv.wrapper()
    root.HvSetPartitionProperty(vps[1].partition.id, P.HvPartitionPropertyCpuWeight, 300n)
    root.HvSetPartitionProperty(vps[1].partition.id, P.HvPartitionPropertyCpuCap, 0x4000n)
    const both = simulate(hv, vps, 20_000_000)
    expect(Math.abs(both.shares[1] - 0.25)).toBeLessThan(0.05)
    expect(Math.abs(both.shares[0] - 0.75)).toBeLessThan(0.05)
    const alone = simulate(hv, [vps[1]], 20_000_000)
    expect(Math.abs(alone.shares[0] - 0.25)).toBeLessThan(0.05)
    expect(Math.abs(alone.idle - 0.75)).toBeLessThan(0.05)
  })

  it('lets a reserve win over weights', () => {
    const { hv, vps } = busyPair()
    const root = hv.wrapper()
    root.HvSetPartitionProperty(vps[1].partition.id, P.HvPartitionPropertyCpuWeight, 10000n)
    root.HvSetPartitionProperty(vps[0].partition.id, P.HvPartitionPropertyCpuReserve, 0x8000n)
    const { shares } = simulate(hv, vps, 20_000_000)
    expect(Math.abs(shares[0] - 0.5)).toBeLessThan(0.05)
  })

  it('rejects cap below reserve and out-of-range weights (ideas 30, 31)', () => {
    const { hv, vps } = busyPair()
    const id = vps[0].partition.id
    const root = hv.wrapper()
    expect(root.HvSetPartitionProperty(id, P.HvPartitionPropertyCpuReserve, 0x8000n)).toBe(S.HV_STATUS_SUCCESS)
    expect(root.HvSetPartitionProperty(id, P.HvPartitionPropertyCpuCap, 0x4000n)).toBe(S.HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE)
    expect(root.HvSetPartitionProperty(id, P.HvPartitionPropertyCpuCap, 0x10001n)).toBe(S.HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE)
    expect(root.HvSetPartitionProperty(id, P.HvPartitionPropertyCpuWeight, 0n)).toBe(S.HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE)
    expect(root.HvSetPartitionProperty(id, P.HvPartitionPropertyCpuWeight, 10001n)).toBe(S.HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE)
  })

  it('answers HvNotifyLongSpinWait with SUCCESS for any input (idea 35) and moves the spinner behind others', () => {
    const { hv } = makeHv()
    hv.input().setBigUint64(0, 0xffffffffffffffffn, true)
    expect(hv.callFromHost(hv.root, HvCall.HvCallNotifyLongSpinWait, {}).status).toBe(S.HV_STATUS_SUCCESS)
    const s = new HvScheduler<string>({ quantum: 100 })
    s.add('a', { reserve: 0, cap: 0x10000, weight: 100 })
    s.add('b', { reserve: 0, cap: 0x10000, weight: 100 })
    expect(s.next().key).toBe('a')
    s.yield('a')
    expect(s.next().key).toBe('b')
  })
})
