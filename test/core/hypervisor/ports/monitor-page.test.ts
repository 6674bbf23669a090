/**
 * Monitored notifications (TLFS 14.2, inventory 4.7 and test ideas 114-115) with real guest
 * code as the originator: the guest fills Parameter/Latency, enables group 0 and sets a
 * Pending bit in its monitor page; the hypervisor clears it and signals the event
 * connection on the guest's behalf, whether the guest spins or halts (Latency deadline).
 */
import { describe, expect, it } from 'vitest'
import { hasToolchain } from '../../x64/harness'
import { guestRig } from '../synic/guest-rig'
import { connectPort, createPort, PortType } from '../synic/root-calls'

const MON = 0x18000
const GUEST = `
.set MON, ${MON}
main:
  mov dword ptr [MON + 1088 + 8 * 5], 2
  mov word ptr [MON + 1088 + 8 * 5 + 4], 1
  mov dword ptr [MON + 1088 + 8 * 6], 2
  mov word ptr [MON + 1088 + 8 * 6 + 4], 2
  mov dword ptr [MON + 1088 + 8 * 7], 99
  mov word ptr [MON + 576 + 2 * 5], 50
  mov word ptr [MON + 576 + 2 * 6], 300
  mov dword ptr [MON], 1
  lock bts dword ptr [MON + 8], 5
  xor ecx, ecx
1:
  inc ecx
  test dword ptr [MON + 8], 0x20
  jnz 1b
  mov [DATA + 0x20], ecx
  lock bts dword ptr [MON + 8], 7
  lock bts dword ptr [MON + 8], 6
  mov dword ptr [DATA + 0x24], 1
  sti
  hlt
  mov eax, dword ptr [MON + 8]
  mov [DATA + 0x28], eax
  DONE
`

describe.skipIf(!hasToolchain())('guest code: monitored notifications (TLFS 14.2)', () => {
  it('clears Pending bits and signals Parameter[g][n] for the originator, within the Latency hint', () => {
    const r = guestRig(GUEST)
    const root = r.hv.root.id
    expect(createPort(r.hv, root, 6, r.id, PortType.Event, 4, 0xffffffff, 100, 8)).toBe(0)
    expect(connectPort(r.hv, r.id, 2, root, 6, PortType.Event)).toBe(0)
    // Monitor port in the root (no GPA space there) and the child's monitor connection at MON.
    const i = r.hv.input()
    const call = (code: number, fill: (v: DataView) => void): number => {
      new Uint8Array(i.buffer).fill(0, 0, 512)
      fill(i)
      return r.hv.callFromHost(r.hv.root, code, {}).status
    }
    expect(call(0x57, (v) => {
      v.setBigUint64(0, root, true); v.setUint32(8, 40, true); v.setBigUint64(16, r.id, true); v.setUint32(24, 3, true); v.setBigUint64(32, 0x1000n, true)
    })).toBe(0)
    expect(call(0x59, (v) => {
      v.setBigUint64(0, r.id, true); v.setUint32(8, 41, true); v.setBigUint64(16, root, true); v.setUint32(24, 40, true)
      v.setUint32(32, 3, true); v.setBigUint64(40, BigInt(MON), true)
    })).toBe(0)

    expect(r.run()).toBe('halted') // spun until bit 5 cleared, then set bits 7 and 6 and halted
    expect(r.u32(0x20)).toBeGreaterThan(0)
    // Polled at the next run slice: the rig's slices are ≤ 5000 instructions, 3 per spin iteration.
    expect(r.u32(0x20)).toBeLessThanOrEqual(5000 / 3 + 1)
    expect(r.u32(0x24)).toBe(1)
    const haltedAt = r.nowNs()
    // Flag 1 (bit 5) and flag 2 (bit 6) of the event port; bit 7's bad connection was discarded.
    expect(r.hv.interrupts.rootEvents(4)).toEqual([101, 102])
    const page = r.hv.interrupts.monitorPage(root, 40)!
    const v = new DataView(page.buffer)
    expect(v.getUint32(8, true)).toBe(0) // every Pending bit cleared
    expect(v.getUint16(576 + 2 * 6, true)).toBe(300) // the guest's writes are the shared page's bytes
    expect(haltedAt).toBeGreaterThan(0)
  })

  it('a halted originator is serviced at its Latency deadline', () => {
    const r = guestRig(`
.set MON, ${MON}
main:
  mov dword ptr [MON + 1088], 2
  mov word ptr [MON + 1088 + 4], 3
  mov word ptr [MON + 576], 200
  mov dword ptr [MON], 1
  lock bts dword ptr [MON + 8], 0
  cli
  hlt
`)
    const root = r.hv.root.id
    expect(createPort(r.hv, root, 6, r.id, PortType.Event, 4, 0xffffffff, 100, 8)).toBe(0)
    expect(connectPort(r.hv, r.id, 2, root, 6, PortType.Event)).toBe(0)
    const i = r.hv.input()
    new Uint8Array(i.buffer).fill(0, 0, 512)
    i.setBigUint64(0, root, true); i.setUint32(8, 40, true); i.setBigUint64(16, r.id, true); i.setUint32(24, 3, true)
    expect(r.hv.callFromHost(r.hv.root, 0x57, {}).status).toBe(0)
    new Uint8Array(i.buffer).fill(0, 0, 512)
    i.setBigUint64(0, r.id, true); i.setUint32(8, 41, true); i.setBigUint64(16, root, true); i.setUint32(24, 40, true)
    i.setUint32(32, 3, true); i.setBigUint64(40, BigInt(MON), true)
    expect(r.hv.callFromHost(r.hv.root, 0x59, {}).status).toBe(0)
    expect(r.run()).toBe('halted')
    expect(r.hv.interrupts.rootEvents(4)).toEqual([103])
    // Serviced no later than the 200 × 100 ns hint after the HLT (a dozen instructions ran before it).
    expect(r.nowNs()).toBeLessThanOrEqual(20 * 10 + 200 * 100)
  })
})
