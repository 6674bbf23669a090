/** Saved state of the PCI host: the address latch and the host bridge's command register. */

export interface PciHostState {
  version: 1
  address: number
  command: number
}

export function checkPciHostState(s: unknown): PciHostState {
  const o = s as Partial<PciHostState> | null
  if (!o || typeof o !== 'object' || o.version !== 1 || !Number.isInteger(o.address) || !Number.isInteger(o.command)) {
    throw new Error('PCI host state: unsupported or malformed')
  }
  return o as PciHostState
}
