/** Saved state of port 0x92 and the POST port. */

export interface SystemPortsState {
  version: 1
  portA: number
  postCode: number
  postWrites: number
}

export function checkSystemPortsState(s: unknown): SystemPortsState {
  const o = s as Partial<SystemPortsState> | null
  if (!o || typeof o !== 'object' || o.version !== 1 || !Number.isInteger(o.portA) || !Number.isInteger(o.postCode)) {
    throw new Error('system ports state: unsupported or malformed')
  }
  return o as SystemPortsState
}
