/** Saved state of the CMOS/RTC: the 128 bytes, index/NMI latch, time offset and timers. */

export interface CmosRtcState {
  version: 1
  cmos: number[]
  index: number
  nmiDisabled: boolean
  /** RTC seconds (Unix time) = offsetSeconds + guest ns / 1e9. */
  offsetSeconds: number
  nextPeriodic: number | null
  nextSecond: number | null
  irqLevel: boolean
}

export function checkCmosRtcState(s: unknown): CmosRtcState {
  const o = s as Partial<CmosRtcState> | null
  if (!o || typeof o !== 'object' || o.version !== 1) throw new Error('RTC state: unsupported or missing version')
  if (!Array.isArray(o.cmos) || o.cmos.length !== 128 || !o.cmos.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw new Error('RTC state: bad CMOS bytes')
  if (!Number.isInteger(o.index) || typeof o.offsetSeconds !== 'number') throw new Error('RTC state: bad registers')
  return o as CmosRtcState
}
