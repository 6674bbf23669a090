/**
 * The bench guest under QEMU TCG: its printed results are recomputed here independently
 * (same xorshift64 data, CRC-32 via a JS table, JS sort, prime count), so the test proves
 * the guest computed them, and its exit code must be isa-debug-exit's (0 << 1) | 1.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureGuestsBuilt } from './ensure-built'
import { qemuUnavailableReason, runQemu } from './run-qemu'

const MIB = 1024 * 1024
const MASK64 = (1n << 64n) - 1n

function xorshift(seed: bigint): () => bigint {
  let x = seed
  return () => {
    x ^= (x << 13n) & MASK64
    x ^= x >> 7n
    x ^= (x << 17n) & MASK64
    return x
  }
}

function expectedCrc(bytes: number): string {
  const next = xorshift(0x9e3779b97f4a7c15n)
  const buf = Buffer.alloc(bytes)
  for (let i = 0; i < bytes / 8; i++) buf.writeBigUInt64LE(next(), i * 8)
  const table = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[i] = c >>> 0
  }
  let c = 0xffffffff
  for (let i = 0; i < bytes; i++) c = (table[(c ^ buf[i]) & 0xff] ^ (c >>> 8)) >>> 0
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0')
}

function expectedSort(n: number): string {
  const next = xorshift(0xd1b54a32d192ed03n)
  const a = new Uint32Array(n)
  for (let i = 0; i < n; i++) a[i] = Number((next() >> 16n) & 0xffffffffn)
  a.sort()
  let weighted = 0n
  for (let i = 0; i < n; i++) weighted = (weighted * 31n + BigInt(a[i])) & MASK64
  const hex = (v: number): string => v.toString(16).padStart(8, '0')
  return `sort ${n} values min ${hex(a[0])} max ${hex(a[n - 1])} checksum ${weighted.toString(16).padStart(16, '0')} ok`
}

function expectedSieve(limit: number): string {
  const composite = new Uint8Array(limit + 1)
  let count = 0
  let last = 0
  for (let i = 2; i <= limit; i++) {
    if (composite[i]) continue
    count++
    last = i
    for (let j = i * i; j <= limit; j += i) composite[j] = 1
  }
  return `sieve ${limit} primes ${count} largest ${last}`
}

const reason = qemuUnavailableReason()
if (reason) console.log(`skipping QEMU guest tests: ${reason}`)

describe.skipIf(reason !== null)('bench guest under QEMU', () => {
  beforeAll(() => {
    ensureGuestsBuilt(['bench'])
  })

  it('prints checksums that match an independent computation and exits 1', async () => {
    const r = await runQemu('bench', { append: 'scale=1', timeoutMs: 30_000 })
    expect(r.exitCode).toBe(1)
    expect(r.stdout.split('\r\n')).toEqual([
      'HV Manager bench guest',
      'scale 1',
      `crc32 ${expectedCrc(MIB)} over ${MIB} bytes`,
      expectedSort(MIB / 4),
      expectedSieve(MIB),
      'bench done',
      '',
    ])
  })

  it('refuses a scale that does not fit in RAM with exit status 2', async () => {
    const r = await runQemu('bench', { append: 'scale=100000', timeoutMs: 10_000 })
    expect(r.stdout).toMatch(/bad scale 100000 \(1\.\.\d+ fits in RAM\)/)
    expect(r.exitCode).toBe(5)
  })
})
