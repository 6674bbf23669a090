/**
 * Restore-time compatibility of a saved stream with its target (TLFS 17.1.3–17.1.4 and the
 * HV_SAVE_RESTORE_STATE_RESULT values). DECISION (inventory 3.8): a feature recorded at save
 * time must exist on the target; extra target features are fine. Check order: vendor (11),
 * processor feature bits 0–15 (12 + bit), other feature bits (5), CLFLUSH size (28), XSAVE
 * feature bits (29, 30, 32, 33), XCR0 components in use (31 SSE without XSAVE, 32 AVX,
 * 33 unknown), XSAVE area size (34), hardware features (6), then for a partition the VP
 * count (7), index set (9) and flags (8).
 */
import { HvSaveRestoreStateResult as R, type HvSaveRestoreStateResult } from './save-restore-types'
import type { StreamHeader } from './stream-format'

export function checkCompatibility(saved: StreamHeader, target: StreamHeader, checkVps: boolean): HvSaveRestoreStateResult {
  if (saved.vendor !== target.vendor) return R.HvStateIncompatibleProcessor
  const missing = saved.processorFeatures & ~target.processorFeatures
  for (let bit = 0; bit < 16; bit++) {
    if ((missing >> BigInt(bit)) & 1n) return (R.HvStateProcessorFeatureSse3Mismatch + bit) as HvSaveRestoreStateResult
  }
  if (missing !== 0n) return R.HvStateProcessorFeatureMismatch
  if (saved.clflushSize !== target.clflushSize) return R.HvStateProcessorCacheLineFlushSizeMismatch
  const xMissing = saved.xsaveFeatures & ~target.xsaveFeatures
  if (xMissing & 1n) return R.HvStateProcessorFeatureXsaveMismatch
  if (xMissing & 2n) return R.HvStateProcessorFeatureXsaveoptMismatch
  if (xMissing & 4n) return R.HvStateProcessorFeatureXsaveAvxMismatch
  if (xMissing !== 0n) return R.HvStateProcessorFeatureXsaveUnknownFeatureMismatch
  // XCR0 components the saved VPs enabled: SSE needs XSAVE on the target, AVX needs AvxSupport.
  if ((saved.xcr0Union & 2n) !== 0n && (target.xsaveFeatures & 1n) === 0n) return R.HvStateProcessorFeatureXsaveLegacySseMismatch
  if ((saved.xcr0Union & 4n) !== 0n && (target.xsaveFeatures & 4n) === 0n) return R.HvStateProcessorFeatureXsaveAvxMismatch
  if ((saved.xcr0Union & ~7n) !== 0n) return R.HvStateProcessorFeatureXsaveUnknownFeatureMismatch
  if (saved.xsaveAreaSize > target.xsaveAreaSize) return R.HvStateProcessorXsaveSaveAreaMismatch
  if ((saved.hardwareFeatures & ~target.hardwareFeatures) !== 0) return R.HvStateHardwareFeatureMismatch
  if (checkVps) {
    if (saved.vps.length !== target.vps.length) return R.HvStateProcessorCountMismatch
    const targetByIndex = new Map(target.vps.map((v) => [v.index, v.flags]))
    for (const v of saved.vps) if (!targetByIndex.has(v.index)) return R.HvStateProcessorIndexMismatch
    for (const v of saved.vps) if (targetByIndex.get(v.index) !== v.flags) return R.HvStateProcessorFlagsMismatch
  }
  return R.HvStateComplete
}
