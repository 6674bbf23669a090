/**
 * Saved-state sections of ch. 13-15 (TLFS 17.1.5) with real guest code: a guest is stopped
 * mid-work (messages queued behind a busy slot / a periodic timer running), saved through
 * HvSavePartitionState, restored into a NEW hypervisor whose clock reads differently, and
 * finishes exactly as it would have without the interruption.
 */
import { describe, expect, it } from 'vitest'
import { restorePartitionStateAll, savePartitionStateAll, HvSaveRestoreStateResult as R } from '../../../../core/hypervisor/save-restore'
import { interruptsOf } from '../../../../core/hypervisor/apic/partition-interrupts'
import { hasToolchain } from '../../x64/harness'
import { refreshCrc } from '../save-restore/helpers'
import { guestRig, type GuestRig } from '../synic/guest-rig'
import { connectPort, createPort, PortType, postMessage } from '../synic/root-calls'

const SINT_GUEST = `
main:
  GATE 0x50, sint_handler
  WRM 0x40000083, SIM + 1
  WRM 0x40000080, 1
  WRM 0x40000092, 0x50
  WRM 0x40000021, TSCPAGE + 1
  sti
1:
  mov eax, dword ptr [DATA + 8]
  cmp eax, 12
  jae 2f
  hlt
  jmp 1b
2:
  DONE
sint_handler:
  push rax
  push rcx
  push rdx
  mov ecx, 3000
4:
  dec ecx
  jnz 4b
  mov ecx, dword ptr [DATA + 8]
  mov rdx, qword ptr [SIM + 2 * 256 + 16]
  mov qword ptr [DATA + 0x400 + rcx * 8], rdx
  inc dword ptr [DATA + 8]
  movzx edx, byte ptr [SIM + 2 * 256 + 5]
  mov dword ptr [SIM + 2 * 256], 0
  test edx, 1
  jz 3f
  WRM 0x40000084, 0
3:
  WRM 0x40000070, 0
  pop rdx
  pop rcx
  pop rax
  iretq
`

/** Save `a` (VPs suspended), copy its RAM into a fresh rig `b` of the same code and restore there. */
function migrate(a: GuestRig, b: GuestRig): void {
  a.vp.explicitSuspend = true
  const saved = savePartitionStateAll(a.hv, a.hv.root, a.id)
  expect(saved.status).toBe(0)
  expect(saved.saveState).toBe(R.HvStateComplete)
  b.vp.explicitSuspend = true
  b.p.memory!.ram.set(a.p.memory!.ram)
  b.p.memory!.notifyWrite(0, b.p.memory!.ram.length)
  const res = restorePartitionStateAll(b.hv, b.hv.root, b.id, saved.stream)
  expect(res.restoreState).toBe(R.HvStateComplete)
  b.vp.explicitSuspend = false
}

