/** Public surface of partition save and restore (TLFS ch. 17). */
export * from './save-restore-types'
export { registerSaveSection, unregisterSaveSection, type SaveSection } from './save-sections'
export { partitionReferenceTime, setPartitionReferenceTime } from './reference-time'
export { crc32 } from './crc32'
export { RESTORE_VP_CONTEXT_PAGES } from './restore-session'
export { ByteReader, ByteWriter, TruncatedError } from './byte-stream'
export {
  HvSavePartitionState, HvRestorePartitionState, savePartitionStateAll, restorePartitionStateAll,
  type SaveChunk, type RestoreChunk, type WholeSave, type WholeRestore,
} from './save-restore-wrapper'
