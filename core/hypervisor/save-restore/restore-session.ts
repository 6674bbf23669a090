/**
 * The restore side of the chunked protocol (TLFS 17.3.2): a session accumulates whole
 * frames from the chunks the parent presents (a frame cut by the chunk end is not consumed;
 * the parent presents those bytes again), checks the header as soon as it arrives, and
 * applies nothing until END proves the stream intact (CRC-32) and every record and section
 * checked out — so a corrupt or incompatible stream leaves the partition unchanged. A
 * summary session (17.1.3) checks compatibility only and ends with HvStateRestorable.
 * DECISION (ch. 7 pools): the restore context of each VP record the session holds costs
 * RESTORE_VP_CONTEXT_PAGES of the target's pool, drawn as the record arrives; a pool that
 * cannot supply them ends the restore with HvStateProcessorInsufficientMemory (the parent
 * deposits more and starts again). The pages go back to the pool when the session ends.
 */
import type { Hypervisor } from '../hypervisor'
import { writeGuestOsId, writeHypercallMsr } from '../hypercall-page'
import type { Partition } from '../partition'
import { ByteReader } from './byte-stream'
import { checkCompatibility } from './compatibility'
import { crc32 } from './crc32'
import { setPartitionReferenceTime } from './reference-time'
import { checkSavedSection, saveSection } from './save-sections'
import { HvSaveRestoreStateResult as R, type HvSaveRestoreStateResult } from './save-restore-types'
import { describeTarget } from './stream-save'
import { decodeHeader, FRAME_CONTINUES, FRAME_HEADER, FrameKind, type StreamHeader } from './stream-format'
import { readVpSnapshot, type VpSnapshot } from './vp-snapshot'

export interface FeedResult {
  result: HvSaveRestoreStateResult
  consumed: number
}

interface SavedSectionRecord { name: string; version: number; data: Uint8Array }

/** Pool pages one VP's restore context holds while a full restore is in progress (DECISION). */
export const RESTORE_VP_CONTEXT_PAGES = 1

export class RestoreSession {
  private crc = 0
  private pendingKind = 0
  private pending: Uint8Array[] = []
  private header: StreamHeader | null = null
  private partitionRecord: { guestOsId: bigint; hypercallMsr: bigint; referenceTime: number } | null = null
  private readonly vps: VpSnapshot[] = []
  private readonly sections: SavedSectionRecord[] = []
  /** Pool pages of the target held by this session. */
  private held = 0

  constructor(
    private readonly hv: Hypervisor,
    /** The partition restored into (null: system summary check, PartitionId 0). */
    private readonly target: Partition | null,
    readonly summary: boolean,
  ) {}

  /** The session ends (final result, or abandoned by a new START): its pool pages go back. */
  dispose(): void {
    if (this.held > 0 && this.target) this.target.release(this.held)
    this.held = 0
  }

  /** Consume whole frames of `data`; a final result other than Incomplete ends the session. */
  feed(data: Uint8Array): FeedResult {
    let at = 0
    while (at + FRAME_HEADER <= data.length) {
      const kind = data[at]
      const len = data[at + 1] | (data[at + 2] << 8)
      if (at + FRAME_HEADER + len > data.length) break // cut by the chunk end: present it again
      const frame = data.subarray(at, at + FRAME_HEADER + len)
      const payload = frame.subarray(FRAME_HEADER)
      at += frame.length
      if ((kind & ~FRAME_CONTINUES) === FrameKind.End) {
        const result = this.end(payload, at !== data.length)
        return { result, consumed: at }
      }
      this.crc = crc32(frame, this.crc)
      let result: HvSaveRestoreStateResult
      try {
        result = this.frame(kind, payload)
      } catch {
        result = R.HvStateCorruptData // truncated or malformed record
      }
      if (result !== R.HvStateIncomplete) return { result, consumed: at }
    }
    return { result: R.HvStateIncomplete, consumed: at }
  }

