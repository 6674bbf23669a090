/**
 * Packed-integer lane arithmetic for SSE2 (PADDx/PSUBx incl. saturating forms, PCMPEQ/
 * PCMPGT, PMULL/PMULH, PMULUDQ, PMADDWD, PSADBW, PMIN/PMAX, PAVG, logic, packs and
 * unpacks, shifts) on a destination XMM register and a 16-byte source (Intel SDM vol. 2,
 * "PADDB/PADDW/PADDD/PADDQ" and neighbours).
 */
import type { CpuState } from './cpu-state'

/** The 16-byte source operand, with typed views. */
export const src = new Int32Array(4)
export const srcU8 = new Uint8Array(src.buffer)
export const srcI8 = new Int8Array(src.buffer)
export const srcU16 = new Uint16Array(src.buffer)
export const srcI16 = new Int16Array(src.buffer)
export const srcU32 = new Uint32Array(src.buffer)
export const srcF32 = new Float32Array(src.buffer)
export const srcF64 = new Float64Array(src.buffer)
const tmp = new Int32Array(4)
const tmpU8 = new Uint8Array(tmp.buffer)
const tmpI16 = new Int16Array(tmp.buffer)
const tmpU16 = new Uint16Array(tmp.buffer)

const satS8 = (v: number) => (v > 127 ? 127 : v < -128 ? -128 : v)
const satU8 = (v: number) => (v > 255 ? 255 : v < 0 ? 0 : v)
const satS16 = (v: number) => (v > 32767 ? 32767 : v < -32768 ? -32768 : v)
const satU16 = (v: number) => (v > 65535 ? 65535 : v < 0 ? 0 : v)

