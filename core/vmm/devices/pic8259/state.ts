/** Saved state of the 8259A pair: each chip's registers and initialization progress. */

export interface Pic8259ChipState {
  irr: number
  isr: number
  imr: number
  lastLevel: number
  elcr: number
  vectorBase: number
  priorityAdd: number
  initStep: number
  icw4Needed: boolean
  single: boolean
  autoEoi: boolean
  rotateOnAutoEoi: boolean
  specialFullyNested: boolean
  readIsr: boolean
  poll: boolean
  specialMask: boolean
}

export interface Pic8259State {
  version: 1
  chips: [Pic8259ChipState, Pic8259ChipState]
}

export function checkPic8259State(s: unknown): Pic8259State {
  const o = s as Partial<Pic8259State> | null
  if (!o || typeof o !== 'object' || o.version !== 1 || !Array.isArray(o.chips) || o.chips.length !== 2) {
    throw new Error('PIC state: unsupported or malformed')
  }
  for (const c of o.chips) {
    for (const k of ['irr', 'isr', 'imr', 'lastLevel', 'elcr', 'vectorBase', 'priorityAdd', 'initStep'] as const) {
      if (!Number.isInteger(c?.[k]) || c[k] < 0 || c[k] > 0xff) throw new Error(`PIC state: bad ${k}`)
    }
  }
  return o as Pic8259State
}
