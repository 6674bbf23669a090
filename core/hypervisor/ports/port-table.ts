/**
 * Ports and connections (TLFS 14.3): a port belongs to the receiving partition (16 message
 * buffers from its pool, 14.1), a connection to the sending one and is bound to one port.
 * Delivery into a child goes to the target VP's SynIC (HV_ANY_VP: PreferredTargetVp if
 * eligible, else the lowest eligible index — DECISION 14.2). The root partition runs no
 * x86 code, so its "SynIC" is a host-side receive queue per SINT and an event-flag bitmap
 * per SINT (`RootSynic`), read by the host app; reading a message frees its buffer.
 */
import {
  HV_STATUS_INVALID_SYNIC_STATE, HV_STATUS_INVALID_VP_INDEX, HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import { interruptsOf } from '../apic/partition-interrupts'
import { decodeMessage, HvMessageBuffer, HV_SYNIC_SINT_COUNT, type HvMessage } from '../synic/message-layout'
import type { VpInterrupts } from '../apic/vp-interrupts'
import type { MonitorPage, MonitorSet } from './monitor-page'

export const HvPortType = { HvPortTypeMessage: 1, HvPortTypeEvent: 2, HvPortTypeMonitor: 3 } as const
export const HV_ANY_VP = 0xffffffff
export const HvPortPropertyCode = { HvPortPropertyPostCount: 0, HvPortPropertyPreferredTargetVp: 1 } as const
export const PORT_MESSAGE_BUFFERS = 16

export class HvPort {
  postCount = 0n
  preferredTargetVp = HV_ANY_VP
  connection: HvConnection | null = null
  deleted = false
  /** HvPortTypeMonitor: the page shared with the connection (14.2 monitored notifications). */
  monitor: MonitorPage | null = null
  readonly buffers: HvMessageBuffer[] = Array.from({ length: PORT_MESSAGE_BUFFERS }, () => new HvMessageBuffer())
  constructor(
    readonly id: number,
    readonly partition: Partition,
    readonly connectionPartition: bigint,
    readonly type: number,
    readonly targetSint: number,
    readonly targetVp: number,
    readonly baseFlagNumber: number,
    readonly flagCount: number,
    readonly monitorAddress: bigint,
  ) {}

  freeBuffer(): HvMessageBuffer | undefined {
    return this.buffers.find((b) => !b.busy)
  }
}

export class HvConnection {
  constructor(readonly id: number, readonly partition: Partition, readonly port: HvPort, readonly monitorAddress: bigint) {}
}

/** The root's receive side: what a SynIC would show it (no x86 code runs there). */
export class RootSynic {
  readonly queues: Array<Array<{ buf: HvMessageBuffer }>> = Array.from({ length: HV_SYNIC_SINT_COUNT }, () => [])
  readonly eventFlags: Uint8Array[] = Array.from({ length: HV_SYNIC_SINT_COUNT }, () => new Uint8Array(256))
  /** 0→1 flag edges per SINT (the "interrupts" the root would have taken). */
  readonly eventEdges = new Array<number>(HV_SYNIC_SINT_COUNT).fill(0)

  /** Take every queued message of `sint` (frees their buffers). */
  take(sint: number): HvMessage[] {
    const q = this.queues[sint]
    const out = q.map((e) => decodeMessage(e.buf.data))
    for (const e of q) e.buf.release()
    q.length = 0
    return out
  }

  /** Take and clear the set event flags of `sint` (absolute flag numbers). */
  takeEvents(sint: number): number[] {
    const flags = this.eventFlags[sint]
    const out: number[] = []
    for (let i = 0; i < 2048; i++) if (flags[i >>> 3] & (1 << (i & 7))) out.push(i)
    flags.fill(0)
    return out
  }
}

export class PortTable {
  readonly ports = new Map<number, HvPort>()
  readonly connections = new Map<number, HvConnection>()
  readonly root = new RootSynic()
  /** Monitor pages this partition originates (through its monitor connections), polled with its run slices. */
  monitors: MonitorSet | null = null
}

const PORTS = 'ports'
export function portsOf(p: Partition): PortTable {
  let t = p.features.get(PORTS) as (PortTable & { onFinalize?: () => void }) | undefined
  if (!t) {
    t = new PortTable()
    p.features.set(PORTS, t)
  }
  return t
}

/** Pick the receiving VP state of a child port (14.2/14.3), or a status. */
function targetOf(hv: Hypervisor, port: HvPort, eligible: (s: VpInterrupts) => boolean): VpInterrupts | HvStatus {
  const pi = interruptsOf(hv, port.partition)
  if (port.targetVp !== HV_ANY_VP) {
    const vp = port.partition.vp(port.targetVp)
    if (!vp) return HV_STATUS_INVALID_VP_INDEX
    const s = pi.vpState(vp)
    return eligible(s) ? s : HV_STATUS_INVALID_SYNIC_STATE
  }
  const all = pi.all()
  if (all.length === 0) return HV_STATUS_INVALID_VP_INDEX
  const pref = port.preferredTargetVp !== HV_ANY_VP ? port.partition.vp(port.preferredTargetVp) : undefined
  if (pref && eligible(pi.vpState(pref))) return pi.vpState(pref)
  return all.find(eligible) ?? HV_STATUS_INVALID_SYNIC_STATE
}

/** Queue `buf` (already filled) for the port's receiver. */
export function deliverMessage(hv: Hypervisor, port: HvPort, buf: HvMessageBuffer): HvStatus {
  if (port.partition.isRoot) {
    buf.busy = true
    portsOf(port.partition).root.queues[port.targetSint].push({ buf })
    return HV_STATUS_SUCCESS
  }
  const t = targetOf(hv, port, (s) => s.synic.canReceiveMessages)
  if (typeof t === 'number') return t
  t.synic.enqueue(port.targetSint, buf)
  return HV_STATUS_SUCCESS
}

/** Check that a message could be delivered (before a buffer is taken). */
export function messageTargetStatus(hv: Hypervisor, port: HvPort): HvStatus {
  if (port.partition.isRoot) return HV_STATUS_SUCCESS
  const t = targetOf(hv, port, (s) => s.synic.canReceiveMessages)
  return typeof t === 'number' ? t : HV_STATUS_SUCCESS
}

/** Set absolute flag `flag` on the port's target SINT (14.5). */
export function deliverEvent(hv: Hypervisor, port: HvPort, flag: number): HvStatus {
  if (port.partition.isRoot) {
    const root = portsOf(port.partition).root
    const f = root.eventFlags[port.targetSint]
    const bit = 1 << (flag & 7)
    if ((f[flag >>> 3] & bit) === 0) root.eventEdges[port.targetSint]++
    f[flag >>> 3] |= bit
    return HV_STATUS_SUCCESS
  }
  const t = targetOf(hv, port, (s) => s.synic.canReceiveEvents)
  if (typeof t === 'number') return t
  return t.synic.signalEvent(port.targetSint, flag) ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_SYNIC_STATE
}

/** HvDeletePort: queued messages are lost and buffers freed (14.2). */
export function discardPortMessages(hv: Hypervisor, port: HvPort): void {
  const owned = new Set(port.buffers)
  if (port.partition.isRoot) {
    for (const q of portsOf(port.partition).root.queues) {
      for (let k = q.length - 1; k >= 0; k--) if (owned.has(q[k].buf)) q.splice(k, 1)[0].buf.release()
    }
    return
  }
  for (const s of interruptsOf(hv, port.partition).all()) s.synic.discard((b) => owned.has(b))
}
