/** A real-CPU child partition through core/whp, for save/restore tests. */
import { Hypervisor, type HypervisorOptions } from '../../../../core/hypervisor/hypervisor'
import { HvRegister } from '../../../../core/hypervisor/register-names'
import {
  WHvCreatePartition, WHvCreateVirtualProcessor, WHvMapGpaRange, WHvPartitionPropertyCode, WHvSetPartitionProperty,
  WHvSetupPartition, type WHvPartition,
} from '../../../../core/whp'
import { crc32, RESTORE_VP_CONTEXT_PAGES } from '../../../../core/hypervisor/save-restore'
import { deposit } from '../../../../core/whp/whp-api'

export function makeVm(opts: HypervisorOptions = {}, cpus = 1): { hv: Hypervisor; p: WHvPartition } {
  const hv = new Hypervisor(opts)
  const p = WHvCreatePartition(hv)
  WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeProcessorCount, cpus)
  WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeMemorySize, 0x20000)
  WHvSetupPartition(p)
  WHvMapGpaRange(p, null, 0, 0x20000, 7)
  for (let i = 0; i < cpus; i++) WHvCreateVirtualProcessor(p, i)
  // 17.1.8: the parent populates the partition with resources before restoring into it.
  deposit(p, p.id, cpus * RESTORE_VP_CONTEXT_PAGES)
  return { hv, p }
}

export function suspendAll(p: WHvPartition, on = true): void {
  for (const vp of p.hv.partition(p.id)!.liveVps()) {
    p.root.HvSetVpRegisters(p.id, vp.index, [{ name: HvRegister.HvRegisterExplicitSuspend, value: on ? 1n : 0n }])
  }
}

/** Header payload offsets of stream format 1 (stream-format.ts). */
export const H = { magic: 0, version: 4, vendor: 8, features: 12, xsave: 20, clflush: 28, hardware: 36, areaSize: 40, xcr0: 44, vpCount: 52, vps: 56 }

/** Edit the header record (first frame) of a stream and fix the END CRC, as a hostile or newer writer would. */
export function patchHeader(stream: Uint8Array, edit: (v: DataView) => void): Uint8Array {
  const s = stream.slice()
  const len = s[1] | (s[2] << 8)
  edit(new DataView(s.buffer, 3, len))
  return refreshCrc(s)
}

export function refreshCrc(s: Uint8Array): Uint8Array {
  const end = s.length - 7
  new DataView(s.buffer, s.byteOffset).setUint32(end + 3, crc32(s.subarray(0, end)), true)
  return s
}
