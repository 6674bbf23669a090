/**
 * Saved state of a 16550A UART: every guest-visible register, both FIFOs' contents (the
 * transmitter is instantaneous, so only RX holds data), pending interrupt conditions and the
 * host-side receive backlog (text pasted but not yet accepted by the FIFO).
 */

export interface Uart16550State {
  version: 1
  ier: number
  lcr: number
  mcr: number
  lsrErrors: number
  msrLines: number
  msrDeltas: number
  scr: number
  dll: number
  dlm: number
  fcr: number
  rx: number[]
  thrIpending: boolean
  timeoutPending: boolean
  timeoutDeadline: number | null
  backlog: number[]
}

function isByteArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 0xff)
}

/** Validate a saved state (from disk: never trusted). Throws a typed message when malformed. */
export function checkUart16550State(s: unknown): Uart16550State {
  const o = s as Partial<Uart16550State> | null
  if (!o || typeof o !== 'object' || o.version !== 1) throw new Error('UART state: unsupported or missing version')
  for (const k of ['ier', 'lcr', 'mcr', 'lsrErrors', 'msrLines', 'msrDeltas', 'scr', 'dll', 'dlm', 'fcr'] as const) {
    const v = o[k]
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xff) throw new Error(`UART state: bad ${k}`)
  }
  if (!isByteArray(o.rx) || o.rx.length > 16) throw new Error('UART state: bad rx FIFO')
  if (!isByteArray(o.backlog)) throw new Error('UART state: bad backlog')
  if (typeof o.thrIpending !== 'boolean' || typeof o.timeoutPending !== 'boolean') throw new Error('UART state: bad flags')
  if (o.timeoutDeadline !== null && typeof o.timeoutDeadline !== 'number') throw new Error('UART state: bad deadline')
  return o as Uart16550State
}
