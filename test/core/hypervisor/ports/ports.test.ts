import { describe, expect, it } from 'vitest'
import { ApicReg as R } from '../../../../core/hypervisor/apic/apic-registers'
import * as S from '../../../../core/hypervisor/hv-status'
import type { Partition } from '../../../../core/hypervisor/partition'
import { HV_X64_MSR_SCONTROL, HV_X64_MSR_SIEFP, HV_X64_MSR_SIMP, HV_X64_MSR_SINT0 } from '../../../../core/hypervisor/synthetic-msrs'
import { rootPages } from '../helpers'
import { rig } from '../apic/setup'

const CHILD_PRIVS = 0x5ffn | (0xfn << 36n) // + PostMessages, SignalEvents, CreatePort, ConnectPort

function call(r: ReturnType<typeof rig>, caller: Partition, code: number, fill: (v: DataView) => void): number {
  const i = r.hv.input()
  new Uint8Array(i.buffer).fill(0, 0, 512)
  fill(i)
  return r.hv.callFromHost(caller, code, {}).status
}
function createPort(r: ReturnType<typeof rig>, caller: Partition, portPart: bigint, id: number, conn: bigint, type: number, sint: number, vp: number, base = 0, count = 0) {
  return call(r, caller, 0x57, (v) => {
    v.setBigUint64(0, portPart, true); v.setUint32(8, id, true); v.setBigUint64(16, conn, true)
    v.setUint32(24, type, true); v.setUint32(32, sint, true); v.setUint32(36, vp, true)
    v.setUint16(40, base, true); v.setUint16(42, count, true)
  })
}
function connect(r: ReturnType<typeof rig>, caller: Partition, connPart: bigint, cid: number, portPart: bigint, pid: number, type: number) {
  return call(r, caller, 0x59, (v) => {
    v.setBigUint64(0, connPart, true); v.setUint32(8, cid, true); v.setBigUint64(16, portPart, true); v.setUint32(24, pid, true); v.setUint32(32, type, true)
  })
}
function post(r: ReturnType<typeof rig>, caller: Partition, cid: number, type: number, payload: number[]) {
  return call(r, caller, 0x5c, (v) => {
    v.setUint32(0, cid, true); v.setUint32(8, type, true); v.setUint32(12, payload.length, true)
    payload.forEach((b, k) => v.setUint8(16 + k, b))
  })
}
function signal(r: ReturnType<typeof rig>, caller: Partition, cid: number, flag: number) {
  return call(r, caller, 0x5d, (v) => { v.setUint32(0, cid, true); v.setUint16(4, flag, true) })
}

function setup() {
  const r = rig(1, { privileges: CHILD_PRIVS })
  r.hv.wrapper().HvDepositMemory(r.hv.root.id, rootPages(4))
  return { ...r, root: r.hv.root }
}

