/** Root-side port hypercalls (TLFS 14.9) issued through the wrapper dispatch, for guest tests. */
import type { Hypervisor } from '../../../../core/hypervisor/hypervisor'

function call(hv: Hypervisor, code: number, fill: (v: DataView) => void): number {
  const i = hv.input()
  new Uint8Array(i.buffer).fill(0, 0, 512)
  fill(i)
  return hv.callFromHost(hv.root, code, {}).status
}

export const PortType = { Message: 1, Event: 2 } as const

export function createPort(hv: Hypervisor, portPart: bigint, id: number, conn: bigint, type: number, sint: number, vp: number, base = 0, count = 0): number {
  return call(hv, 0x57, (v) => {
    v.setBigUint64(0, portPart, true); v.setUint32(8, id, true); v.setBigUint64(16, conn, true)
    v.setUint32(24, type, true); v.setUint32(32, sint, true); v.setUint32(36, vp, true)
    v.setUint16(40, base, true); v.setUint16(42, count, true)
  })
}
export function deletePort(hv: Hypervisor, portPart: bigint, id: number): number {
  return call(hv, 0x58, (v) => { v.setBigUint64(0, portPart, true); v.setUint32(8, id, true) })
}
export function connectPort(hv: Hypervisor, connPart: bigint, cid: number, portPart: bigint, pid: number, type: number): number {
  return call(hv, 0x59, (v) => {
    v.setBigUint64(0, connPart, true); v.setUint32(8, cid, true); v.setBigUint64(16, portPart, true); v.setUint32(24, pid, true); v.setUint32(32, type, true)
  })
}
export function postMessage(hv: Hypervisor, cid: number, type: number, payload: bigint): number {
  return call(hv, 0x5c, (v) => {
    v.setUint32(0, cid, true); v.setUint32(8, type, true); v.setUint32(12, 8, true); v.setBigUint64(16, payload, true)
  })
}
