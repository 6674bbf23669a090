/**
 * Issue 6 proof, time (TLFS 15.2-15.4) from inside a guest on the real CPU under the
 * virtual clock: a one-shot and a periodic synthetic timer deliver HvMessageTypeTimerExpired
 * messages whose ExpirationTime is the programmed due time and whose DeliveryTime is within
 * one 100 ns unit after it (never early), both while the guest halts and while it spins;
 * and the reference TSC page formula agrees with HV_X64_MSR_TIME_REF_COUNT within one unit.
 */
import { describe, expect, it } from 'vitest'
import { hasToolchain } from '../../x64/harness'
import { GP_COUNT, guestRig } from '../synic/guest-rig'

/** Guest: STIMER0 one-shot at now+12000, STIMER1 periodic 5000, both on SINT3 (vector 0x60). */
function timerGuest(wait: 'hlt' | 'spin'): string {
  const idle = wait === 'hlt' ? 'hlt' : 'pause'
  return `
main:
  GATE 0x60, timer_handler
  WRM 0x40000083, SIM + 1
  WRM 0x40000080, 1
  WRM 0x40000093, 0x60
  RDM 0x40000020
  add rax, 12000
  mov [DATA + 0x20], rax
  mov rbx, rax
  WRM 0x400000b1, rbx
  WRM 0x400000b0, (3 << 16) | 1
  WRM 0x400000b3, 5000
  RDM 0x40000020
  mov [DATA + 0x28], rax
  WRM 0x400000b2, (3 << 16) | 3
  sti
1:
  cmp dword ptr [DATA + 8], 5
  jae 2f
  ${idle}
  jmp 1b
2:
  WRM 0x400000b2, 0
  RDM 0x400000b0
  mov [DATA + 0x30], rax
  DONE
timer_handler:
  push rax
  push rcx
  push rdx
  push rbx
  RDM 0x40000020
  mov ebx, dword ptr [DATA + 8]
  shl rbx, 5
  mov [DATA + 0x400 + rbx + 24], rax
  mov eax, dword ptr [SIM + 3 * 256]
  mov [DATA + 0x400 + rbx], eax
  mov eax, dword ptr [SIM + 3 * 256 + 16]
  mov [DATA + 0x400 + rbx + 4], eax
  mov rax, qword ptr [SIM + 3 * 256 + 24]
  mov [DATA + 0x400 + rbx + 8], rax
  mov rax, qword ptr [SIM + 3 * 256 + 32]
  mov [DATA + 0x400 + rbx + 16], rax
  inc dword ptr [DATA + 8]
  movzx edx, byte ptr [SIM + 3 * 256 + 5]
  mov dword ptr [SIM + 3 * 256], 0
  test edx, 1
  jz 3f
  WRM 0x40000084, 0
3:
  WRM 0x40000070, 0
  pop rbx
  pop rdx
  pop rcx
  pop rax
  iretq
`
}

interface Expiry { type: number; timer: number; expiration: bigint; delivery: bigint; guestSaw: bigint }

function expiries(r: ReturnType<typeof guestRig>): Expiry[] {
  return Array.from({ length: r.u32(8) }, (_, k) => ({
    type: r.u32(0x400 + k * 32), timer: r.u32(0x404 + k * 32), expiration: r.u64(0x408 + k * 32),
    delivery: r.u64(0x410 + k * 32), guestSaw: r.u64(0x418 + k * 32),
  }))
}

