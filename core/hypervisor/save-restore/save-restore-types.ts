/**
 * Constants of partition save and restore (TLFS 17.2): HV_SAVE_RESTORE_STATE_RESULT, the
 * HV_SAVE_RESTORE_STATE_FLAGS bits and the chunk size limits of HvSavePartitionState /
 * HvRestorePartitionState (17.3). Values are verbatim from the seed enumeration.
 */

export const HvSaveRestoreStateResult = {
  HvStateComplete: 0,
  HvStateIncomplete: 1,
  HvStateRestorable: 2,
  HvStateCorruptData: 3,
  HvStateUnsupportedVersion: 4,
  HvStateProcessorFeatureMismatch: 5,
  HvStateHardwareFeatureMismatch: 6,
  HvStateProcessorCountMismatch: 7,
  HvStateProcessorFlagsMismatch: 8,
  HvStateProcessorIndexMismatch: 9,
  HvStateProcessorInsufficientMemory: 10,
  HvStateIncompatibleProcessor: 11,
  HvStateProcessorFeatureSse3Mismatch: 12,
  HvStateProcessorFeatureLahfSahfMismatch: 13,
  HvStateProcessorFeaturSsse3eMismatch: 14,
  HvStateProcessorFeatureSse41Mismatch: 15,
  HvStateProcessorFeatureSse42Mismatch: 16,
  HvStateProcessorFeatureSse4aMismatch: 17,
  HvStateProcessorFeatureSse5Mismatch: 18,
  HvStateProcessorFeaturePopcntMismatch: 19,
  HvStateProcessorFeatureCmpxchg16bMismatch: 20,
  HvStateProcessorFeatureAltmovcr8Mismatch: 21,
  HvStateProcessorFeatureLzcntMismatch: 22,
  HvStateProcessorFeatureMisalignedSseMismatch: 23,
  HvStateProcessorFeatureMmxExtMismatch: 24,
  HvStateProcessorFeature3DNowMismatch: 25,
  HvStateProcessorFeatureExtended3DNowMismatch: 26,
  HvStateProcessorFeaturePage1GBMismatch: 27,
  HvStateProcessorCacheLineFlushSizeMismatch: 28,
  HvStateProcessorFeatureXsaveMismatch: 29,
  HvStateProcessorFeatureXsaveoptMismatch: 30,
  HvStateProcessorFeatureXsaveLegacySseMismatch: 31,
  HvStateProcessorFeatureXsaveAvxMismatch: 32,
  HvStateProcessorFeatureXsaveUnknownFeatureMismatch: 33,
  HvStateProcessorXsaveSaveAreaMismatch: 34,
} as const
export type HvSaveRestoreStateResult = (typeof HvSaveRestoreStateResult)[keyof typeof HvSaveRestoreStateResult]

/** Name of a result value (for error messages). */
export function saveRestoreResultName(v: number): string {
  for (const [k, n] of Object.entries(HvSaveRestoreStateResult)) if (n === v) return k
  return `HV_SAVE_RESTORE_STATE_RESULT(${v})`
}

export const HV_SAVE_RESTORE_STATE_START = 0x00000001
export const HV_SAVE_RESTORE_STATE_SUMMARY = 0x00000002
export const HV_SAVE_RESTORE_STATE_FLAGS_VALID = HV_SAVE_RESTORE_STATE_START | HV_SAVE_RESTORE_STATE_SUMMARY

/** Most data bytes one call carries (17.3: 8-byte output header + 4080 = 4088; 16 + 4080 = one page of input). */
export const HV_SAVE_RESTORE_MAX_CHUNK = 4080
