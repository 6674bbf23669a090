/**
 * The port and connection hypercalls of TLFS 14.9: HvCreatePort, HvDeletePort,
 * HvConnectPort, HvDisconnectPort, HvGetPortProperty, HvSetPortProperty, HvPostMessage
 * and HvSignalEvent, with the status-code order of the inventory's DECISIONs (4.11).
 * A port or a connection draws one page from its owner's pool (DECISION: 16 message
 * buffers of 256 bytes = one page; the connection record shares that rounding).
 */
import {
  HV_STATUS_ACCESS_DENIED, HV_STATUS_INSUFFICIENT_BUFFERS, HV_STATUS_INSUFFICIENT_MEMORY, HV_STATUS_INVALID_ALIGNMENT,
  HV_STATUS_INVALID_CONNECTION_ID, HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARTITION_ID,
  HV_STATUS_INVALID_PARTITION_STATE, HV_STATUS_INVALID_PORT_ID, HV_STATUS_INVALID_VP_INDEX, HV_STATUS_NO_RESOURCES, HV_STATUS_SUCCESS,
  HV_STATUS_UNKNOWN_PROPERTY, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HvPartitionState as S, type Partition } from '../partition'
import { hasPrivilege, HvPrivilege, type HvPrivilegeBit } from '../privileges'
import { resolveTarget, u64 } from '../calls/target'
import { HV_EVENT_FLAGS_COUNT, HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT, HV_MESSAGE_TYPE_HYPERVISOR_MASK } from '../synic/message-layout'
import { interruptsOf } from '../apic/partition-interrupts'
import { MonitorPage, MonitorSet } from './monitor-page'
import {
  deliverEvent, deliverMessage, discardPortMessages, HV_ANY_VP, HvConnection, HvPort, HvPortPropertyCode as PC,
  HvPortType as T, messageTargetStatus, portsOf,
} from './port-table'

const ID_RESERVED = 0xff000000
const POOL_PAGES = 1

function privileged(f: HypercallFrame, bit: HvPrivilegeBit): boolean {
  return hasPrivilege(f.caller.privileges, bit)
}

/** Parent-or-self target lookup in the order ACCESS_DENIED / INVALID_PARTITION_ID / relation / state. */
function partitionArg(f: HypercallFrame, id: bigint): Partition | HvStatus {
  return resolveTarget(f, id, 'parent-or-self', [S.Active])
}

export function HvCreatePort(f: HypercallFrame): HvStatus {
  if (!privileged(f, HvPrivilege.CreatePort)) return HV_STATUS_ACCESS_DENIED
  const i = f.input
  const portPartitionId = u64(i, 0)
  const portId = i.getUint32(8, true)
  const connPartitionId = u64(i, 16)
  const pp = f.hv.partitions.get(portPartitionId)
  const cp = f.hv.partitions.get(connPartitionId)
  if (!pp || !cp) return HV_STATUS_INVALID_PARTITION_ID
  if (pp.parent !== f.caller && pp !== f.caller) return HV_STATUS_ACCESS_DENIED
  if (cp === pp) return HV_STATUS_INVALID_PARTITION_ID
  if (pp.state !== S.Active || cp.state !== S.Active) return HV_STATUS_INVALID_PARTITION_STATE
  const table = portsOf(pp)
  if ((portId & ID_RESERVED) !== 0 || table.ports.has(portId)) return HV_STATUS_INVALID_PORT_ID
  const type = i.getUint32(24, true)
  if (i.getUint32(28, true) !== 0) return HV_STATUS_INVALID_PARAMETER
  let sint = 0, vp = HV_ANY_VP, base = 0, count = 0, monitor = 0n
  if (type === T.HvPortTypeMessage || type === T.HvPortTypeEvent) {
    sint = i.getUint32(32, true)
    vp = i.getUint32(36, true)
    if (sint < 1 || sint > 15) return HV_STATUS_INVALID_PARAMETER
    if (type === T.HvPortTypeMessage && u64(i, 40) !== 0n) return HV_STATUS_INVALID_PARAMETER
    if (type === T.HvPortTypeEvent) {
      base = i.getUint16(40, true)
      count = i.getUint16(42, true)
      if (i.getUint32(44, true) !== 0 || count === 0 || base + count > HV_EVENT_FLAGS_COUNT) return HV_STATUS_INVALID_PARAMETER
    }
    if (vp !== HV_ANY_VP && !pp.isRoot && !pp.vp(vp)) return HV_STATUS_INVALID_VP_INDEX
  } else if (type === T.HvPortTypeMonitor) {
    monitor = u64(i, 32)
    if (u64(i, 40) !== 0n) return HV_STATUS_INVALID_PARAMETER
    if ((monitor & 0xfffn) !== 0n) return HV_STATUS_INVALID_ALIGNMENT
  } else return HV_STATUS_INVALID_PARAMETER
  let page: MonitorPage | null = null
  if (type === T.HvPortTypeMonitor) {
    page = new MonitorPage(`monitor page ${pp.id}:${portId}`)
    // DECISION: a monitor GPA that overlaps another device range is an invalid parameter.
    if (pp.memory && !page.map(pp.memory, Number(monitor), 'port')) return HV_STATUS_INVALID_PARAMETER
  }
  if (!pp.allocate(POOL_PAGES)) {
    page?.unmapAll()
    return HV_STATUS_INSUFFICIENT_MEMORY
  }
  if (table.ports.size >= f.hv.config.limits.maxPortsPerPartition) {
    page?.unmapAll()
    pp.release(POOL_PAGES)
    return HV_STATUS_NO_RESOURCES // 14.9.1: an implementation limit
  }
  const port = new HvPort(portId, pp, connPartitionId, type, sint, vp, base, count, monitor)
  port.monitor = page
  table.ports.set(portId, port)
  return HV_STATUS_SUCCESS
}