describe.skipIf(!hasToolchain())('guest code: synthetic timers (TLFS 15.3)', () => {
  for (const wait of ['hlt', 'spin'] as const) {
    it(`one-shot and periodic expirations arrive on time, never early (guest ${wait}s)`, () => {
      const r = guestRig(timerGuest(wait))
      expect(r.run(5_000_000)).toBe('done')
      expect(r.u32(GP_COUNT)).toBe(0)
      const due = r.u64(0x20)
      const periodicArmedAfter = r.u64(0x28)
      const got = expiries(r)
      expect(got).toHaveLength(5)
      for (const e of got) {
        expect(e.type).toBe(0x80000010) // HvMessageTypeTimerExpired
        expect(e.delivery >= e.expiration).toBe(true)
        expect(e.delivery - e.expiration <= 1n).toBe(true)
        expect(e.guestSaw >= e.delivery).toBe(true)
      }
      const oneShot = got.filter((e) => e.timer === 0)
      expect(oneShot.map((e) => e.expiration)).toEqual([due])
      const periodic = got.filter((e) => e.timer === 1)
      expect(periodic).toHaveLength(4)
      // T0 is the reference time of the CONFIG write, just after the guest's read.
      const t0 = periodic[0].expiration - 5000n
      expect(t0 >= periodicArmedAfter && t0 - periodicArmedAfter < 10n).toBe(true)
      expect(periodic.map((e) => e.expiration)).toEqual([1n, 2n, 3n, 4n].map((k) => t0 + 5000n * k))
      expect(got.map((e) => e.timer)).toEqual([1, 1, 0, 1, 1]) // due order: 5000, 10000, 12000, 15000, 20000
      // The one-shot cleared its Enable bit when it fired; the periodic one was disabled by the guest.
      expect(r.vp.partition && r.u64(0x30) & 1n).toBe(0n)
      expect(r.hv.interrupts.nextDeadline(r.id)).toBe(Infinity)
    })
  }
})

describe.skipIf(!hasToolchain())('guest code: reference counter vs reference TSC page (TLFS 15.2, 15.4)', () => {
  it('the page formula read in the guest matches TIME_REF_COUNT within one 100 ns unit', () => {
    const r = guestRig(`
main:
  WRM 0x40000021, TSCPAGE + 1
  xor r12, r12
1:
  mov r9d, dword ptr [TSCPAGE]
  mov r10, qword ptr [TSCPAGE + 8]
  mov r11, qword ptr [TSCPAGE + 16]
  rdtsc
  shl rdx, 32
  or rax, rdx
  mul r10
  add rdx, r11
  mov rbx, rdx
  RDM 0x40000020
  mov rsi, r12
  shl rsi, 4
  mov [DATA + 0x400 + rsi], rbx
  mov [DATA + 0x408 + rsi], rax
  mov [DATA + 0x40 + r12 * 4], r9d
  mov rcx, r12
  imul rcx, rcx, 3001
  add rcx, 17
2:
  dec rcx
  jnz 2b
  inc r12
  cmp r12, 8
  jb 1b
  DONE
`)
    expect(r.run()).toBe('done')
    let prev = -1n
    for (let k = 0; k < 8; k++) {
      const fromPage = r.u64(0x400 + k * 16)
      const counter = r.u64(0x408 + k * 16)
      expect(r.u32(0x40 + k * 4)).not.toBe(0) // sequence valid
      expect(r.u32(0x40 + k * 4)).not.toBe(0xffffffff)
      const d = counter - fromPage
      expect(d >= -1n && d <= 1n).toBe(true)
      expect(counter > prev).toBe(true)
      prev = counter
    }
    // The spin between samples is visible: sample 7 is later than sample 1 by ≥ 6·3001 loop iterations.
    expect(r.u64(0x408 + 7 * 16) - r.u64(0x408 + 16) >= (6n * 3001n * 2n * 10n) / 100n).toBe(true)
    // And the counter follows the virtual clock (10 ns per instruction): the last sample is
    // followed only by one spin of 7·3001+17 iterations (2 instructions each) and DONE.
    const lag = r.nowNs() / 100 - Number(r.u64(0x408 + 7 * 16))
    expect(lag).toBeGreaterThan((7 * 3001 * 2 * 10) / 100)
    expect(lag).toBeLessThan((7 * 3001 * 2 * 10) / 100 + 20)
  })
})
