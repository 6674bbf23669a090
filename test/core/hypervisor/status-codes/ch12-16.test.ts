/**
 * Status codes of the hypercalls of TLFS ch. 12 (virtual MMU), ch. 13 (virtual interrupts)
 * and ch. 14 (ports, connections, messages, events): one case per (hypercall, status) the
 * spec's tables list, each provoking exactly that fault; the last test proves coverage.
 */
import { describe, expect, it } from 'vitest'
import { ApicReg as R } from '../../../../core/hypervisor/apic/apic-registers'
import * as S from '../../../../core/hypervisor/hv-status'
import type { Hypervisor } from '../../../../core/hypervisor/hypervisor'
import type { Partition } from '../../../../core/hypervisor/partition'
import { HvPartitionProperty as P } from '../../../../core/hypervisor/partition-properties'
import { HvPrivilege } from '../../../../core/hypervisor/privileges'
import { HV_X64_MSR_SCONTROL, HV_X64_MSR_SIEFP, HV_X64_MSR_SIMP, HV_X64_MSR_SINT0 } from '../../../../core/hypervisor/synthetic-msrs'
import { rig } from '../apic/setup'
import { rootPages } from '../helpers'
import { call, expectCoverage, UNKNOWN_ID, world, type StatusCase } from './fixture'
import type { HypercallName } from './spec-statuses'

const cases: StatusCase[] = []
function add(name: HypercallName, status: number, what: string, run: () => number): void {
  cases.push({ call: name, status, what, run })
}
const {
  HV_STATUS_ACCESS_DENIED: AD, HV_STATUS_INVALID_PARTITION_ID: PID, HV_STATUS_INVALID_PARTITION_STATE: PST,
  HV_STATUS_INVALID_PARAMETER: PAR, HV_STATUS_INSUFFICIENT_MEMORY: MEM, HV_STATUS_NO_RESOURCES: RES,
  HV_STATUS_INVALID_VP_INDEX: VPI, HV_STATUS_UNKNOWN_PROPERTY: UNK, HV_STATUS_INVALID_PORT_ID: PORT,
  HV_STATUS_INVALID_CONNECTION_ID: CONN, HV_STATUS_INVALID_ALIGNMENT: ALN, HV_STATUS_INSUFFICIENT_BUFFERS: BUF,
  HV_STATUS_INVALID_SYNIC_STATE: SYN, HV_STATUS_ACKNOWLEDGED: ACK, HV_STATUS_NOT_ACKNOWLEDGED: NACK,
} = S
const bit = (b: number): bigint => 1n << BigInt(b)
const PORT_PRIVS = bit(HvPrivilege.PostMessages) | bit(HvPrivilege.SignalEvents) | bit(HvPrivilege.CreatePort) | bit(HvPrivilege.ConnectPort)

// ---- ch. 12
const flush = (hv: Hypervisor, c: Partition, as: bigint, flags: bigint, mask: bigint, list = false) =>
  call(hv, c, list ? 0x0003 : 0x0002, (v) => {
    v.setBigUint64(0, as, true); v.setBigUint64(8, flags, true); v.setBigUint64(16, mask, true); v.setBigUint64(24, 0x1000n, true)
  }, { repCount: list ? 1 : 0 })
