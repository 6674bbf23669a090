/**
 * Partition timer assists (TLFS 5.4/5.5 periodic timer assist and PM timer assist) seen by
 * real guest code: the parent sets the properties; the guest takes the periodic interrupt
 * on T0 + k·period and reads the PM timer port without any intercept.
 */
import { describe, expect, it } from 'vitest'
import { HvPartitionProperty as P } from '../../../../core/hypervisor/partition-properties'
import { hasToolchain } from '../../x64/harness'
import { GP_COUNT, guestRig } from '../synic/guest-rig'

describe.skipIf(!hasToolchain())('guest code: periodic timer assist (TLFS 5.4)', () => {
  it('sends the control vector every period to the APIC named by Mda; Period 0 clears Enabled', () => {
    const r = guestRig(`
main:
  GATE 0x45, tick
  sti
1:
  cmp dword ptr [DATA + 8], 4
  jae 2f
  hlt
  jmp 1b
2:
  DONE
tick:
  push rax
  push rcx
  push rdx
  push rbx
  RDM 0x40000020
  mov ebx, dword ptr [DATA + 8]
  mov [DATA + 0x400 + rbx * 8], rax
  inc dword ptr [DATA + 8]
  WRM 0x40000070, 0
  pop rbx
  pop rdx
  pop rcx
  pop rax
  iretq
`)
    const root = r.hv.wrapper()
    expect(r.run()).toBe('halted') // nothing scheduled yet
    expect(root.HvSetPartitionProperty(r.id, P.HvPartitionPropertyEmulatedTimerPeriod, 10_000n)).toBe(0)
    expect(root.HvSetPartitionProperty(r.id, P.HvPartitionPropertyEmulatedTimerControl, 0x45n | (1n << 12n) | (0n << 56n))).toBe(0)
    expect(r.run()).toBe('done')
    const ticks = Array.from({ length: 4 }, (_, k) => r.u64(0x400 + k * 8))
    for (let k = 1; k < 4; k++) {
      const gap = ticks[k] - ticks[k - 1]
      expect(gap >= 9_999n && gap <= 10_001n).toBe(true)
    }
    expect(r.u32(GP_COUNT)).toBe(0)
    expect(root.HvSetPartitionProperty(r.id, P.HvPartitionPropertyEmulatedTimerPeriod, 0n)).toBe(0)
    expect(r.hv.interrupts.nextDeadline(r.id)).toBe(Infinity)
    expect(root.HvGetPartitionProperty(r.id, P.HvPartitionPropertyEmulatedTimerControl).value & (1n << 12n)).toBe(0n)
  })
})

describe.skipIf(!hasToolchain())('guest code: PM timer assist (TLFS 5.5)', () => {
  it('answers IN from the port with floor(ref × 0.3579545) mod 2^24; neighbours take the normal path', () => {
    const r = guestRig(`
main:
  RDM 0x40000020
  mov [DATA + 0x20], rax
  mov dx, 0x408
  in eax, dx
  mov [DATA + 0x28], eax
  RDM 0x40000020
  mov [DATA + 0x30], rax
  mov dx, 0x409
  in eax, dx
  mov [DATA + 0x38], eax
  xor eax, eax
  mov dx, 0x408
  in ax, dx
  mov [DATA + 0x40], eax
  RDM 0x40000020
  mov [DATA + 0x48], rax
  DONE
`)
    const root = r.hv.wrapper()
    expect(root.HvSetPartitionProperty(r.id, P.HvPartitionPropertyPmTimerAssist, 0x408n | (1n << 16n) | (1n << 17n))).toBe(0)
    expect(r.run()).toBe('done')
    const before = Number(r.u64(0x20)), after = Number(r.u64(0x30))
    const v = r.u32(0x28)
    const pm = (ref: number): number => Math.floor((ref * 3579545) / 1e7) % 2 ** 24
    expect(v).toBeGreaterThanOrEqual(pm(before))
    expect(v).toBeLessThanOrEqual(pm(after))
    expect(v).toBeLessThan(2 ** 24)
    expect(r.u32(0x38)).toBe(0xffffffff) // port 0x409: not the assist, nobody claims it
    // A 16-bit IN gets the low 16 bits of the value at that moment.
    const ax = r.u32(0x40)
    const candidates = new Set<number>()
    for (let ref = after; ref <= Number(r.u64(0x48)); ref++) candidates.add(pm(ref) & 0xffff)
    expect(candidates.has(ax)).toBe(true)
  })
})
