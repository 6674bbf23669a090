/**
 * Producing the saved-state stream (TLFS 17.1.5, 17.3.1): the compatibility header of the
 * system (and of a partition unless PartitionId is 0), then for a full save the partition
 * record (GUEST_OS_ID, HYPERCALL MSR — whose Enable and GPFN locate the hypercall overlay —
 * and the reference time), one record per VP, every registered section, and END with the
 * CRC-32. State the parent sets explicitly (properties, mappings, intercepts, pool) is
 * not saved (17.1.5).
 */
import type { Hypervisor } from '../hypervisor'
import type { Partition } from '../partition'
import { HvPartitionProperty as P } from '../partition-properties'
import { ByteWriter } from './byte-stream'
import { crc32 } from './crc32'
import { registeredSaveSections } from './save-sections'
import { encodeHeader, FrameKind, STREAM_VERSION, writeRecord, xsaveAreaSizeFor, type StreamHeader } from './stream-format'
import { partitionReferenceTime } from './reference-time'
import { writeVpSnapshot } from './vp-snapshot'

/** The header describing `p` (or the system when `p` is the root / null). */
export function describeTarget(hv: Hypervisor, p: Partition | null, summary: boolean): StreamHeader {
  const src = p ?? hv.root
  const xsave = hv.readProperty(src, P.HvPartitionPropertyProcessorXsaveFeatures)
  const vps = p ? p.liveVps() : []
  let xcr0Union = 0n
  for (const vp of vps) xcr0Union |= vp.cpu.getXcr0()
  return {
    version: STREAM_VERSION,
    summary,
    hasPartition: p !== null,
    vendor: hv.config.processorVendor,
    processorFeatures: hv.readProperty(src, P.HvPartitionPropertyProcessorFeatures),
    xsaveFeatures: xsave,
    clflushSize: hv.readProperty(src, P.HvPartitionPropertyProcessorCLFlushSize),
    hardwareFeatures: hv.config.features.hardwareFeatures >>> 0,
    xsaveAreaSize: xsaveAreaSizeFor(xsave),
    xcr0Union,
    // HvCreateVp flags are reserved (10.5) so every VP was created with 0.
    vps: vps.map((vp) => ({ index: vp.index, flags: 0 })),
  }
}

/** The whole stream for a save of `p` (null: system summary). */
export function buildSaveStream(hv: Hypervisor, p: Partition | null, summary: boolean): Uint8Array {
  const out = new ByteWriter()
  writeRecord(out, FrameKind.Header, encodeHeader(describeTarget(hv, p, summary)))
  if (!summary && p) {
    const part = new ByteWriter().u64(p.guestOsId).u64(p.hypercallMsr).num(partitionReferenceTime(hv, p))
    writeRecord(out, FrameKind.Partition, part.finish())
    for (const vp of p.liveVps()) {
      const w = new ByteWriter()
      writeVpSnapshot(w, vp)
      writeRecord(out, FrameKind.Vp, w.finish())
    }
    for (const [name, section] of registeredSaveSections()) {
      const data = section.save(p, hv)
      if (data === null) continue
      writeRecord(out, FrameKind.Section, new ByteWriter().str(name).u16(section.version).blob(data).finish())
    }
  }
  const body = out.finish()
  const end = new ByteWriter()
  writeRecord(end, FrameKind.End, new ByteWriter().u32(crc32(body)).finish())
  const tail = end.finish()
  const all = new Uint8Array(body.length + tail.length)
  all.set(body)
  all.set(tail, body.length)
  return all
}
