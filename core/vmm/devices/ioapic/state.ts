/** Saved state of the I/O APIC: ID, select register, redirection table and line levels. */

export interface IoApicState {
  version: 1
  id: number
  select: number
  redirLow: number[]
  redirHigh: number[]
  lineLevels: number
}

export function checkIoApicState(s: unknown): IoApicState {
  const o = s as Partial<IoApicState> | null
  if (!o || typeof o !== 'object' || o.version !== 1) throw new Error('I/O APIC state: unsupported or missing version')
  if (!Array.isArray(o.redirLow) || o.redirLow.length !== 24 || !Array.isArray(o.redirHigh) || o.redirHigh.length !== 24) {
    throw new Error('I/O APIC state: bad redirection table')
  }
  return o as IoApicState
}
