/** Saved state of the 8254: per channel programming, load time, latches, gate. */

export interface PitChannelState {
  mode: number
  bcd: boolean
  access: number
  count: number
  loadTime: number | null
  readHigh: boolean
  writeHigh: boolean
  writeLow: number
  latched: number[]
  status: number | null
  gate: boolean
  gateLowTime: number | null
  triggered: boolean
  nullCount: boolean
}

export interface Pit8254State {
  version: 1
  channels: PitChannelState[]
  nextIrqTime: number | null
  speaker: boolean
}

export function checkPit8254State(s: unknown): Pit8254State {
  const o = s as Partial<Pit8254State> | null
  if (!o || typeof o !== 'object' || o.version !== 1 || !Array.isArray(o.channels) || o.channels.length !== 3) {
    throw new Error('PIT state: unsupported or malformed')
  }
  for (const c of o.channels) {
    if (!Number.isInteger(c?.mode) || c.mode < 0 || c.mode > 5) throw new Error('PIT state: bad mode')
    if (!Number.isInteger(c.count) || c.count < 1 || c.count > 0x10000) throw new Error('PIT state: bad count')
    if (!Array.isArray(c.latched)) throw new Error('PIT state: bad latch')
  }
  return o as Pit8254State
}
