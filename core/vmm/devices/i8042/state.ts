/** Saved state of the i8042: command byte, output port, pending command and output queue. */

export interface I8042State {
  version: 1
  ctr: number
  outputPort: number
  pendingCommand: number | null
  queue: number[]
  lastWasCommand: boolean
}

export function checkI8042State(s: unknown): I8042State {
  const o = s as Partial<I8042State> | null
  if (!o || typeof o !== 'object' || o.version !== 1 || !Array.isArray(o.queue)) throw new Error('i8042 state: unsupported or malformed')
  return o as I8042State
}
