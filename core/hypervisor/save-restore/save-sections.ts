/**
 * The registry through which later chapters put their per-partition state into the
 * hypervisor's saved-state stream (TLFS 17.1.5: APIC and SynIC state, SIM/SIEF contents,
 * synthetic and periodic timers, queued messages). Each section is named, versioned and
 * opaque to this module: `save` returns its bytes (or null when it has nothing), `check`
 * validates saved bytes against the target without changing anything, and `restore`
 * applies them. Restore first checks every section, then applies them all, so a bad
 * section leaves the partition untouched.
 */
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import { HvSaveRestoreStateResult as R, type HvSaveRestoreStateResult } from './save-restore-types'

export interface SaveSection {
  /** Version written with the section; restore refuses a saved version above it (HvStateUnsupportedVersion). */
  readonly version: number
  save(p: Partition, hv: Hypervisor): Uint8Array | null
  /** Validate `data` (saved at `version`) for partition `p`; HvStateComplete when acceptable. */
  check?(p: Partition, data: Uint8Array, version: number, hv: Hypervisor): HvSaveRestoreStateResult
  /** Apply data that passed `check`. Must not throw for data that passed. */
  restore(p: Partition, data: Uint8Array, version: number, hv: Hypervisor): void
}

const sections = new Map<string, SaveSection>()

/** Register (or replace) a named section. Names are stable forever: they are in saved files. */
export function registerSaveSection(name: string, section: SaveSection): void {
  if (!/^[a-z0-9][a-z0-9.-]{0,63}$/.test(name)) throw new Error(`bad save section name "${name}"`)
  sections.set(name, section)
}

export function unregisterSaveSection(name: string): void {
  sections.delete(name)
}

export function saveSection(name: string): SaveSection | undefined {
  return sections.get(name)
}

/** Sections in a stable order (by name) so identical state gives identical streams. */
export function registeredSaveSections(): Array<[string, SaveSection]> {
  return [...sections.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

/** The result for a saved section against the current registry. */
export function checkSavedSection(p: Partition, name: string, version: number, data: Uint8Array, hv: Hypervisor): HvSaveRestoreStateResult {
  const s = sections.get(name)
  // A section this hypervisor does not know came from a newer or different implementation.
  if (!s || version > s.version || version < 1) return R.HvStateUnsupportedVersion
  try {
    return s.check ? s.check(p, data, version, hv) : R.HvStateComplete
  } catch {
    return R.HvStateCorruptData
  }
}