add('HvSwitchVirtualAddressSpace', PAR, 'CR3 with bits above MAXPHYADDR', () => {
  const w = world()
  return call(w.hv, w.c, 0x0001, (v) => v.setBigUint64(0, 1n << 60n, true))
})
add('HvFlushVirtualAddressSpace', PAR, 'reserved flag bit 3', () => { const w = world(); return flush(w.hv, w.c, 0n, 8n, 1n) })
add('HvFlushVirtualAddressSpace', PAR, 'empty mask without ALL_PROCESSORS', () => { const w = world(); return flush(w.hv, w.c, 0n, 0n, 0n) })
add('HvFlushVirtualAddressSpace', PAR, 'invalid AddressSpace without ALL_VIRTUAL_ADDRESS_SPACES', () => { const w = world(); return flush(w.hv, w.c, 1n << 60n, 1n, 0n) })
add('HvFlushVirtualAddressList', PAR, 'NON_GLOBAL_MAPPINGS_ONLY is invalid for the list form', () => { const w = world(); return flush(w.hv, w.c, 0n, 1n | 4n, 0n, true) })
add('HvFlushVirtualAddressList', PAR, 'empty mask without ALL_PROCESSORS', () => { const w = world(); return flush(w.hv, w.c, 0n, 0n, 0n, true) })
for (const [name, code] of [['HvTranslateVirtualAddress', 0x52], ['HvReadGpa', 0x53], ['HvWriteGpa', 0x54]] as const) {
  const run = (w: ReturnType<typeof world>, caller: Partition, target: bigint, vp: number, tweak?: (v: DataView) => void) =>
    call(w.hv, caller, code, (v) => {
      v.setBigUint64(0, target, true); v.setUint32(8, vp, true)
      if (code === 0x52) v.setBigUint64(16, 1n, true) // VALIDATE_READ
      else { v.setUint32(12, 4, true); v.setBigUint64(16, 0x1000n, true); v.setBigUint64(24, 6n, true) }
      tweak?.(v)
    })
  add(name, PID, 'unknown id', () => { const w = world(); return run(w, w.root, UNKNOWN_ID, 0) })
  add(name, AD, 'caller is not the parent', () => { const w = world(); return run(w, w.c, w.c.id, 0) })
  add(name, PST, 'target Finalized', () => { const w = world(); return run(w, w.root, w.f.id, 0) })
  add(name, VPI, 'no such VP', () => { const w = world(); return run(w, w.root, w.c.id, 3) })
  add(name, PAR, code === 0x52 ? 'no VALIDATE_* flag' : 'ByteCount 0', () => {
    const w = world()
    return run(w, w.root, w.c.id, 0, (v) => (code === 0x52 ? v.setBigUint64(16, 0x8n, true) : v.setUint32(12, 0, true)))
  })
}

// ---- ch. 13
const assertIrq = (hv: Hypervisor, caller: Partition, target: bigint, type: number, dest: bigint, vector: number) =>
  call(hv, caller, 0x55, (v) => {
    v.setBigUint64(0, target, true); v.setUint32(8, type, true); v.setBigUint64(16, dest, true); v.setUint32(24, vector, true)
  })
const clearIrq = (hv: Hypervisor, caller: Partition, target: bigint) => call(hv, caller, 0x56, (v) => v.setBigUint64(0, target, true))
add('HvAssertVirtualInterrupt', PID, 'unknown id', () => { const w = world(); return assertIrq(w.hv, w.root, UNKNOWN_ID, 0, 0n, 0x30) })
add('HvAssertVirtualInterrupt', AD, 'caller is not the parent', () => { const w = world(); return assertIrq(w.hv, w.c, w.c.id, 0, 0n, 0x30) })
add('HvAssertVirtualInterrupt', PST, 'target Uninitialized', () => { const w = world(); return assertIrq(w.hv, w.root, w.u.id, 0, 0n, 0x30) })
add('HvAssertVirtualInterrupt', VPI, 'physical destination matches no VP', () => { const w = world(); return assertIrq(w.hv, w.root, w.c.id, 0, 5n, 0x30) })
add('HvAssertVirtualInterrupt', PAR, 'SMI type (2)', () => { const w = world(); return assertIrq(w.hv, w.root, w.c.id, 2, 0n, 0) })
add('HvAssertVirtualInterrupt', PAR, 'NMI with a vector', () => { const w = world(); return assertIrq(w.hv, w.root, w.c.id, 4, 0n, 2) })
add('HvAssertVirtualInterrupt', ACK, 'ExtInt acknowledged and not cleared', () => {
  const r = rig(1)
  expect(assertIrq(r.hv, r.hv.root, r.id, 7, 0n, 0x21)).toBe(0)
  expect(r.cpus[0].log).toContain('int 33') // the BSP acknowledged it
  return assertIrq(r.hv, r.hv.root, r.id, 7, 0n, 0x22)
})
add('HvClearVirtualInterrupt', PID, 'unknown id', () => { const w = world(); return clearIrq(w.hv, w.root, UNKNOWN_ID) })
add('HvClearVirtualInterrupt', AD, 'caller is not the parent', () => { const w = world(); return clearIrq(w.hv, w.c, w.c.id) })
add('HvClearVirtualInterrupt', PST, 'target Finalized', () => { const w = world(); return clearIrq(w.hv, w.root, w.f.id) })
add('HvClearVirtualInterrupt', NACK, 'no ExtInt acknowledged', () => { const w = world(); return clearIrq(w.hv, w.root, w.c.id) })