describe('root ↔ child ports (TLFS 14.3, 14.9)', () => {
  it('child posts messages and signals events to ports in the root; the root reads them', () => {
    const r = setup()
    expect(createPort(r, r.root, r.root.id, 5, r.id, 1, 4, 0xffffffff)).toBe(0)
    expect(createPort(r, r.root, r.root.id, 6, r.id, 2, 4, 0xffffffff, 100, 8)).toBe(0)
    expect(connect(r, r.root, r.id, 1, r.root.id, 5, 1)).toBe(0)
    expect(connect(r, r.root, r.id, 2, r.root.id, 6, 2)).toBe(0)
    expect(post(r, r.p, 1, 0x42, [1, 2, 3])).toBe(0)
    expect(signal(r, r.p, 2, 3)).toBe(0)
    const m = r.hv.interrupts.rootMessages(4)
    expect(m).toHaveLength(1)
    expect(m[0]).toMatchObject({ messageType: 0x42, payloadSize: 3, originationId: 5n })
    expect([...m[0].payload]).toEqual([1, 2, 3])
    expect(r.hv.interrupts.rootEvents(4)).toEqual([103])
  })

  it('runs out of the 16 port buffers with INSUFFICIENT_BUFFERS until the root reads', () => {
    const r = setup()
    createPort(r, r.root, r.root.id, 5, r.id, 1, 1, 0xffffffff)
    connect(r, r.root, r.id, 1, r.root.id, 5, 1)
    for (let k = 0; k < 16; k++) expect(post(r, r.p, 1, 1, [k])).toBe(0)
    expect(post(r, r.p, 1, 1, [99])).toBe(S.HV_STATUS_INSUFFICIENT_BUFFERS)
    expect(r.hv.interrupts.rootMessages(1)).toHaveLength(16)
    expect(post(r, r.p, 1, 1, [99])).toBe(0)
  })

  it('root posts into a child SINT: slot filled, interrupt raised; bad input gets the spec codes', () => {
    const r = setup()
    r.hv.interrupts.of(r.id)!.vpState(r.vp(0)).apic.write(R.SVR, 0x1ff)
    r.wrmsr(0, HV_X64_MSR_SCONTROL, 1n)
    r.wrmsr(0, HV_X64_MSR_SIMP, 0x10001n)
    r.wrmsr(0, HV_X64_MSR_SIEFP, 0x11001n)
    r.wrmsr(0, HV_X64_MSR_SINT0 + 2, 0x62n)
    expect(createPort(r, r.root, r.id, 9, r.root.id, 1, 2, 0)).toBe(0)
    expect(createPort(r, r.root, r.id, 9, r.root.id, 1, 2, 0)).toBe(S.HV_STATUS_INVALID_PORT_ID)
    expect(createPort(r, r.root, r.id, 10, r.root.id, 1, 0, 0)).toBe(S.HV_STATUS_INVALID_PARAMETER) // SINT0
    expect(createPort(r, r.root, r.id, 11, r.root.id, 1, 2, 7)).toBe(S.HV_STATUS_INVALID_VP_INDEX)
    expect(createPort(r, r.root, r.id, 0x1000000, r.root.id, 1, 2, 0)).toBe(S.HV_STATUS_INVALID_PORT_ID)
    expect(connect(r, r.root, r.root.id, 1, r.id, 9, 1)).toBe(0)
    expect(connect(r, r.root, r.root.id, 2, r.id, 9, 1)).toBe(S.HV_STATUS_INVALID_PORT_ID) // already connected
    expect(post(r, r.root, 1, 0x80000001, [])).toBe(S.HV_STATUS_INVALID_PARAMETER)
    expect(post(r, r.root, 77, 1, [])).toBe(S.HV_STATUS_INVALID_CONNECTION_ID)
    expect(post(r, r.root, 1, 0x33, [7])).toBe(0)
    const ram = r.p.memory!.ram
    expect(ram[0x10000 + 2 * 256]).toBe(0x33)
    expect(ram[0x10000 + 2 * 256 + 8]).toBe(9) // OriginationId = port id
    expect(r.cpus[0].log).toContain('int 98')
    expect(signal(r, r.p, 1, 0)).toBe(S.HV_STATUS_INVALID_CONNECTION_ID) // child has no such connection
    const get = call(r, r.root, 0x5a, (v) => { v.setBigUint64(0, r.id, true); v.setUint32(8, 9, true); v.setUint32(16, 0, true) })
    expect(get).toBe(0)
    expect(r.hv.output().getBigUint64(0, true)).toBe(1n)
    r.wrmsr(0, HV_X64_MSR_SCONTROL, 0n)
    expect(post(r, r.root, 1, 0x33, [7])).toBe(S.HV_STATUS_INVALID_SYNIC_STATE)
    expect(call(r, r.root, 0x58, (v) => { v.setBigUint64(0, r.id, true); v.setUint32(8, 9, true) })).toBe(0)
    expect(post(r, r.root, 1, 0x33, [7])).toBe(S.HV_STATUS_INVALID_PORT_ID)
  })

  it('refuses callers without the privileges', () => {
    const r = rig(1)
    expect(post(r, r.p, 1, 1, [])).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(signal(r, r.p, 1, 0)).toBe(S.HV_STATUS_ACCESS_DENIED)
    expect(createPort(r, r.p, r.id, 1, 1n, 1, 1, 0)).toBe(S.HV_STATUS_ACCESS_DENIED)
  })
})
