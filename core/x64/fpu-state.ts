/**
 * The x87/SSE register state image: FXSAVE/FXRSTOR (512-byte legacy area, Intel SDM
 * vol. 1, 10.5.1 "FXSAVE area"), the XSAVE/XRSTOR subset for XCR0 = x87|SSE (legacy area
 * plus the XSAVE header, SDM vol. 1 ch. 13). The x87 registers are stored as the raw
 * 80-bit values the FPU holds (x87-stack.ts), with the abridged tag byte.
 */
import type { CpuState } from './cpu-state'
import { Mode } from './constants'
import { gp } from './faults'
import { rd, wr, probeWrite } from './mmu'

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
  for (let i = 0; i < 8; i++) {
    const o = 32 + i * 16, p = ((c.fpTop + i) & 7) * 3
    v.setUint32(o, c.fpr[p], true)
    v.setUint32(o + 4, c.fpr[p + 1], true)
    v.setUint16(o + 8, c.fpr[p + 2], true)
  }
  for (let i = 0; i < 64; i++) v.setInt32(160 + i * 4, c.xmm[i], true)
  return out
}

/** Load state from a 512-byte FXSAVE image; returns false when MXCSR has reserved bits. */
export function loadFxImage(c: CpuState, src: Uint8Array): boolean {
  const v = new DataView(src.buffer, src.byteOffset, 512)
  const mx = v.getUint32(24, true)
  if ((mx & ~0xffff) !== 0) return false
  c.fpCw = (v.getUint16(0, true) & 0x1f3f) | 0x40
  const sw = v.getUint16(2, true)
  c.fpTop = (sw >> 11) & 7
  c.fpSw = sw & ~0x3800
  c.fpTag = v.getUint8(4)
  c.fpOp = v.getUint16(6, true)
  c.fpIp = v.getUint32(8, true)
  c.fpDp = v.getUint32(16, true)
  c.mxcsr = mx
  for (let i = 0; i < 8; i++) {
    const o = 32 + i * 16, p = ((c.fpTop + i) & 7) * 3
    c.fpr[p] = v.getUint32(o, true)
    c.fpr[p + 1] = v.getUint32(o + 4, true)
    c.fpr[p + 2] = v.getUint16(o + 8, true)
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