// ---- ch. 14: a child C whose VP 0 has its SynIC on, two ports in C (message 1 → SINT 2, event 2 → SINT 3, 8 flags)
// that the root is connected to (connections 1 and 2).
function synic(opts: { privileges?: bigint } = {}) {
  const r = rig(1, { privileges: 0x5ffn | (opts.privileges ?? 0n) })
  const hv = r.hv
  const root = hv.root
  hv.wrapper().HvDepositMemory(root.id, rootPages(8))
  hv.interrupts.of(r.id)!.vpState(r.vp(0)).apic.write(R.SVR, 0x1ff)
  r.wrmsr(0, HV_X64_MSR_SCONTROL, 1n)
  r.wrmsr(0, HV_X64_MSR_SIMP, 0x10001n)
  r.wrmsr(0, HV_X64_MSR_SIEFP, 0x11001n)
  r.wrmsr(0, HV_X64_MSR_SINT0 + 2, 0x62n)
  r.wrmsr(0, HV_X64_MSR_SINT0 + 3, 0x63n)
  expect(createPort(hv, root, r.id, 1, root.id, 1, 2, 0)).toBe(0)
  expect(createPort(hv, root, r.id, 2, root.id, 2, 3, 0, 0, 8)).toBe(0)
  expect(connectPort(hv, root, root.id, 1, r.id, 1, 1)).toBe(0)
  expect(connectPort(hv, root, root.id, 2, r.id, 2, 2)).toBe(0)
  return { ...r, root }
}
function createPort(hv: Hypervisor, caller: Partition, portPart: bigint, id: number, conn: bigint, type: number, sint: number, vp: number, base = 0, count = 0, monitor?: bigint): number {
  return call(hv, caller, 0x57, (v) => {
    v.setBigUint64(0, portPart, true); v.setUint32(8, id, true); v.setBigUint64(16, conn, true); v.setUint32(24, type, true)
    if (monitor !== undefined) v.setBigUint64(32, monitor, true)
    else { v.setUint32(32, sint, true); v.setUint32(36, vp, true); v.setUint16(40, base, true); v.setUint16(42, count, true) }
  })
}
function connectPort(hv: Hypervisor, caller: Partition, connPart: bigint, cid: number, portPart: bigint, pid: number, type: number, monitor = 0n): number {
  return call(hv, caller, 0x59, (v) => {
    v.setBigUint64(0, connPart, true); v.setUint32(8, cid, true); v.setBigUint64(16, portPart, true); v.setUint32(24, pid, true)
    v.setUint32(32, type, true); v.setBigUint64(40, monitor, true)
  })
}
const deletePort = (hv: Hypervisor, caller: Partition, part: bigint, id: number) => call(hv, caller, 0x58, (v) => { v.setBigUint64(0, part, true); v.setUint32(8, id, true) })
const portProperty = (hv: Hypervisor, caller: Partition, part: bigint, id: number, code: number, value?: bigint) =>
  call(hv, caller, value === undefined ? 0x5a : 0x70, (v) => {
    v.setBigUint64(0, part, true); v.setUint32(8, id, true); v.setUint32(16, code, true)
    if (value !== undefined) v.setBigUint64(24, value, true)
  })
