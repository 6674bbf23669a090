/**
 * Issue 6 proof, SynIC and ports (TLFS 14.3-14.9) from inside a guest: real x64 code posts
 * messages and signals events to ports the root owns; the root posts to the guest's SINT
 * and the guest's IDT handler takes them (read slot, clear MessageType, EOM if pending,
 * APIC EOI); bad input gets #GP or the spec's status and the host carries on.
 */
import { describe, expect, it } from 'vitest'
import { hasToolchain } from '../../x64/harness'
import { GP_COUNT, guestRig } from './guest-rig'
import { connectPort, createPort, deletePort, PortType, postMessage } from './root-calls'

const ANY_VP = 0xffffffff

/** Post 8-byte payload `reg` on connection `conn`; status → [DATA + off + idx*8]. */
const POST = `
.macro POST conn, type, payload
  mov dword ptr [IN], \\conn
  mov dword ptr [IN + 4], 0
  mov dword ptr [IN + 8], \\type
  mov dword ptr [IN + 12], 8
  mov rax, \\payload
  mov qword ptr [IN + 16], rax
  HCALL 0x5c, IN, 0
.endm
.macro SIGNAL conn, flag
  mov rdx, (\\flag << 32) | \\conn
  mov rcx, 0x1005d
  xor r8, r8
  mov rax, HCPAGE
  call rax
.endm
`

describe.skipIf(!hasToolchain())('guest code: root ↔ child ports (TLFS 14.3, 14.9)', () => {
  it('the child posts messages and signals events; the root sees them in order', () => {
    const r = guestRig(POST + `
main:
  xor r12, r12
1:
  POST 1, 0x42, r12
  mov [DATA + 0x100 + r12 * 8], rax
  inc r12
  cmp r12, 3
  jb 1b
  SIGNAL 2, 3
  mov [DATA + 0x120], rax
  SIGNAL 2, 5
  mov [DATA + 0x128], rax
  SIGNAL 2, 3
  mov [DATA + 0x130], rax
  DONE
`)
    const root = r.hv.root.id
    expect(createPort(r.hv, root, 5, r.id, PortType.Message, 4, ANY_VP)).toBe(0)
    expect(createPort(r.hv, root, 6, r.id, PortType.Event, 4, ANY_VP, 100, 8)).toBe(0)
    expect(connectPort(r.hv, r.id, 1, root, 5, PortType.Message)).toBe(0)
    expect(connectPort(r.hv, r.id, 2, root, 6, PortType.Event)).toBe(0)
    expect(r.run()).toBe('done')
    expect([0, 1, 2].map((k) => r.u64(0x100 + k * 8))).toEqual([0n, 0n, 0n])
    expect([r.u64(0x120), r.u64(0x128), r.u64(0x130)]).toEqual([0n, 0n, 0n])
    const msgs = r.hv.interrupts.rootMessages(4)
    expect(msgs.map((m) => [m.messageType, m.originationId, m.payloadSize])).toEqual([[0x42, 5n, 8], [0x42, 5n, 8], [0x42, 5n, 8]])
    expect(msgs.map((m) => new DataView(m.payload.buffer).getBigUint64(0, true))).toEqual([0n, 1n, 2n])
    expect(r.hv.interrupts.rootEvents(4)).toEqual([103, 105])
    expect(r.u32(GP_COUNT)).toBe(0)
  })

  it('the root posts to the guest SINT; the IDT handler counts every message (EOM after a pending slot)', () => {
    const r = guestRig(`
main:
  GATE 0x50, sint_handler
  WRM 0x40000083, SIM + 1
  WRM 0x40000080, 1
  WRM 0x40000092, 0x50
  sti
1:
  mov eax, dword ptr [DATA + 8]
  cmp eax, dword ptr [DATA + 16]
  jae 2f
  hlt
  jmp 1b
2:
  DONE
sint_handler:
  push rax
  push rcx
  push rdx
  mov ecx, dword ptr [DATA + 8]
  mov eax, dword ptr [SIM + 2 * 256]
  mov dword ptr [DATA + 0x300 + rcx * 4], eax
  mov rdx, qword ptr [SIM + 2 * 256 + 16]
  mov qword ptr [DATA + 0x400 + rcx * 8], rdx
  movzx edx, byte ptr [SIM + 2 * 256 + 5]
  mov byte ptr [DATA + 0x200 + rcx], dl
  inc dword ptr [DATA + 8]
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
`)
    r.setU32(16, 1000) // not done until the root says how many
    expect(r.run()).toBe('halted') // SynIC set up, waiting in HLT
    expect(createPort(r.hv, r.id, 7, r.hv.root.id, PortType.Message, 2, 0)).toBe(0)
    expect(connectPort(r.hv, r.hv.root.id, 9, r.id, 7, PortType.Message)).toBe(0)
    // One message goes into the slot (its buffer is freed by the copy); 16 more fill the port's buffers.
    const statuses = Array.from({ length: 18 }, (_, k) => postMessage(r.hv, 9, 0x77, BigInt(k) * 0x1111n))
    expect(statuses.slice(0, 17)).toEqual(new Array(17).fill(0))
    expect(statuses[17]).toBe(0x13) // HV_STATUS_INSUFFICIENT_BUFFERS
    r.setU32(16, 17)
    expect(r.run()).toBe('done')
    expect(r.u32(8)).toBe(17)
    for (let k = 0; k < 17; k++) {
      expect(r.u32(0x300 + k * 4)).toBe(0x77)
      expect(r.u64(0x400 + k * 8)).toBe(BigInt(k) * 0x1111n)
    }
    // MessagePending was set on every slot but the last.
    const pending = Array.from({ length: 17 }, (_, k) => r.p.memory!.ram[0x11000 + 0x200 + k])
    expect(pending).toEqual([...new Array(16).fill(1), 0])
    // Buffers are free again: the root can post once more.
    expect(postMessage(r.hv, 9, 0x77, 1n)).toBe(0)
  })
})

