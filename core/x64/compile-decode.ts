/**
 * Static decoding for the code cache: prefixes, REX, ModRM/SIB/displacement of one 64-bit
 * instruction read straight from guest RAM within one physical page, producing operand
 * descriptions (registers, or a memory operand as base/index/scale/disp) instead of
 * values — the closures built from them compute addresses when they run.
 * Intel SDM vol. 2, ch. 2.1-2.2.
 */

/** A memory operand: linear = [base] + [index] << scale + disp (+ FS/GS base), or RIP-absolute. */
export interface MemOp {
  base: number
  index: number
  scale: number
  disp: number
  seg: number
  /** RIP-relative: `abs` is the final address. */
  rip: boolean
  abs: number
  a32: boolean
}

export class StaticDecoder {
  ram: Uint8Array = new Uint8Array(0)
  pos = 0
  end = 0
  overrun = false
  // prefixes
  opSize = 4
  adSize = 8
  rex = 0
  rexW = false
  rexR = 0
  rexX = 0
  rexB = 0
  rep = 0
  pfx66 = false
  segOvr = -1
  lock = false
  // modrm
  modrm = 0
  mod = 0
  reg = 0
  rm = 0
  mem: MemOp | null = null

  u8(): number {
    if (this.pos >= this.end) { this.overrun = true; return 0 }
    return this.ram[this.pos++]
  }
  s8(): number { return (this.u8() << 24) >> 24 }
  u16(): number { return this.u8() | (this.u8() << 8) }
  s32(): number { return this.u8() | (this.u8() << 8) | (this.u8() << 16) | (this.u8() << 24) }

  /** Decode prefixes; returns the opcode byte (0x0F is returned as is). */
  prefixes(): number {
    // mem is per instruction: a stale RIP-relative operand would be re-resolved by finishRip.
    this.rep = 0; this.segOvr = -1; this.lock = false; this.rex = 0; this.mem = null
    let opOvr = false, adOvr = false
    let b = this.u8()
    for (let n = 0; n < 14; n++) {
      if (b === 0x66) opOvr = true
      else if (b === 0x67) adOvr = true
      else if (b === 0xf3 || b === 0xf2) this.rep = b
      else if (b === 0xf0) this.lock = true
      else if (b === 0x2e || b === 0x36 || b === 0x3e || b === 0x26) { /* ignored in 64-bit mode */ }
      else if (b === 0x64 || b === 0x65) this.segOvr = b - 0x60
      else if ((b & 0xf0) === 0x40) { this.rex = b; b = this.u8(); if ((b & 0xf0) === 0x40) continue; break }
      else break
      this.rex = 0
      b = this.u8()
    }
    const rex = this.rex
    this.rexW = (rex & 8) !== 0
    this.rexR = (rex & 4) << 1
    this.rexX = (rex & 2) << 2
    this.rexB = (rex & 1) << 3
    this.pfx66 = opOvr
    this.opSize = this.rexW ? 8 : opOvr ? 2 : 4
    this.adSize = adOvr ? 4 : 8
    return b
  }

  /** ModRM (+SIB/disp). RIP-relative addresses are resolved by `finishRip(next)`. */
  modrmDecode(): void {
    const m = this.u8()
    this.modrm = m
    const mod = m >> 6
    this.mod = mod
    this.reg = ((m >> 3) & 7) | this.rexR
    if (mod === 3) { this.rm = (m & 7) | this.rexB; this.mem = null; return }
    this.rm = m & 7
    const op: MemOp = { base: -1, index: -1, scale: 0, disp: 0, seg: this.segOvr, rip: false, abs: 0, a32: this.adSize === 4 }
    const rm = m & 7
    if (rm === 4) {
      const sib = this.u8()
      op.scale = sib >> 6
      op.index = ((sib >> 3) & 7) | this.rexX
      op.base = (sib & 7) | this.rexB
      if (op.index === 4) op.index = -1
      if ((op.base & 7) === 5 && mod === 0) { op.base = -1; op.disp = this.s32() }
    } else if (rm === 5 && mod === 0) {
      op.disp = this.s32()
      op.rip = true
    } else op.base = rm | this.rexB
    if (mod === 1) op.disp = this.s8()
    else if (mod === 2) op.disp = this.s32()
    this.mem = op
  }

  /** Resolve a RIP-relative operand once the instruction's end is known. */
  finishRip(next: number): boolean {
    const m = this.mem
    if (m === null || !m.rip) return true
    let a = next + m.disp
    if (m.a32) a = a >>> 0
    m.abs = a
    return a >= -0x800000000000 && a < 0x800000000000
  }
}