const disconnect = (hv: Hypervisor, caller: Partition, part: bigint, cid: number) => call(hv, caller, 0x5b, (v) => { v.setBigUint64(0, part, true); v.setUint32(8, cid, true) })
const post = (hv: Hypervisor, caller: Partition, cid: number, type = 7, size = 8) =>
  call(hv, caller, 0x5c, (v) => { v.setUint32(0, cid, true); v.setUint32(8, type, true); v.setUint32(12, size, true) })
const signal = (hv: Hypervisor, caller: Partition, cid: number, flag: number) => call(hv, caller, 0x5d, (v) => { v.setUint32(0, cid, true); v.setUint16(4, flag, true) })

add('HvCreatePort', PID, 'unknown PortPartition', () => { const s = synic(); return createPort(s.hv, s.root, UNKNOWN_ID, 9, s.root.id, 1, 2, 0) })
add('HvCreatePort', PID, 'ConnectionPartition == PortPartition', () => { const s = synic(); return createPort(s.hv, s.root, s.id, 9, s.id, 1, 2, 0) })
add('HvCreatePort', AD, 'caller lacks CreatePort', () => { const s = synic(); return createPort(s.hv, s.p, s.id, 9, s.root.id, 1, 2, 0) })
add('HvCreatePort', AD, 'caller is neither parent nor PortPartition', () => {
  const s = synic({ privileges: PORT_PRIVS })
  return createPort(s.hv, s.p, s.root.id, 9, s.id, 1, 2, 0xffffffff)
})
add('HvCreatePort', PST, 'ConnectionPartition not Active', () => {
  const s = synic()
  const w = s.hv.wrapper()
  w.HvDepositMemory(s.root.id, rootPages(1))
  return createPort(s.hv, s.root, s.id, 9, w.HvCreatePartition().newPartitionId, 1, 2, 0)
})
add('HvCreatePort', PORT, 'PortId already in use', () => { const s = synic(); return createPort(s.hv, s.root, s.id, 1, s.root.id, 1, 2, 0) })
add('HvCreatePort', PORT, 'PortId bits 31:24 set', () => { const s = synic(); return createPort(s.hv, s.root, s.id, 0x01000009, s.root.id, 1, 2, 0) })
add('HvCreatePort', PAR, 'TargetSint 0 is reserved', () => { const s = synic(); return createPort(s.hv, s.root, s.id, 9, s.root.id, 1, 0, 0) })
add('HvCreatePort', PAR, 'event port with FlagCount 0', () => { const s = synic(); return createPort(s.hv, s.root, s.id, 9, s.root.id, 2, 3, 0, 0, 0) })
add('HvCreatePort', VPI, 'TargetVp is no VP', () => { const s = synic(); return createPort(s.hv, s.root, s.id, 9, s.root.id, 1, 2, 4) })
add('HvCreatePort', ALN, 'monitor address not page-aligned', () => { const s = synic(); return createPort(s.hv, s.root, s.id, 9, s.root.id, 3, 0, 0, 0, 0, 0x20008n) })
add('HvCreatePort', MEM, "PortPartition's pool is empty", () => { const w = world(); return createPort(w.hv, w.root, w.root.id, 9, w.c.id, 1, 2, 0xffffffff) })
add('HvCreatePort', RES, 'maxPortsPerPartition reached', () => {
  const w = world({ limits: { maxPortsPerPartition: 1 } })
  expect(createPort(w.hv, w.root, w.c.id, 1, w.root.id, 1, 2, 0)).toBe(0)
  return createPort(w.hv, w.root, w.c.id, 2, w.root.id, 1, 2, 0)
})
add('HvDeletePort', PID, 'unknown id', () => { const s = synic(); return deletePort(s.hv, s.root, UNKNOWN_ID, 1) })
add('HvDeletePort', AD, 'caller lacks CreatePort', () => { const s = synic(); return deletePort(s.hv, s.p, s.id, 1) })
add('HvDeletePort', AD, 'caller is neither parent nor self', () => { const s = synic({ privileges: PORT_PRIVS }); return deletePort(s.hv, s.p, s.root.id, 1) })
add('HvDeletePort', PST, 'partition Finalized', () => { const w = world(); return deletePort(w.hv, w.root, w.f.id, 1) })
add('HvDeletePort', PORT, 'no such port', () => { const s = synic(); return deletePort(s.hv, s.root, s.id, 7) })
add('HvConnectPort', PID, 'unknown PortPartition', () => { const s = synic(); return connectPort(s.hv, s.root, s.root.id, 5, UNKNOWN_ID, 1, 1) })
add('HvConnectPort', AD, 'caller lacks ConnectPort', () => { const s = synic(); return connectPort(s.hv, s.p, s.id, 5, s.root.id, 1, 1) })
add('HvConnectPort', AD, 'caller is neither parent nor ConnectionPartition', () => { const s = synic({ privileges: PORT_PRIVS }); return connectPort(s.hv, s.p, s.root.id, 5, s.id, 1, 1) })
add('HvConnectPort', PST, 'PortPartition Finalized', () => { const w = world(); return connectPort(w.hv, w.root, w.root.id, 5, w.f.id, 1, 1) })
add('HvConnectPort', CONN, 'ConnectionId in use', () => { const s = synic(); expect(deletePort(s.hv, s.root, s.id, 1)).toBe(0); return connectPort(s.hv, s.root, s.root.id, 1, s.id, 2, 2) })
add('HvConnectPort', CONN, 'ConnectionId bits 31:24 set', () => { const s = synic(); return connectPort(s.hv, s.root, s.root.id, 0x02000005, s.id, 1, 1) })
add('HvConnectPort', PORT, 'port already connected', () => { const s = synic(); return connectPort(s.hv, s.root, s.root.id, 5, s.id, 1, 1) })
add('HvConnectPort', PORT, 'no such port', () => { const s = synic(); return connectPort(s.hv, s.root, s.root.id, 5, s.id, 9, 1) })
add('HvConnectPort', ALN, 'monitor address not page-aligned', () => {
  const s = synic()
  expect(createPort(s.hv, s.root, s.id, 9, s.root.id, 3, 0, 0, 0, 0, 0x20000n)).toBe(0)
  return connectPort(s.hv, s.root, s.root.id, 5, s.id, 9, 3, 0x30004n)
})
add('HvConnectPort', PAR, "PortType differs from the port's", () => {
  const s = synic()
  expect(createPort(s.hv, s.root, s.id, 9, s.root.id, 1, 2, 0)).toBe(0)
  return connectPort(s.hv, s.root, s.root.id, 5, s.id, 9, 2)
})
add('HvConnectPort', MEM, "ConnectionPartition's pool is empty", () => {
  const w = world()
  expect(createPort(w.hv, w.root, w.c.id, 1, w.root.id, 1, 2, 0)).toBe(0)
  return connectPort(w.hv, w.root, w.root.id, 1, w.c.id, 1, 1)
})
add('HvConnectPort', RES, 'maxPortsPerPartition connections reached', () => {
  const w = world({ limits: { maxPortsPerPartition: 1 } })
  w.hv.wrapper().HvDepositMemory(w.root.id, rootPages(4))
  const d = w.hv.wrapper().HvCreatePartition().newPartitionId
  w.hv.wrapper().HvDepositMemory(d, rootPages(8))
  w.hv.wrapper().HvInitializePartition(d)
  expect(createPort(w.hv, w.root, w.c.id, 1, w.root.id, 1, 2, 0)).toBe(0)
  expect(createPort(w.hv, w.root, d, 1, w.root.id, 1, 2, 0xffffffff)).toBe(0)
  expect(connectPort(w.hv, w.root, w.root.id, 1, w.c.id, 1, 1)).toBe(0)
  return connectPort(w.hv, w.root, w.root.id, 2, d, 1, 1)
})
for (const set of [false, true]) {
  const name: HypercallName = set ? 'HvSetPortProperty' : 'HvGetPortProperty'
  const value = set ? 0n : undefined
  add(name, PID, 'unknown id', () => { const s = synic(); return portProperty(s.hv, s.root, UNKNOWN_ID, 1, 1, value) })
  add(name, AD, 'caller lacks CreatePort', () => { const s = synic(); return portProperty(s.hv, s.p, s.id, 1, 1, value) })
  add(name, PORT, 'no such port', () => { const s = synic(); return portProperty(s.hv, s.root, s.id, 8, 1, value) })
  add(name, UNK, 'property code 2', () => { const s = synic(); return portProperty(s.hv, s.root, s.id, 1, 2, value) })
}
add('HvSetPortProperty', PAR, 'PostCount is read-only', () => { const s = synic(); return portProperty(s.hv, s.root, s.id, 1, 0, 5n) })
add('HvSetPortProperty', VPI, 'PreferredTargetVp is no VP', () => { const s = synic(); return portProperty(s.hv, s.root, s.id, 1, 1, 3n) })
add('HvDisconnectPort', PID, 'unknown id', () => { const s = synic(); return disconnect(s.hv, s.root, UNKNOWN_ID, 1) })
add('HvDisconnectPort', AD, 'caller lacks ConnectPort', () => { const s = synic(); return disconnect(s.hv, s.p, s.root.id, 1) })
add('HvDisconnectPort', AD, 'caller is neither parent nor self', () => { const s = synic({ privileges: PORT_PRIVS }); return disconnect(s.hv, s.p, s.root.id, 1) })
add('HvDisconnectPort', PST, 'ConnectionPartition Finalized', () => { const w = world(); return disconnect(w.hv, w.root, w.f.id, 1) })
add('HvDisconnectPort', CONN, 'no such connection', () => { const s = synic(); return disconnect(s.hv, s.root, s.root.id, 3) })
add('HvDisconnectPort', CONN, 'a connection already disconnected', () => {
  const s = synic()
  expect(disconnect(s.hv, s.root, s.root.id, 1)).toBe(0)
  return disconnect(s.hv, s.root, s.root.id, 1)
})
add('HvPostMessage', AD, 'caller lacks PostMessages', () => { const s = synic(); return post(s.hv, s.p, 1) })
add('HvPostMessage', CONN, 'no such connection', () => { const s = synic(); return post(s.hv, s.root, 4) })
add('HvPostMessage', PAR, 'hypervisor message type', () => { const s = synic(); return post(s.hv, s.root, 1, 0x80000010) })
add('HvPostMessage', PAR, 'PayloadSize 241', () => { const s = synic(); return post(s.hv, s.root, 1, 7, 241) })
add('HvPostMessage', PORT, 'port deleted while the connection is in use', () => {
  const s = synic()
  expect(post(s.hv, s.root, 1)).toBe(0)
  expect(deletePort(s.hv, s.root, s.id, 1)).toBe(0)
  return post(s.hv, s.root, 1)
})
add('HvPostMessage', PORT, "port's partition finalized", () => { const s = synic(); s.hv.wrapper().HvFinalizePartition(s.id); return post(s.hv, s.root, 1) })
add('HvPostMessage', PORT, 'connection to an event port', () => { const s = synic(); return post(s.hv, s.root, 2) })
add('HvPostMessage', VPI, 'target VP deleted', () => { const s = synic(); s.hv.wrapper().HvDeleteVp(s.id, 0); return post(s.hv, s.root, 1) })
add('HvPostMessage', SYN, 'target SIMP disabled', () => { const s = synic(); s.wrmsr(0, HV_X64_MSR_SIMP, 0n); return post(s.hv, s.root, 1) })
add('HvPostMessage', BUF, 'all 16 port buffers in use (slot busy)', () => {
  const s = synic()
  for (let k = 0; k < 16; k++) expect(post(s.hv, s.root, 1)).toBe(0) // 1 in the slot, 15 queued
  expect(post(s.hv, s.root, 1)).toBe(0) // the slot's buffer was freed when copied
  return post(s.hv, s.root, 1)
})
add('HvSignalEvent', AD, 'caller lacks SignalEvents', () => { const s = synic(); return signal(s.hv, s.p, 2, 0) })
add('HvSignalEvent', CONN, 'no such connection', () => { const s = synic(); return signal(s.hv, s.root, 6, 0) })
add('HvSignalEvent', PORT, 'port deleted while the connection is in use', () => {
  const s = synic()
  expect(signal(s.hv, s.root, 2, 0)).toBe(0)
  expect(deletePort(s.hv, s.root, s.id, 2)).toBe(0)
  return signal(s.hv, s.root, 2, 0)
})
add('HvSignalEvent', PORT, 'connection to a message port', () => { const s = synic(); return signal(s.hv, s.root, 1, 0) })
add('HvSignalEvent', PAR, 'FlagNumber ≥ FlagCount', () => { const s = synic(); return signal(s.hv, s.root, 2, 8) })
add('HvSignalEvent', VPI, 'target VP deleted', () => { const s = synic(); s.hv.wrapper().HvDeleteVp(s.id, 0); return signal(s.hv, s.root, 2, 0) })
add('HvSignalEvent', SYN, 'target SINT masked', () => { const s = synic(); s.wrmsr(0, HV_X64_MSR_SINT0 + 3, 0x10063n); return signal(s.hv, s.root, 2, 0) })
add('HvSignalEvent', SYN, 'target SIEFP disabled', () => { const s = synic(); s.wrmsr(0, HV_X64_MSR_SIEFP, 0n); return signal(s.hv, s.root, 2, 0) })