export function HvDeletePort(f: HypercallFrame): HvStatus {
  if (!privileged(f, HvPrivilege.CreatePort)) return HV_STATUS_ACCESS_DENIED
  const pp = partitionArg(f, u64(f.input, 0))
  if (typeof pp === 'number') return pp
  const table = portsOf(pp)
  const port = table.ports.get(f.input.getUint32(8, true))
  if (!port) return HV_STATUS_INVALID_PORT_ID
  port.deleted = true
  discardPortMessages(f.hv, port)
  if (port.monitor) {
    port.monitor.unmapAll()
    if (port.connection) portsOf(port.connection.partition).monitors?.pages.delete(port.monitor)
  }
  table.ports.delete(port.id)
  pp.release(POOL_PAGES)
  return HV_STATUS_SUCCESS
}

export function HvConnectPort(f: HypercallFrame): HvStatus {
  if (!privileged(f, HvPrivilege.ConnectPort)) return HV_STATUS_ACCESS_DENIED
  const i = f.input
  const cp = f.hv.partitions.get(u64(i, 0))
  const pp = f.hv.partitions.get(u64(i, 16))
  if (!cp || !pp) return HV_STATUS_INVALID_PARTITION_ID
  if (cp.parent !== f.caller && cp !== f.caller) return HV_STATUS_ACCESS_DENIED
  if (cp.state !== S.Active || pp.state !== S.Active) return HV_STATUS_INVALID_PARTITION_STATE
  const connId = i.getUint32(8, true)
  const conns = portsOf(cp).connections
  if ((connId & ID_RESERVED) !== 0 || conns.has(connId)) return HV_STATUS_INVALID_CONNECTION_ID
  const portId = i.getUint32(24, true)
  const port = (portId & ID_RESERVED) === 0 ? portsOf(pp).ports.get(portId) : undefined
  if (!port || port.connection || port.connectionPartition !== cp.id) return HV_STATUS_INVALID_PORT_ID
  const type = i.getUint32(32, true)
  const monitor = u64(i, 40)
  if (type !== port.type || i.getUint32(36, true) !== 0) return HV_STATUS_INVALID_PARAMETER
  if (type !== T.HvPortTypeMonitor && monitor !== 0n) return HV_STATUS_INVALID_PARAMETER
  if ((monitor & 0xfffn) !== 0n) return HV_STATUS_INVALID_ALIGNMENT
  if (port.monitor && cp.memory && !port.monitor.map(cp.memory, Number(monitor), 'connection')) return HV_STATUS_INVALID_PARAMETER
  if (!cp.allocate(POOL_PAGES)) {
    if (port.monitor && cp.memory) port.monitor.unmap(cp.memory)
    return HV_STATUS_INSUFFICIENT_MEMORY
  }
  if (conns.size >= f.hv.config.limits.maxPortsPerPartition) {
    if (port.monitor && cp.memory) port.monitor.unmap(cp.memory)
    cp.release(POOL_PAGES)
    return HV_STATUS_NO_RESOURCES // 14.9.3: an implementation limit
  }
  if (port.monitor) monitorsOf(f, cp).pages.add(port.monitor)
  const c = new HvConnection(connId, cp, port, monitor)
  port.connection = c
  conns.set(connId, c)
  return HV_STATUS_SUCCESS
}

/** The originator's monitor set, created with its poller on first use (14.2). */
function monitorsOf(f: HypercallFrame, originator: Partition): MonitorSet {
  const table = portsOf(originator)
  if (table.monitors) return table.monitors
  const hv = f.hv
  const set = new MonitorSet(hv, originator, (p, connId, flag) => signalEvent({ hv, caller: p }, connId, flag, 0))
  table.monitors = set
  if (originator.memory) {
    const pi = interruptsOf(hv, originator)
    pi.pollers.push({
      poll: () => set.poll(),
      nextNs: (now) => {
        const latency = set.nextLatency()
        return latency === Infinity ? Infinity : now + latency * 100
      },
    })
  }
  return set
}

