/**
 * Test helper: a child partition through core/whp with 64 KiB of RAM, `code` at 0x1000, and
 * VP 0 in flat 32-bit protected mode (CS 0x08, data 0x10, paging off) at RIP 0x1000, RSP 0x8000 —
 * the smallest real-CPU guest a hypercall or counter test needs.
 */
import type { Hypervisor } from '../../../core/hypervisor/hypervisor'
import { HvRegister as R } from '../../../core/hypervisor/register-names'
import {
  WHvCreatePartition, WHvCreateVirtualProcessor, WHvGetPartitionMemory, WHvMapGpaRange, WHvPartitionPropertyCode,
  WHvSetPartitionProperty, WHvSetupPartition, WHvSetVirtualProcessorRegisters, type WHvPartition,
} from '../../../core/whp'

export const FLAT32_GUEST_BYTES = 0x10000
export const FLAT32_CODE_GPA = 0x1000

export function createFlat32Guest(hv: Hypervisor, code: Uint8Array): WHvPartition {
  const p = WHvCreatePartition(hv)
  WHvSetPartitionProperty(p, WHvPartitionPropertyCode.WHvPartitionPropertyCodeMemorySize, FLAT32_GUEST_BYTES)
  WHvSetupPartition(p)
  WHvMapGpaRange(p, null, 0, FLAT32_GUEST_BYTES, 7)
  WHvGetPartitionMemory(p).writeBytes(FLAT32_CODE_GPA, code)
  WHvCreateVirtualProcessor(p, 0)
  const flat = (sel: number, attr: number) => ({ lo: 0n, hi: 0xffffffffn | (BigInt(attr) << 32n) | (BigInt(sel) << 48n) })
  WHvSetVirtualProcessorRegisters(
    p, 0,
    [R.HvX64RegisterCr0, R.HvX64RegisterCs, R.HvX64RegisterSs, R.HvX64RegisterDs, R.HvX64RegisterEs, R.HvX64RegisterRip, R.HvX64RegisterRsp, R.HvX64RegisterRflags],
    [0x11n, flat(0x08, 0xc09b), flat(0x10, 0xc093), flat(0x10, 0xc093), flat(0x10, 0xc093), BigInt(FLAT32_CODE_GPA), 0x8000n, 2n],
  )
  return p
}