const NAMES: HypercallName[] = [
  'HvSwitchVirtualAddressSpace', 'HvFlushVirtualAddressSpace', 'HvFlushVirtualAddressList', 'HvTranslateVirtualAddress',
  'HvReadGpa', 'HvWriteGpa', 'HvAssertVirtualInterrupt', 'HvClearVirtualInterrupt', 'HvCreatePort', 'HvDeletePort',
  'HvConnectPort', 'HvGetPortProperty', 'HvSetPortProperty', 'HvDisconnectPort', 'HvPostMessage', 'HvSignalEvent',
]

describe('status codes of the ch. 12-14 hypercalls (one fault per case)', () => {
  it.each(cases.map((c) => [`${c.call} → ${S.hvStatusName(c.status)}: ${c.what}`, c] as const))('%s', (_n, c) => {
    expect(S.hvStatusName(c.run())).toBe(S.hvStatusName(c.status))
  })
  it('provokes every status code the spec lists for each of these calls', () => expectCoverage(cases, NAMES))
})

describe('a deleted port and its connection (14.2)', () => {
  it('keeps the message already in the SIM slot, refuses new posts, and frees the connection for a new port', () => {
    const s = synic()
    const ram = s.p.memory!.ram
    expect(post(s.hv, s.root, 1, 0x44)).toBe(0)
    expect(deletePort(s.hv, s.root, s.id, 1)).toBe(0)
    expect(ram[0x10000 + 2 * 256]).toBe(0x44) // still in slot 2, carrying the deleted port's id
    expect(ram[0x10000 + 2 * 256 + 8]).toBe(1)
    expect(post(s.hv, s.root, 1)).toBe(PORT)
    expect(disconnect(s.hv, s.root, s.root.id, 1)).toBe(0) // the useless connection can still be torn down
    expect(createPort(s.hv, s.root, s.id, 1, s.root.id, 1, 2, 0)).toBe(0)
    expect(connectPort(s.hv, s.root, s.root.id, 1, s.id, 1, 1)).toBe(0)
    expect(s.hv.wrapper().HvGetPartitionProperty(s.id, P.HvPartitionPropertyCpuCap).status).toBe(0)
  })
})