export function HvDisconnectPort(f: HypercallFrame): HvStatus {
  if (!privileged(f, HvPrivilege.ConnectPort)) return HV_STATUS_ACCESS_DENIED
  const cp = partitionArg(f, u64(f.input, 0))
  if (typeof cp === 'number') return cp
  const conns = portsOf(cp).connections
  const c = conns.get(f.input.getUint32(8, true))
  if (!c) return HV_STATUS_INVALID_CONNECTION_ID
  conns.delete(c.id)
  if (c.port.connection === c) c.port.connection = null // DECISION 14.9: connectable again
  if (c.port.monitor) {
    if (cp.memory) c.port.monitor.unmap(cp.memory)
    portsOf(cp).monitors?.pages.delete(c.port.monitor)
  }
  cp.release(POOL_PAGES)
  return HV_STATUS_SUCCESS
}

function portArg(f: HypercallFrame): HvPort | HvStatus {
  if (!privileged(f, HvPrivilege.CreatePort)) return HV_STATUS_ACCESS_DENIED
  const pp = partitionArg(f, u64(f.input, 0))
  if (typeof pp === 'number') return pp
  return portsOf(pp).ports.get(f.input.getUint32(8, true)) ?? HV_STATUS_INVALID_PORT_ID
}

function propertyValue(port: HvPort, code: number): bigint | null {
  if (code === PC.HvPortPropertyPostCount) return port.postCount
  if (code === PC.HvPortPropertyPreferredTargetVp) return BigInt(port.preferredTargetVp)
  return null
}

export function HvGetPortProperty(f: HypercallFrame): HvStatus {
  const port = portArg(f)
  if (typeof port === 'number') return port
  const v = propertyValue(port, f.input.getUint32(16, true))
  if (v === null) return HV_STATUS_UNKNOWN_PROPERTY
  f.output.setBigUint64(0, v, true)
  return HV_STATUS_SUCCESS
}

export function HvSetPortProperty(f: HypercallFrame): HvStatus {
  const port = portArg(f)
  if (typeof port === 'number') return port
  const code = f.input.getUint32(16, true)
  const value = u64(f.input, 24)
  if (code === PC.HvPortPropertyPostCount) return HV_STATUS_INVALID_PARAMETER // read-only (DECISION)
  if (code !== PC.HvPortPropertyPreferredTargetVp) return HV_STATUS_UNKNOWN_PROPERTY
  if (value !== BigInt(HV_ANY_VP) && (value > 0xffffffffn || !port.partition.vp(Number(value)))) return HV_STATUS_INVALID_VP_INDEX
  port.preferredTargetVp = Number(value)
  f.output.setBigUint64(0, value, true)
  return HV_STATUS_SUCCESS
}

function connectionPort(f: HypercallFrame, connId: number, type: number): HvPort | HvStatus {
  const c = portsOf(f.caller).connections.get(connId)
  if (!c) return HV_STATUS_INVALID_CONNECTION_ID
  const port = c.port
  if (port.deleted || port.partition.state !== S.Active || port.type !== type) return HV_STATUS_INVALID_PORT_ID
  return port
}

export function HvPostMessage(f: HypercallFrame): HvStatus {
  if (!privileged(f, HvPrivilege.PostMessages)) return HV_STATUS_ACCESS_DENIED
  const i = f.input
  const c = portsOf(f.caller).connections.get(i.getUint32(0, true))
  if (!c) return HV_STATUS_INVALID_CONNECTION_ID
  const type = i.getUint32(8, true)
  const size = i.getUint32(12, true)
  if (type === 0 || (type & HV_MESSAGE_TYPE_HYPERVISOR_MASK) !== 0 || size > HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT) return HV_STATUS_INVALID_PARAMETER
  const port = connectionPort(f, c.id, T.HvPortTypeMessage)
  if (typeof port === 'number') return port
  const target = messageTargetStatus(f.hv, port)
  if (target !== HV_STATUS_SUCCESS) return target
  const buf = port.freeBuffer()
  if (!buf) return HV_STATUS_INSUFFICIENT_BUFFERS
  buf.fill(type, BigInt(port.id), new Uint8Array(i.buffer, i.byteOffset + 16, HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT), size)
  buf.onCopied = null
  const st = deliverMessage(f.hv, port, buf)
  if (st === HV_STATUS_SUCCESS) port.postCount++
  return st
}

/** Signal through connection `connId` of `caller` (also used by monitor pages). */
export function signalEvent(f: Pick<HypercallFrame, 'hv' | 'caller'>, connId: number, flag: number, rsvd: number): HvStatus {
  if (!hasPrivilege(f.caller.privileges, HvPrivilege.SignalEvents)) return HV_STATUS_ACCESS_DENIED
  const port = connectionPort(f as HypercallFrame, connId, T.HvPortTypeEvent)
  if (typeof port === 'number') return port
  if (flag >= port.flagCount || rsvd !== 0) return HV_STATUS_INVALID_PARAMETER
  return deliverEvent(f.hv, port, port.baseFlagNumber + flag)
}

export function HvSignalEvent(f: HypercallFrame): HvStatus {
  return signalEvent(f, f.input.getUint32(0, true), f.input.getUint16(4, true), f.input.getUint16(6, true))
}
