/**
 * The hypervisor's saved-state stream, version 1 (TLFS 17.1: the format is ours; 17.1.5
 * says what goes in). The stream is a sequence of frames `kind u8 | length u16 | payload`
 * with payloads of at most FRAME_MAX bytes, so that a frame always fits one 4080-byte
 * restore chunk and the restore side can consume whole frames only (17.3.2
 * RestoreDataConsumed). A record longer than a frame is split over frames whose kind has
 * FRAME_CONTINUES set. Records: HEADER (magic, version, compatibility data), PARTITION
 * (partition-wide MSRs, reference time), one VP per virtual processor, one SECTION per
 * registered save section; END carries the CRC-32 of every byte before it.
 */
import { ByteReader, ByteWriter } from './byte-stream'

export const STREAM_MAGIC = 0x53535648 // "HVSS"
export const STREAM_VERSION = 1
export const FRAME_HEADER = 3
export const FRAME_MAX = 4077
export const FRAME_CONTINUES = 0x80

export const FrameKind = { Header: 1, Partition: 2, Vp: 3, Section: 4, End: 0x7f } as const

/** Compatibility data recorded at save time and checked at restore (17.1.3 summary state). */
export interface StreamHeader {
  version: number
  summary: boolean
  /** False for a system-only summary (PartitionId 0). */
  hasPartition: boolean
  vendor: number
  processorFeatures: bigint
  xsaveFeatures: bigint
  clflushSize: bigint
  hardwareFeatures: number
  /** Bytes of per-VP extended state (FXSAVE area 512, +64 XSAVE header, +256 AVX). */
  xsaveAreaSize: number
  /** OR of every VP's XCR0. */
  xcr0Union: bigint
  vps: Array<{ index: number; flags: number }>
}

export function encodeHeader(h: StreamHeader): Uint8Array {
  const w = new ByteWriter().u32(STREAM_MAGIC).u16(h.version).u8(h.summary ? 1 : 0).u8(h.hasPartition ? 1 : 0)
  w.u32(h.vendor).u64(h.processorFeatures).u64(h.xsaveFeatures).u64(h.clflushSize).u32(h.hardwareFeatures)
  w.u32(h.xsaveAreaSize).u64(h.xcr0Union).u32(h.vps.length)
  for (const v of h.vps) w.u32(v.index).u32(v.flags)
  return w.finish()
}

/** Decode a header; 'magic' / 'version' name the check that failed. Throws TruncatedError when short. */
export function decodeHeader(payload: Uint8Array): StreamHeader | 'magic' | 'version' {
  const r = new ByteReader(payload)
  if (r.u32('magic') !== STREAM_MAGIC) return 'magic'
  const version = r.u16('version')
  if (version !== STREAM_VERSION) return 'version'
  const summary = r.u8() === 1
  const hasPartition = r.u8() === 1
  const h: StreamHeader = {
    version, summary, hasPartition, vendor: r.u32(), processorFeatures: r.u64(), xsaveFeatures: r.u64(), clflushSize: r.u64(),
    hardwareFeatures: r.u32(), xsaveAreaSize: r.u32(), xcr0Union: r.u64(), vps: [],
  }
  const n = r.u32('vp count')
  if (n > 0xffff) throw new RangeError('VP count out of range')
  for (let i = 0; i < n; i++) h.vps.push({ index: r.u32('vp index'), flags: r.u32('vp flags') })
  if (r.remaining !== 0) throw new RangeError('trailing bytes in header')
  return h
}

/** Append `payload` as one record of `kind`, split over as many frames as it needs. */
export function writeRecord(out: ByteWriter, kind: number, payload: Uint8Array): void {
  let at = 0
  do {
    const n = Math.min(FRAME_MAX, payload.length - at)
    const more = at + n < payload.length
    out.u8(kind | (more ? FRAME_CONTINUES : 0)).u16(n).bytes(payload.subarray(at, at + n))
    at += n
  } while (at < payload.length)
}

/** XSAVE area size implied by HV_PARTITION_PROCESSOR_XSAVE_FEATURES (bit 0 XSAVE, bit 2 AVX). */
export function xsaveAreaSizeFor(xsaveFeatures: bigint): number {
  return 512 + (xsaveFeatures & 1n ? 64 : 0) + (xsaveFeatures & 4n ? 256 : 0)
}
