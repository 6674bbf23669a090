/** Shared setup for ch. 13-15 tests: a child with N runnable FakeCpu VPs, a settable guest clock. */
import type { Hypervisor } from '../../../../core/hypervisor/hypervisor'
import type { Partition } from '../../../../core/hypervisor/partition'
import { MSR_FAULT } from '../../../../core/hypervisor/synthetic-msrs'
import type { VirtualProcessor } from '../../../../core/hypervisor/virtual-processor'
import type { FakeCpu } from '../fake-cpu'
import { makeChild, makeHv, rootPages } from '../helpers'

export interface Rig {
  hv: Hypervisor
  id: bigint
  p: Partition
  cpus: FakeCpu[]
  clock: { ns: number }
  vp(i: number): VirtualProcessor
  wrmsr(vp: number, msr: number, v: bigint): boolean
  rdmsr(vp: number, msr: number): bigint | 'GP'
}

export function rig(vps = 1, opts: { privileges?: bigint; ramPages?: number } = {}): Rig {
  const { hv, cpus } = makeHv()
  const pages = opts.ramPages ?? 64
  const id = makeChild(hv, pages * 4096, 32)
  const root = hv.wrapper()
  root.HvMapGpaPages(id, 0, 7, rootPages(pages))
  if (opts.privileges !== undefined) root.HvSetPartitionProperty(id, 0x00010000, opts.privileges)
  const p = hv.partition(id)!
  for (let i = 0; i < vps; i++) {
    root.HvCreateVp(id, i)
    root.HvSetVpRegisters(id, i, [{ name: 0x00000002, value: 0n }])
    p.vp(i)!.explicitSuspend = false
    p.vp(i)!.waitingForSipi = false
  }
  const clock = { ns: 0 }
  hv.interrupts.setClock(id, { nowNs: () => clock.ns, tscHz: 1e9 })
  for (const c of cpus) c.readTsc = () => clock.ns
  return {
    hv, id, p, cpus: cpus as FakeCpu[], clock,
    vp: (i) => p.vp(i)!,
    wrmsr: (i, msr, v) => hv.msrs.get(msr)!.write(p.vp(i)!, v) !== MSR_FAULT,
    rdmsr: (i, msr) => {
      const r = hv.msrs.get(msr)!.read(p.vp(i)!)
      return r === MSR_FAULT ? 'GP' : r
    },
  }
}
