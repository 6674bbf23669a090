/**
 * Device state in a saved VM: every chipset device's `saveState()` JSON under a stable name
 * (the devices own their formats and validate them on restore); devices are found by
 * their `saveState`/`restoreState` methods, so a device added to the chipset is saved too. Restoring requires exactly
 * the saved set of devices, so a file from a machine with other devices is refused.
 */
import type { Chipset } from '../chipset'
import { SavedStateError } from './container'

interface StatefulDevice {
  saveState(): unknown
  restoreState(raw: unknown): void
}

function isStateful(v: unknown): v is StatefulDevice {
  const d = v as Partial<StatefulDevice> | null
  return !!d && typeof d === 'object' && typeof d.saveState === 'function' && typeof d.restoreState === 'function'
}

/** Every device of the chipset that has saved state, by its chipset field name (UARTs as com1/com2). */
function devices(cs: Chipset): Record<string, StatefulDevice> {
  const out: Record<string, StatefulDevice> = {}
  for (const [name, v] of Object.entries(cs)) if (isStateful(v)) out[name] = v
  cs.uarts.forEach((u, i) => (out[`com${i + 1}`] = u))
  return out
}

export function saveChipsetState(cs: Chipset): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, d] of Object.entries(devices(cs))) out[name] = d.saveState()
  return out
}

export function restoreChipsetState(cs: Chipset, saved: unknown): void {
  if (!saved || typeof saved !== 'object') throw new SavedStateError('the device section is malformed')
  const rec = saved as Record<string, unknown>
  const devs = devices(cs)
  for (const name of Object.keys(rec)) if (!(name in devs)) throw new SavedStateError(`the saved state has an unknown device "${name}"`)
  for (const [name, d] of Object.entries(devs)) {
    if (!(name in rec)) throw new SavedStateError(`the saved state lacks device "${name}"`)
    try {
      d.restoreState(rec[name])
    } catch (e) {
      throw new SavedStateError(`device "${name}": ${(e as Error).message}`)
    }
  }
}
