/**
 * Intercept and APIC EOI messages into a parent that runs real x86 code (TLFS 9.1, 13.4, 16):
 * child C creates grandchild G and installs an I/O intercept; G's OUT becomes an
 * HV_X64_IO_PORT_INTERCEPT_MESSAGE in C's SIM slot of SINT0, which C's IDT handler reads;
 * a level-triggered EOI in G becomes HvMessageTypeApicEoi the same way.
 */
import { describe, expect, it } from 'vitest'
import { interruptsOf } from '../../../../core/hypervisor/apic/partition-interrupts'
import { runVp } from '../../../../core/hypervisor/run-vp'
import { INTERCEPT_SUSPEND_SUSPENDED, VpExitKind } from '../../../../core/hypervisor/virtual-processor'
import { GuestMemory } from '../../../../core/memory/guest-memory'
import { Seg } from '../../../../core/x64'
import { assemble, hasToolchain } from '../../x64/harness'
import { CHILD_PRIVILEGES, guestRig } from './guest-rig'

const PARENT = `
main:
  GATE 0x51, sint0_handler
  WRM 0x40000083, SIM + 1
  WRM 0x40000080, 1
  WRM 0x40000090, 0x51
  sti
1:
  cmp dword ptr [DATA + 8], 2
  jae 2f
  hlt
  jmp 1b
2:
  DONE
sint0_handler:
  push rax
  push rcx
  push rdx
  push rsi
  push rdi
  mov ecx, dword ptr [DATA + 8]
  shl rcx, 7
  lea rdi, [DATA + 0x400 + rcx]
  mov rsi, SIM
  mov ecx, 16
  rep movsq
  inc dword ptr [DATA + 8]
  mov dword ptr [SIM], 0
  WRM 0x40000084, 0
  WRM 0x40000070, 0
  pop rdi
  pop rsi
  pop rdx
  pop rcx
  pop rax
  iretq
`

describe.skipIf(!hasToolchain())('intercept messages to a parent running x86 code (TLFS 16)', () => {
  it('delivers the I/O port intercept and ApicEoi messages into the parent SIM', () => {
    const r = guestRig(PARENT, { privileges: CHILD_PRIVILEGES | (7n << 32n), hv: { maxPartitionDepth: 3 } }) // + CreatePartitions, AccessPartitionId, AccessMemoryPool
    expect(r.run()).toBe('halted')
    const c = r.hv.wrapper(r.p)
    const { status, newPartitionId: gid } = c.HvCreatePartition()
    expect(status).toBe(0)
    expect(r.hv.attachGuestMemory(gid, new GuestMemory(16 * 4096, 0))).toBe(true)
    expect(c.HvDepositMemory(gid, Array.from({ length: 8 }, (_, k) => 0xc0 + k)).status).toBe(0)
    expect(c.HvInitializePartition(gid)).toBe(0)
    expect(c.HvMapGpaPages(gid, 0, 7, Array.from({ length: 16 }, (_, k) => 0xd0 + k)).status).toBe(0)
    expect(c.HvCreateVp(gid, 0)).toBe(0)
    expect(c.HvInstallIntercept(gid, 2, 0, 0x80n)).toBe(0)
    const g = r.hv.partition(gid)!
    const gvp = g.vp(0)!
    gvp.explicitSuspend = false
    g.memory!.writeBytes(0x1000, assemble('mov dx, 0x80\nmov eax, 0x1234abcd\nout dx, eax\nhlt\n', 0x1000, 32))
    const cpu = gvp.cpu
    cpu.setCr(0, 0x11n)
    cpu.setSegment(Seg.CS, { base: 0n, limit: 0xffffffff, selector: 0x08, attributes: 0xc09b })
    for (const s of [Seg.DS, Seg.ES, Seg.SS]) cpu.setSegment(s, { base: 0n, limit: 0xffffffff, selector: 0x10, attributes: 0xc093 })
    cpu.setRip(0x1000n)
    expect(runVp(r.hv, gvp, 100)).toBe(VpExitKind.IoPort)
    expect(gvp.interceptSuspend & INTERCEPT_SUSPEND_SUSPENDED).toBe(INTERCEPT_SUSPEND_SUSPENDED)

    // A level-triggered interrupt in G, acknowledged and EOI'd: the parent gets ApicEoi.
    const gs = interruptsOf(r.hv, g).vpState(gvp)
    gs.apic.write(0xf0, 0x1ff)
    gs.apic.accept(0x31, true)
    gs.apic.acknowledge(0x31, false)
    gs.apic.eoi()

    expect(r.run()).toBe('done')
    const msg = (k: number, off: number, size: 1 | 2 | 4 | 8): bigint => {
      const o = 0x400 + k * 128 + off
      return size === 8 ? r.u64(o) : BigInt(size === 4 ? r.u32(o) : r.u32(o) & (size === 2 ? 0xffff : 0xff))
    }
    // Message 0: HvMessageTypeX64IoPortIntercept, payload 128, origination = G's partition id.
    expect(msg(0, 0, 4)).toBe(0x80010000n)
    expect(msg(0, 4, 1)).toBe(128n)
    expect(msg(0, 8, 8)).toBe(gid)
    expect(msg(0, 16, 4)).toBe(0n) // VpIndex
    expect(msg(0, 20, 1)).toBe(1n) // InstructionLength of OUT DX, EAX
    expect(msg(0, 21, 1)).toBe(1n) // write
    expect(msg(0, 22, 2) & 4n).toBe(4n) // ExecutionState.Cr0Pe
    expect(msg(0, 40, 8)).toBe(0x1000n + 9n) // RIP of the OUT (after mov dx / mov eax)
    expect(msg(0, 56, 2)).toBe(0x80n)
    expect(msg(0, 58, 1)).toBe(4n) // AccessSize 4, not a string op
    expect(msg(0, 64, 8)).toBe(0x1234abcdn)
    // Message 1: HvMessageTypeApicEoi with VpIndex 0 and InterruptVector 0x31.
    expect(msg(1, 0, 4)).toBe(0x80000030n)
    expect(msg(1, 4, 1)).toBe(8n)
    expect(msg(1, 16, 4)).toBe(0n)
    expect(msg(1, 20, 4)).toBe(0x31n)
  })
})