  private frame(kind: number, payload: Uint8Array): HvSaveRestoreStateResult {
    const base = kind & ~FRAME_CONTINUES
    if (this.pending.length > 0 && base !== this.pendingKind) return R.HvStateCorruptData
    this.pendingKind = base
    this.pending.push(payload.slice())
    if (kind & FRAME_CONTINUES) return R.HvStateIncomplete
    const parts = this.pending
    this.pending = []
    const total = parts.reduce((n, p) => n + p.length, 0)
    const record = new Uint8Array(total)
    let o = 0
    for (const p of parts) (record.set(p, o), (o += p.length))
    return this.record(base, record)
  }

  private record(kind: number, record: Uint8Array): HvSaveRestoreStateResult {
    if (kind === FrameKind.Header) {
      if (this.header) return R.HvStateCorruptData
      const h = decodeHeader(record)
      if (h === 'magic') return R.HvStateCorruptData
      if (h === 'version') return R.HvStateUnsupportedVersion
      // A full restore needs a full stream of a partition; a summary check accepts either.
      if (!this.summary && (h.summary || !h.hasPartition)) return R.HvStateCorruptData
      const targetInfo = describeTarget(this.hv, this.target, true)
      const compat = checkCompatibility(h, targetInfo, this.target !== null && h.hasPartition)
      if (compat !== R.HvStateComplete) return compat
      this.header = h
      return R.HvStateIncomplete
    }
    if (!this.header) return R.HvStateCorruptData // the header comes first
    const r = new ByteReader(record)
    switch (kind) {
      case FrameKind.Partition:
        if (this.partitionRecord) return R.HvStateCorruptData
        this.partitionRecord = { guestOsId: r.u64(), hypercallMsr: r.u64(), referenceTime: r.num() }
        break
      case FrameKind.Vp:
        this.vps.push(readVpSnapshot(r))
        if (!this.summary && this.target) {
          if (!this.target.allocate(RESTORE_VP_CONTEXT_PAGES)) return R.HvStateProcessorInsufficientMemory
          this.held += RESTORE_VP_CONTEXT_PAGES
        }
        break
      case FrameKind.Section:
        this.sections.push({ name: r.str('section name'), version: r.u16('section version'), data: r.blob('section data') })
        break
      default:
        return R.HvStateCorruptData // unknown record
    }
    return r.remaining === 0 ? R.HvStateIncomplete : R.HvStateCorruptData
  }

  private end(payload: Uint8Array, trailing: boolean): HvSaveRestoreStateResult {
    if (trailing || payload.length !== 4 || this.pending.length > 0 || !this.header) return R.HvStateCorruptData
    const want = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true)
    if (want !== this.crc) return R.HvStateCorruptData
    if (this.summary) return R.HvStateRestorable
    const t = this.target!
    const rec = this.partitionRecord
    if (!rec) return R.HvStateCorruptData
    // Exactly one VP record per VP of the header, each naming a VP of the target.
    const seen = new Set<number>()
    for (const s of this.vps) {
      if (seen.has(s.index) || !this.header.vps.some((v) => v.index === s.index) || !t.vp(s.index)) return R.HvStateCorruptData
      seen.add(s.index)
    }
    if (seen.size !== this.header.vps.length) return R.HvStateCorruptData
    if (rec.hypercallMsr >> 12n >= BigInt(t.space?.pageCount ?? 0)) return R.HvStateCorruptData
    for (const s of this.sections) {
      const res = checkSavedSection(t, s.name, s.version, s.data, this.hv)
      if (res !== R.HvStateComplete) return res
    }
    this.apply(t, rec)
    return R.HvStateComplete
  }

  private apply(t: Partition, rec: { guestOsId: bigint; hypercallMsr: bigint; referenceTime: number }): void {
    writeGuestOsId(t, rec.guestOsId)
    writeHypercallMsr(t, rec.hypercallMsr)
    setPartitionReferenceTime(this.hv, t, rec.referenceTime)
    for (const s of this.vps) s.apply(t.vp(s.index)!)
    for (const s of this.sections) saveSection(s.name)!.restore(t, s.data, s.version, this.hv)
  }
}
