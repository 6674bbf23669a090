/**
 * The x87/SSE register state image: FXSAVE/FXRSTOR (512-byte legacy area, Intel SDM
 * vol. 1, 10.5.1 "FXSAVE area"), the XSAVE/XRSTOR subset for XCR0 = x87|SSE (legacy area
 * plus the XSAVE header, SDM vol. 1 ch. 13) and conversion between the 80-bit extended
 * format and the doubles the interpreter computes with (x87 values keep double
 * precision: a documented deviation).
 */
import type { CpuState } from './cpu-state'
import { Mode } from './constants'
import { gp } from './faults'
import { rd, wr, probeWrite } from './mmu'

const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)

/** Encode `v` as 80-bit extended into bytes[off..off+10). */
export function f64ToF80(v: number, bytes: Uint8Array, off: number): void {
  f64[0] = v
  const lo = u32[0], hi = u32[1]
  const sign = hi >>> 31
  const exp = (hi >>> 20) & 0x7ff
  let mantHi: number, mantLo: number, e: number
  if (exp === 0 && (hi & 0xfffff) === 0 && lo === 0) { mantHi = 0; mantLo = 0; e = 0 } else if (exp === 0x7ff) {
    e = 0x7fff
    mantHi = (0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21)) >>> 0
    mantLo = (lo << 11) >>> 0
  } else if (exp === 0) {
    // double denormal: normalise into the wider exponent range
    let m = (hi & 0xfffff) * 4294967296 + lo
    let ex = 1 - 1023 + 16383
    while (m < 2 ** 52) { m *= 2; ex-- }
    const mh = Math.floor(m / 4294967296), ml = m % 4294967296
    mantHi = (0x80000000 | ((mh & 0xfffff) << 11) | (ml >>> 21)) >>> 0
    mantLo = (ml * 2048) % 4294967296
    e = ex
  } else {
    e = exp - 1023 + 16383
    mantHi = (0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21)) >>> 0
    mantLo = (lo << 11) >>> 0
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset)
  dv.setUint32(off, mantLo, true)
  dv.setUint32(off + 4, mantHi, true)
  dv.setUint16(off + 8, (sign << 15) | e, true)
}

/** Decode 80-bit extended from (mantLo, mantHi, signExp) into a double. */
export function f80ToF64(mantLo: number, mantHi: number, se: number): number {
  const sign = (se & 0x8000) !== 0 ? -1 : 1
  const e = se & 0x7fff
  const m = (mantHi >>> 0) * 4294967296 + (mantLo >>> 0)
  if (e === 0 && m === 0) return sign * 0
  if (e === 0x7fff) return (mantHi & 0x7fffffff) === 0 && mantLo === 0 ? sign * Infinity : NaN
  return sign * m * 2 ** (e - 16383 - 63)
}

const img = new Uint8Array(512)
const imgView = new DataView(img.buffer)

/** Build the 512-byte FXSAVE image of the current state. */
export function buildFxImage(c: CpuState, out: Uint8Array = img): Uint8Array {
  const v = new DataView(out.buffer, out.byteOffset, 512)
  out.fill(0, 0, 512)
  v.setUint16(0, c.fpCw, true)
  v.setUint16(2, (c.fpSw & ~0x3800) | ((c.fpTop & 7) << 11), true)
  v.setUint8(4, c.fpTag & 0xff)
  v.setUint16(6, c.fpOp, true)
  v.setUint32(8, c.fpIp >>> 0, true)
  v.setUint32(16, c.fpDp >>> 0, true)
  v.setUint32(24, c.mxcsr, true)
  v.setUint32(28, 0xffff, true)
  for (let i = 0; i < 8; i++) f64ToF80(c.fpr[(c.fpTop + i) & 7], out, 32 + i * 16)
  for (let i = 0; i < 64; i++) v.setInt32(160 + i * 4, c.xmm[i], true)
  return out
}

/** Load state from a 512-byte FXSAVE image; returns false when MXCSR has reserved bits. */
export function loadFxImage(c: CpuState, src: Uint8Array): boolean {
  const v = new DataView(src.buffer, src.byteOffset, 512)
  const mx = v.getUint32(24, true)
  if ((mx & ~0xffff) !== 0) return false
  c.fpCw = v.getUint16(0, true)
  const sw = v.getUint16(2, true)
  c.fpTop = (sw >> 11) & 7
  c.fpSw = sw & ~0x3800
  c.fpTag = v.getUint8(4)
  c.fpOp = v.getUint16(6, true)
  c.fpIp = v.getUint32(8, true)
  c.fpDp = v.getUint32(16, true)
  c.mxcsr = mx
  for (let i = 0; i < 8; i++) {
    const o = 32 + i * 16
    c.fpr[(c.fpTop + i) & 7] = f80ToF64(v.getUint32(o, true), v.getUint32(o + 4, true), v.getUint16(o + 8, true))
  }
  for (let i = 0; i < 64; i++) c.xmm[i] = v.getInt32(160 + i * 4, true)
  return true
}

function xmmCount(c: CpuState): number {
  return c.mode === Mode.Long64 ? 16 : 8
}

export function fxsave(c: CpuState, a: number): void {
  probeWrite(c, a, 8)
  probeWrite(c, a + 504, 8)
  buildFxImage(c, img)
  const n = 160 + xmmCount(c) * 16
  for (let i = 0; i < n; i += 4) wr(c, a + i, 4, imgView.getInt32(i, true), 0)
}

function readImage(c: CpuState, a: number): void {
  for (let i = 0; i < 512; i += 4) imgView.setInt32(i, rd(c, a + i, 4), true)
}

export function fxrstor(c: CpuState, a: number): void {
  readImage(c, a)
  const keep = xmmCount(c) === 8 ? c.xmm.slice(32) : undefined
  if (!loadFxImage(c, img)) gp(0)
  if (keep) c.xmm.set(keep, 32)
}

/** XSAVE for XCR0 = x87|SSE: legacy area plus XSTATE_BV in the header. */
export function xsave(c: CpuState, a: number): void {
  const rfbm = c.xcr0Lo & c.r[0] & 3
  probeWrite(c, a + 512, 8)
  fxsave(c, a)
  const bv = rd(c, a + 512, 4)
  wr(c, a + 512, 4, (bv & ~3) | rfbm, 0)
}

export function xrstor(c: CpuState, a: number): void {
  const rfbm = c.xcr0Lo & c.r[0] & 3
  const bv = rd(c, a + 512, 4)
  const comp = rd(c, a + 516 + 4, 4)
  if ((comp & 0x80000000) !== 0 || (bv & ~3) !== 0) gp(0)
  readImage(c, a)
  const saved = buildFxImage(c, new Uint8Array(512))
  if (!loadFxImage(c, img)) gp(0)
  // components not requested keep their state; requested but not in XSTATE_BV are initialised
  if ((rfbm & 1) === 0) { const x = c.xmm.slice(); loadFxImage(c, saved); c.xmm.set(x); c.mxcsr = imgView.getUint32(24, true) }
  if ((rfbm & 2) === 0) { const s = new Int32Array(saved.buffer, 160, 64); c.xmm.set(s) }
  if ((rfbm & 1) !== 0 && (bv & 1) === 0) { c.fpCw = 0x37f; c.fpSw = 0; c.fpTop = 0; c.fpTag = 0; c.fpr.fill(0) }
  if ((rfbm & 2) !== 0 && (bv & 2) === 0) c.xmm.fill(0)
}