/** Execute 66 0F `op` (an integer opcode) on xmm[d] with `src`. Returns false if not one. */
export function intOp(c: CpuState, op: number, d: number): boolean {
  const u8 = c.xmmU8, i8 = c.xmmI8, u16 = c.xmmU16, i16 = c.xmmI16, x = c.xmm
  const o8 = d * 16, o16 = d * 8, o32 = d * 4
  switch (op) {
    case 0xfc: for (let i = 0; i < 16; i++) u8[o8 + i] = u8[o8 + i] + srcU8[i]; return true
    case 0xfd: for (let i = 0; i < 8; i++) u16[o16 + i] = u16[o16 + i] + srcU16[i]; return true
    case 0xfe: for (let i = 0; i < 4; i++) x[o32 + i] = (x[o32 + i] + src[i]) | 0; return true
    case 0xd4: for (let i = 0; i < 4; i += 2) { const t = (x[o32 + i] >>> 0) + (src[i] >>> 0); x[o32 + i] = t | 0; x[o32 + i + 1] = (x[o32 + i + 1] + src[i + 1] + (t > 0xffffffff ? 1 : 0)) | 0 } return true
    case 0xf8: for (let i = 0; i < 16; i++) u8[o8 + i] = u8[o8 + i] - srcU8[i]; return true
    case 0xf9: for (let i = 0; i < 8; i++) u16[o16 + i] = u16[o16 + i] - srcU16[i]; return true
    case 0xfa: for (let i = 0; i < 4; i++) x[o32 + i] = (x[o32 + i] - src[i]) | 0; return true
    case 0xfb: for (let i = 0; i < 4; i += 2) { const t = (x[o32 + i] >>> 0) - (src[i] >>> 0); x[o32 + i] = t | 0; x[o32 + i + 1] = (x[o32 + i + 1] - src[i + 1] - (t < 0 ? 1 : 0)) | 0 } return true
    case 0xec: for (let i = 0; i < 16; i++) i8[o8 + i] = satS8(i8[o8 + i] + srcI8[i]); return true
    case 0xed: for (let i = 0; i < 8; i++) i16[o16 + i] = satS16(i16[o16 + i] + srcI16[i]); return true
    case 0xdc: for (let i = 0; i < 16; i++) u8[o8 + i] = satU8(u8[o8 + i] + srcU8[i]); return true
    case 0xdd: for (let i = 0; i < 8; i++) u16[o16 + i] = satU16(u16[o16 + i] + srcU16[i]); return true
    case 0xe8: for (let i = 0; i < 16; i++) i8[o8 + i] = satS8(i8[o8 + i] - srcI8[i]); return true
    case 0xe9: for (let i = 0; i < 8; i++) i16[o16 + i] = satS16(i16[o16 + i] - srcI16[i]); return true
    case 0xd8: for (let i = 0; i < 16; i++) u8[o8 + i] = satU8(u8[o8 + i] - srcU8[i]); return true
    case 0xd9: for (let i = 0; i < 8; i++) u16[o16 + i] = satU16(u16[o16 + i] - srcU16[i]); return true
    case 0x74: for (let i = 0; i < 16; i++) u8[o8 + i] = u8[o8 + i] === srcU8[i] ? 0xff : 0; return true
    case 0x75: for (let i = 0; i < 8; i++) u16[o16 + i] = u16[o16 + i] === srcU16[i] ? 0xffff : 0; return true
    case 0x76: for (let i = 0; i < 4; i++) x[o32 + i] = x[o32 + i] === src[i] ? -1 : 0; return true
    case 0x64: for (let i = 0; i < 16; i++) u8[o8 + i] = i8[o8 + i] > srcI8[i] ? 0xff : 0; return true
    case 0x65: for (let i = 0; i < 8; i++) u16[o16 + i] = i16[o16 + i] > srcI16[i] ? 0xffff : 0; return true
    case 0x66: for (let i = 0; i < 4; i++) x[o32 + i] = x[o32 + i] > src[i] ? -1 : 0; return true
    case 0xd5: for (let i = 0; i < 8; i++) i16[o16 + i] = Math.imul(i16[o16 + i], srcI16[i]); return true
    case 0xe5: for (let i = 0; i < 8; i++) i16[o16 + i] = (i16[o16 + i] * srcI16[i]) >> 16; return true
    case 0xe4: for (let i = 0; i < 8; i++) u16[o16 + i] = Math.floor((u16[o16 + i] * srcU16[i]) / 65536); return true
    case 0xf4: { // PMULUDQ
      for (let i = 0; i < 4; i += 2) {
        const a = x[o32 + i] >>> 0, b = src[i] >>> 0
        const lo = Math.imul(a, b)
        const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16
        const mid = ((al * bl) >>> 16) + (ah * bl & 0xffff) + (al * bh & 0xffff)
        x[o32 + i + 1] = (ah * bh + Math.floor(ah * bl / 65536) + Math.floor(al * bh / 65536) + Math.floor(mid / 65536)) | 0
        x[o32 + i] = lo
      }
      return true
    }
    case 0xf5: for (let i = 0; i < 4; i++) x[o32 + i] = (i16[o16 + 2 * i] * srcI16[2 * i] + i16[o16 + 2 * i + 1] * srcI16[2 * i + 1]) | 0; return true
    case 0xf6: { // PSADBW
      for (let h = 0; h < 2; h++) {
        let s = 0
        for (let i = 0; i < 8; i++) s += Math.abs(u8[o8 + h * 8 + i] - srcU8[h * 8 + i])
        x[o32 + h * 2] = s; x[o32 + h * 2 + 1] = 0
      }
      return true
    }
    case 0xda: for (let i = 0; i < 16; i++) u8[o8 + i] = Math.min(u8[o8 + i], srcU8[i]); return true
    case 0xde: for (let i = 0; i < 16; i++) u8[o8 + i] = Math.max(u8[o8 + i], srcU8[i]); return true
    case 0xea: for (let i = 0; i < 8; i++) i16[o16 + i] = Math.min(i16[o16 + i], srcI16[i]); return true
    case 0xee: for (let i = 0; i < 8; i++) i16[o16 + i] = Math.max(i16[o16 + i], srcI16[i]); return true
    case 0xe0: for (let i = 0; i < 16; i++) u8[o8 + i] = (u8[o8 + i] + srcU8[i] + 1) >> 1; return true
    case 0xe3: for (let i = 0; i < 8; i++) u16[o16 + i] = (u16[o16 + i] + srcU16[i] + 1) >> 1; return true
    case 0xdb: for (let i = 0; i < 4; i++) x[o32 + i] &= src[i]; return true
    case 0xdf: for (let i = 0; i < 4; i++) x[o32 + i] = ~x[o32 + i] & src[i]; return true
    case 0xeb: for (let i = 0; i < 4; i++) x[o32 + i] |= src[i]; return true
    case 0xef: for (let i = 0; i < 4; i++) x[o32 + i] ^= src[i]; return true
    case 0x60: case 0x68: { // PUNPCKLBW / PUNPCKHBW
      const base = op === 0x60 ? 0 : 8
      for (let i = 0; i < 8; i++) { tmpU8[2 * i] = u8[o8 + base + i]; tmpU8[2 * i + 1] = srcU8[base + i] }
      x.set(tmp, o32); return true
    }
    case 0x61: case 0x69: {
      const base = op === 0x61 ? 0 : 4
      for (let i = 0; i < 4; i++) { tmpU16[2 * i] = u16[o16 + base + i]; tmpU16[2 * i + 1] = srcU16[base + i] }
      x.set(tmp, o32); return true
    }
    case 0x62: case 0x6a: {
      const base = op === 0x62 ? 0 : 2
      tmp[0] = x[o32 + base]; tmp[1] = src[base]; tmp[2] = x[o32 + base + 1]; tmp[3] = src[base + 1]
      x.set(tmp, o32); return true
    }
    case 0x6c: x[o32 + 2] = src[0]; x[o32 + 3] = src[1]; return true
    case 0x6d: x[o32] = x[o32 + 2]; x[o32 + 1] = x[o32 + 3]; x[o32 + 2] = src[2]; x[o32 + 3] = src[3]; return true
    case 0x63: case 0x67: { // PACKSSWB / PACKUSWB
      const sat = op === 0x63 ? satS8 : satU8
      for (let i = 0; i < 8; i++) tmpU8[i] = sat(i16[o16 + i]) & 0xff
      for (let i = 0; i < 8; i++) tmpU8[8 + i] = sat(srcI16[i]) & 0xff
      x.set(tmp, o32); return true
    }
    case 0x6b: { // PACKSSDW
      for (let i = 0; i < 4; i++) tmpI16[i] = satS16(x[o32 + i])
      for (let i = 0; i < 4; i++) tmpI16[4 + i] = satS16(src[i])
      x.set(tmp, o32); return true
    }
    case 0xd1: case 0xd2: case 0xd3: case 0xe1: case 0xe2: case 0xf1: case 0xf2: case 0xf3: {
      const n = src[1] !== 0 || (src[0] >>> 0) > 255 ? 255 : src[0] & 0xff
      shiftLanes(c, d, op, n)
      return true
    }
    default: return false
  }
}