describe.skipIf(!hasToolchain())('guest code: bad input gets #GP or the spec status (TLFS 14.6, 14.9)', () => {
  it('faults bad SynIC MSR writes, refuses bad ids and full buffers, and the host keeps running', () => {
    const r = guestRig(POST + `
main:
  WRM 0x40000083, SIM + 1
  WRM 0x40000080, 1
  WRM 0x40000090, 0x0f
  WRM 0x40000082, SIM + 1
  RDM 0x40000082
  mov [DATA + 0x20], rax
  RDM 0x40000090
  mov [DATA + 0x28], rax
  POST 77, 0x42, 0
  mov [DATA + 0x30], rax
  SIGNAL 77, 0
  mov [DATA + 0x38], rax
  SIGNAL 2, 8
  mov [DATA + 0x40], rax
  POST 3, 0x42, 0
  mov [DATA + 0x48], rax
  POST 1, 0x80000001, 0
  mov [DATA + 0x50], rax
  xor r12, r12
1:
  POST 1, 0x42, r12
  mov [DATA + 0x100 + r12 * 8], rax
  inc r12
  cmp r12, 17
  jb 1b
  DONE
`)
    const root = r.hv.root.id
    expect(createPort(r.hv, root, 5, r.id, PortType.Message, 4, ANY_VP)).toBe(0)
    expect(createPort(r.hv, root, 6, r.id, PortType.Event, 4, ANY_VP, 100, 8)).toBe(0)
    expect(createPort(r.hv, root, 8, r.id, PortType.Message, 4, ANY_VP)).toBe(0)
    expect(connectPort(r.hv, r.id, 1, root, 5, PortType.Message)).toBe(0)
    expect(connectPort(r.hv, r.id, 2, root, 6, PortType.Event)).toBe(0)
    expect(connectPort(r.hv, r.id, 3, root, 8, PortType.Message)).toBe(0)
    expect(deletePort(r.hv, root, 8)).toBe(0)
    expect(r.run()).toBe('done')
    // #GP: unmasked SINT vector 15, SIEF on the SIM page (overlapping overlays).
    expect(r.u32(GP_COUNT)).toBe(2)
    expect(r.u64(0x20)).toBe(0n) // SIEFP unchanged
    expect(r.u64(0x28)).toBe(0x10000n) // SINT0 still masked
    expect(r.u64(0x30)).toBe(0x12n) // HV_STATUS_INVALID_CONNECTION_ID
    expect(r.u64(0x38)).toBe(0x12n)
    expect(r.u64(0x40)).toBe(0x5n) // flag beyond the port's FlagCount: HV_STATUS_INVALID_PARAMETER
    expect(r.u64(0x48)).toBe(0x11n) // the port behind connection 3 was deleted: HV_STATUS_INVALID_PORT_ID
    expect(r.u64(0x50)).toBe(0x5n) // hypervisor message types are reserved
    const st = Array.from({ length: 17 }, (_, k) => r.u64(0x100 + k * 8))
    expect(st.slice(0, 16)).toEqual(new Array(16).fill(0n))
    expect(st[16]).toBe(0x13n) // the root has not read: 16 buffers busy → HV_STATUS_INSUFFICIENT_BUFFERS
    expect(r.hv.interrupts.rootMessages(4)).toHaveLength(16)
  })
})
