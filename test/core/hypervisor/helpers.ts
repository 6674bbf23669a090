/** Shared setup for hypervisor tests: a Hypervisor over FakeCpus and an Active child. */
import { Hypervisor, type HypervisorOptions } from '../../../core/hypervisor/hypervisor'
import { GuestMemory } from '../../../core/memory/guest-memory'
import { FakeCpu } from './fake-cpu'

export function makeHv(opts: Partial<HypervisorOptions> = {}): { hv: Hypervisor; cpus: FakeCpu[] } {
  const cpus: FakeCpu[] = []
  const hv = new Hypervisor({
    createCpu: (memory) => {
      const c = new FakeCpu(memory)
      cpus.push(c)
      return c
    },
    nativeCpuid: (leaf, _sub, out) => {
      out[0] = leaf === 0 ? 0xd : 0x11
      out[1] = 0x22
      out[2] = 0x33
      out[3] = 0x44
    },
    ...opts,
  })
  return { hv, cpus }
}

let nextRootPage = 0x1000
/** Fresh root pages (GPA page numbers of the root). */
export function rootPages(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => nextRootPage + i)
  nextRootPage += n
  return a
}

/** Root deposits into itself, creates C, deposits into C, initializes C (with `ramBytes` of RAM). */
export function makeChild(hv: Hypervisor, ramBytes = 64 * 4096, poolPages = 16): bigint {
  const root = hv.wrapper()
  root.HvDepositMemory(hv.root.id, rootPages(1))
  const { status, newPartitionId } = root.HvCreatePartition()
  if (status !== 0) throw new Error(`create failed ${status}`)
  hv.attachGuestMemory(newPartitionId, new GuestMemory(ramBytes, 0))
  root.HvDepositMemory(newPartitionId, rootPages(poolPages))
  const st = root.HvInitializePartition(newPartitionId)
  if (st !== 0) throw new Error(`init failed ${st}`)
  return newPartitionId
}