/** Packed shifts by `n` (register/immediate forms share this). `op` is the 66 0F Dx/Ex/Fx code. */
export function shiftLanes(c: CpuState, d: number, op: number, n: number): void {
  const u16 = c.xmmU16, i16 = c.xmmI16, x = c.xmm
  const o16 = d * 8, o32 = d * 4
  switch (op) {
    case 0xd1: for (let i = 0; i < 8; i++) u16[o16 + i] = n > 15 ? 0 : u16[o16 + i] >>> n; return
    case 0xf1: for (let i = 0; i < 8; i++) u16[o16 + i] = n > 15 ? 0 : u16[o16 + i] << n; return
    case 0xe1: for (let i = 0; i < 8; i++) i16[o16 + i] = i16[o16 + i] >> Math.min(n, 15); return
    case 0xd2: for (let i = 0; i < 4; i++) x[o32 + i] = n > 31 ? 0 : x[o32 + i] >>> n; return
    case 0xf2: for (let i = 0; i < 4; i++) x[o32 + i] = n > 31 ? 0 : x[o32 + i] << n; return
    case 0xe2: for (let i = 0; i < 4; i++) x[o32 + i] = x[o32 + i] >> Math.min(n, 31); return
    case 0xd3: case 0xf3:
      for (let i = 0; i < 4; i += 2) {
        const lo = x[o32 + i], hi = x[o32 + i + 1]
        let rl: number, rh: number
        if (n > 63) { rl = 0; rh = 0 } else if (n === 0) { rl = lo; rh = hi } else if (op === 0xd3) {
          if (n < 32) { rl = (lo >>> n) | (hi << (32 - n)); rh = hi >>> n } else { rl = hi >>> (n - 32); rh = 0 }
        } else if (n < 32) { rh = (hi << n) | (lo >>> (32 - n)); rl = lo << n } else { rh = lo << (n - 32); rl = 0 }
        x[o32 + i] = rl; x[o32 + i + 1] = rh
      }
      return
  }
}

/** PSRLDQ / PSLLDQ: byte shifts of the whole register. */
export function byteShift(c: CpuState, d: number, n: number, left: boolean): void {
  const u8 = c.xmmU8, o = d * 16
  for (let i = 0; i < 16; i++) tmpU8[i] = u8[o + i]
  for (let i = 0; i < 16; i++) {
    const j = left ? i - n : i + n
    u8[o + i] = j >= 0 && j < 16 ? tmpU8[j] : 0
  }
}
