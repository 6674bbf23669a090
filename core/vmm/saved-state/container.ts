/**
 * The VM saved-state container, format version 1 (ARCHITECTURE "A saved VM"): magic
 * "HVMSAVE\0", u32 format version, u32 section count, then per section a u16-length ASCII
 * name, u32 data length, u32 CRC-32 of the data and the data; the file ends with the CRC-32
 * of every byte before it. Decoding never trusts the input: any inconsistency is a
 * `SavedStateError` with a reason a user can act on, and nothing is applied.
 */
import { ByteReader, ByteWriter, TruncatedError } from '../../hypervisor/save-restore/byte-stream'
import { crc32 } from '../../hypervisor/save-restore/crc32'

export const CONTAINER_MAGIC = Uint8Array.from([0x48, 0x56, 0x4d, 0x53, 0x41, 0x56, 0x45, 0x00]) // "HVMSAVE\0"
export const CONTAINER_VERSION = 1
/** Versions this build can read (every released format must stay readable). */
export const READABLE_CONTAINER_VERSIONS: readonly number[] = [1]

export class SavedStateError extends Error {
  constructor(reason: string) {
    super(`saved state rejected: ${reason}`)
    this.name = 'SavedStateError'
  }
}

export interface ContainerSection {
  name: string
  data: Uint8Array
}

export function encodeContainer(sections: readonly ContainerSection[], version = CONTAINER_VERSION): Uint8Array {
  const w = new ByteWriter().bytes(CONTAINER_MAGIC).u32(version).u32(sections.length)
  for (const s of sections) w.str(s.name).u32(s.data.length).u32(crc32(s.data)).bytes(s.data)
  const body = w.finish()
  return new ByteWriter().bytes(body).u32(crc32(body)).finish()
}

export interface DecodedContainer {
  version: number
  sections: Map<string, Uint8Array>
}

export function decodeContainer(bytes: Uint8Array): DecodedContainer {
  if (bytes.length < CONTAINER_MAGIC.length + 12) throw new SavedStateError('the file is too short to be a saved state (truncated?)')
  for (let i = 0; i < CONTAINER_MAGIC.length; i++) {
    if (bytes[i] !== CONTAINER_MAGIC[i]) throw new SavedStateError('this is not an HV Manager saved-state file (bad magic)')
  }
  const r = new ByteReader(bytes)
  r.bytes(CONTAINER_MAGIC.length)
  const version = r.u32()
  if (!READABLE_CONTAINER_VERSIONS.includes(version)) {
    throw new SavedStateError(`format version ${version} is not supported by this version of HV Manager (reads ${READABLE_CONTAINER_VERSIONS.join(', ')})`)
  }
  const body = bytes.subarray(0, bytes.length - 4)
  const want = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true)
  if (crc32(body) !== want) throw new SavedStateError('the file is corrupt or truncated (whole-file checksum mismatch)')
  const sections = new Map<string, Uint8Array>()
  try {
    const br = new ByteReader(body)
    br.bytes(CONTAINER_MAGIC.length + 4)
    const count = br.u32('section count')
    for (let i = 0; i < count; i++) {
      const name = br.str('section name')
      const len = br.u32('section length')
      const crc = br.u32('section checksum')
      const data = br.bytes(len, `section ${name}`)
      if (crc32(data) !== crc) throw new SavedStateError(`section "${name}" is corrupt (checksum mismatch)`)
      if (sections.has(name)) throw new SavedStateError(`section "${name}" appears twice`)
      sections.set(name, data)
    }
    if (br.remaining !== 0) throw new SavedStateError('unexpected bytes after the last section')
  } catch (e) {
    if (e instanceof TruncatedError) throw new SavedStateError(`the file is truncated (${e.message})`)
    throw e
  }
  return { version, sections }
}