describe.skipIf(!hasToolchain())('saved-state sections hv.apic / hv.synic / hv.stimers / hv.time (TLFS 17.1.5)', () => {
  it('queued messages, the in-service vector and the SIM survive save and restore into a new hypervisor', () => {
    const a = guestRig(SINT_GUEST)
    expect(a.run()).toBe('halted')
    expect(createPort(a.hv, a.id, 7, a.hv.root.id, PortType.Message, 2, 0)).toBe(0)
    expect(connectPort(a.hv, a.hv.root.id, 9, a.id, 7, PortType.Message)).toBe(0)
    for (let k = 0; k < 12; k++) expect(postMessage(a.hv, 9, 0x77, BigInt(k + 100))).toBe(0)
    // Stop inside the 4th handler's delay loop: vector 0x50 in service, 8 messages still queued.
    a.run(3 * 6100 + 2000)
    const handled = a.u32(8)
    expect(handled).toBeGreaterThan(1)
    expect(handled).toBeLessThan(6)
    const queuedBefore = interruptsOf(a.hv, a.p).vpState(a.vp).synic.queues[2].length
    expect(queuedBefore).toBeGreaterThan(0)
    const refBefore = interruptsOf(a.hv, a.p).time.now100ns()

    const b = guestRig(SINT_GUEST)
    b.vp.cpu.run(50) // b's clock now reads differently from a's
    migrate(a, b)
    const sb = interruptsOf(b.hv, b.p).vpState(b.vp)
    expect(sb.synic.queues[2].length).toBe(queuedBefore)
    expect(sb.apic.isInService(0x50)).toBe(true)
    expect(sb.synic.simp).toBe(0x13001n)
    // The reference counter continued from the saved value (no jump, no rewind).
    const refAfter = interruptsOf(b.hv, b.p).time.now100ns()
    expect(refAfter).toBe(refBefore)
    expect(b.run()).toBe('done')
    expect(b.u32(8)).toBe(12)
    expect(Array.from({ length: 12 }, (_, k) => b.u64(0x400 + k * 8))).toEqual(Array.from({ length: 12 }, (_, k) => BigInt(k + 100)))
  })

  it('a periodic synthetic timer keeps its phase across save and restore', () => {
    const guest = `
main:
  GATE 0x60, timer_handler
  WRM 0x40000083, SIM + 1
  WRM 0x40000080, 1
  WRM 0x40000093, 0x60
  WRM 0x400000b3, 5000
  WRM 0x400000b2, (3 << 16) | 3
  sti
1:
  cmp dword ptr [DATA + 8], 6
  jae 2f
  hlt
  jmp 1b
2:
  WRM 0x400000b2, 0
  DONE
timer_handler:
  push rax
  push rcx
  push rdx
  mov ecx, dword ptr [DATA + 8]
  shl rcx, 4
  mov rax, qword ptr [SIM + 3 * 256 + 24]
  mov [DATA + 0x400 + rcx], rax
  mov rax, qword ptr [SIM + 3 * 256 + 32]
  mov [DATA + 0x408 + rcx], rax
  inc dword ptr [DATA + 8]
  mov dword ptr [SIM + 3 * 256], 0
  WRM 0x40000084, 0
  WRM 0x40000070, 0
  pop rdx
  pop rcx
  pop rax
  iretq
`
    const a = guestRig(guest)
    // Run until 3 expirations were handled.
    while (a.u32(8) < 3) expect(a.run(200)).not.toBe('done')
    const b = guestRig(guest)
    b.vp.cpu.run(1000)
    migrate(a, b)
    expect(b.run(5_000_000)).toBe('done')
    const exp = Array.from({ length: 6 }, (_, k) => b.u64(0x400 + k * 16))
    const del = Array.from({ length: 6 }, (_, k) => b.u64(0x408 + k * 16))
    for (let k = 1; k < 6; k++) expect(exp[k] - exp[k - 1]).toBe(5000n)
    for (let k = 0; k < 6; k++) expect(del[k] >= exp[k] && del[k] - exp[k] <= 1n).toBe(true)
  })

  it('refuses a corrupt section without touching the target', () => {
    const a = guestRig(SINT_GUEST)
    expect(a.run()).toBe('halted')
    a.vp.explicitSuspend = true
    const saved = savePartitionStateAll(a.hv, a.hv.root, a.id)
    const b = guestRig(SINT_GUEST)
    b.vp.explicitSuspend = true
    // Damage the VP count of the hv.synic section and fix the stream CRC, as a hostile writer would.
    const s = saved.stream.slice()
    const name = new TextEncoder().encode('hv.synic')
    const at = s.findIndex((_, i) => name.every((c, j) => s[i + j] === c))
    expect(at).toBeGreaterThan(0)
    s[at + name.length + 2 + 4] ^= 0x7f // first byte of the section data (VP count)
    const res = restorePartitionStateAll(b.hv, b.hv.root, b.id, refreshCrc(s))
    expect(res.restoreState).toBe(R.HvStateCorruptData)
    expect(interruptsOf(b.hv, b.p).vpState(b.vp).synic.simp).toBe(0n)
  })
})
