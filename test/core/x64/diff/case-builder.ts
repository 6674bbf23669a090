/**
 * Builds one differential case: a random but reproducible machine state (GPRs, RFLAGS,
 * XMM, MXCSR, scratch window) plus one instruction in GNU as Intel syntax. Forms call the
 * helpers here to pick operand registers, memory operands inside the scratch window and
 * edge-biased values, and to declare which results are architecturally undefined.
 */
import { Prng } from './prng'
import { DATA_HI, DATA_LO, FLAG, PAGE_BOUNDARY, STACK_TOP, STATUS_FLAGS, WIN_BASE, WIN_SIZE } from './layout'

export type Width = 8 | 16 | 32 | 64

export const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const
export const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'] as const
export const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'] as const
export const R8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'] as const
const R8_HIGH = ['ah', 'ch', 'dh', 'bh'] as const

export const PTR: Record<number, string> = { 8: 'byte ptr', 16: 'word ptr', 32: 'dword ptr', 64: 'qword ptr', 128: 'xmmword ptr' }

export function mask(width: number): bigint {
  return (1n << BigInt(width)) - 1n
}

export function regName(n: number, width: Width): string {
  return (width === 64 ? R64 : width === 32 ? R32 : width === 16 ? R16 : R8)[n]
}

export interface CaseInput {
  regs: bigint[]
  rflags: bigint
  mxcsr: number
  /** 16 XMM registers as 32 little-endian u64 halves (lo, hi). */
  xmm: bigint[]
  mem: Uint8Array
  /** FXSAVE bytes 0..159 (x87 state); bytes 24..31 (MXCSR) are ignored. Default: FNINIT state. */
  x87: Uint8Array
}

export interface DiffCase {
  id: number
  form: string
  group: string
  asm: string
  input: CaseInput
  /** When set, exactly these RFLAGS bits are compared (overrides the decoder's undefined set). */
  definedFlags?: number
  /** Flags to ignore in addition to the decoder's undefined set. */
  undefinedFlags: number
  /** GPRs whose result is architecturally undefined for this input. */
  ignoreRegs: number[]
  /** Compare the x87 state (FXSAVE bytes 0..159 minus FOP/FIP/FDP) — set by x87 forms. */
  x87?: X87Compare
  /** Window byte ranges [guest address, length] not compared (e.g. FIP/FDP in an FNSTENV image). */
  ignoreMem?: [number, number][]
  /** The case text is a sequence (branches): run it to its end label, expect RIP there. */
  sequence?: boolean
}

export interface X87Compare {
  /** FSW bits whose value is undefined for this instruction (C0..C3 per the SDM page). */
  undefinedFsw: number
}

export class CaseBuilder {
  readonly input: CaseInput
  definedFlags: number | undefined
  undefinedFlags = 0
  readonly ignoreRegs: number[] = []
  /** Restrict registers to the legacy eight so AH..BH are encodable. */
  legacy8: boolean
  /** Guest address of the last memory operand made by mem(). */
  lastAddr = 0
  /**
   * Make memory operands RIP-relative (`[rip + hx_win + offset]`, the runner defines
   * hx_win = WIN_BASE at link time), so the displacement counts from the instruction's
   * end — after any immediate.
   */
  ripMem = false
  x87: X87Compare | undefined
  readonly ignoreMem: [number, number][] = []
  /** See DiffCase.sequence. */
  sequence = false
  private readonly used = new Set<number>([4])

  constructor(readonly rng: Prng) {
    const regs: bigint[] = []
    for (let i = 0; i < 16; i++) regs.push(this.value(64))
    const xmm: bigint[] = []
    for (let i = 0; i < 32; i++) xmm.push(this.value(64))
    const x87 = new Uint8Array(160)
    x87[0] = 0x7f; x87[1] = 0x03
    this.input = { regs, rflags: this.randomFlags(), mxcsr: 0x1f80, xmm, mem: rng.bytes(WIN_SIZE), x87 }
    this.legacy8 = false
    regs[4] = BigInt(STACK_TOP)
  }

  /** Random status flags (DF clear unless a form asks for it). */
  randomFlags(): bigint {
    return BigInt(this.rng.u32() & STATUS_FLAGS) | 2n
  }

  setFlag(bit: number, on: boolean): void {
    this.input.rflags = on ? this.input.rflags | BigInt(bit) : this.input.rflags & ~BigInt(bit)
  }

  /** Edge-biased value of `width` bits (unsigned bigint). */
  value(width: number): bigint {
    const m = mask(width)
    const r = this.rng
    if (r.chance(0.45)) {
      const top = 1n << BigInt(width - 1)
      const edges = [0n, 1n, 2n, m, m - 1n, top - 1n, top, top + 1n, 0x55n * (m / 0xffn), 0xaan * (m / 0xffn), top >> 1n, 0x80n, 0x7fn, 0xffn, 0x8000n, 0xffffn]
      return r.pick(edges) & m
    }
    if (r.chance(0.2)) return BigInt(r.below(64)) & m
    return r.u64() & m
  }

  /** Signed value that fits an immediate of `bits` (8 or 32), as bigint. */
  immSigned(bits: 8 | 16 | 32): bigint {
    const v = this.value(bits)
    return v >= 1n << BigInt(bits - 1) ? v - (1n << BigInt(bits)) : v
  }

  private pickFree(): number {
    const limit = this.legacy8 ? 8 : 16
    for (;;) {
      const n = this.rng.below(limit)
      if (!this.used.has(n)) {
        this.used.add(n)
        return n
      }
    }
  }

  /** Reserve a specific register (implicit operands such as RAX/RDX/RCX). */
  claim(n: number): void {
    this.used.add(n)
  }

  /** A random register operand of `width`; its value is set edge-biased (upper bits random). */
  reg(width: Width, value?: bigint): { name: string; n: number } {
    if (width === 8 && this.legacy8) {
      // Without REX, byte registers 4-7 are AH..BH; so pick among regs 0-3, low or high byte.
      const n = this.pickFreeLow4()
      if (n < 0) throw new Error('no free legacy byte register')
      const v = value ?? this.value(8)
      if (this.rng.chance(0.5)) {
        this.input.regs[n] = (this.input.regs[n] & ~0xff00n) | ((v & 0xffn) << 8n)
        return { name: R8_HIGH[n], n: n + 16 }
      }
      this.setLow(n, 8, v)
      return { name: R8[n], n }
    }
    const n = this.pickFree()
    this.setLow(n, width, value ?? this.value(width))
    return { name: regName(n, width), n }
  }

  private pickFreeLow4(): number {
    const free = [0, 1, 2, 3].filter((n) => !this.used.has(n))
    if (free.length === 0) return -1
    const n = this.rng.pick(free)
    this.used.add(n)
    return n
  }

  /** Set the low `width` bits of register n, keeping the random upper bits. */
  setLow(n: number, width: Width, v: bigint): void {
    const m = mask(width)
    this.input.regs[n] = (this.input.regs[n] & ~m) | (v & m)
  }

  setReg(n: number, v: bigint): void {
    this.input.regs[n] = v & mask(64)
  }

  /** A memory operand of `bytes` size inside the data area, via a base (and maybe index) register. */
  mem(width: number, align = 1, span = width / 8): string {
    const size = Math.max(1, span)
    let addr = DATA_LO + this.rng.below(DATA_HI - DATA_LO - size)
    addr -= addr % align
    // Some operands straddle the 4 KiB boundary inside the window (split accesses).
    if (size > 1 && align === 1 && this.rng.chance(0.12)) addr = PAGE_BOUNDARY - 1 - this.rng.below(size - 1)
    if (this.ripMem) {
      this.lastAddr = addr
      if (this.rng.chance(0.7)) {
        for (let o = 0; o < size; o += 8) this.poke(addr + o, Math.min(8, size - o), this.value(Math.min(64, (size - o) * 8)))
      }
      return `${PTR[width] ?? ''} [rip+hx_win+${addr - WIN_BASE}]`.trim()
    }
    const base = this.pickFree()
    const disp = this.rng.pick([0, 0, this.rng.range(-128, 127), this.rng.range(-0x300, 0x300)])
    let text = ''
    if (this.rng.chance(0.3)) {
      const index = this.pickFree()
      const scale = this.rng.pick([1, 2, 4, 8])
      const iv = this.rng.range(-16, 16)
      this.setReg(index, BigInt.asUintN(64, BigInt(iv)))
      this.setReg(base, BigInt(addr - disp - iv * scale))
      text = `[${R64[base]}+${R64[index]}*${scale}${disp < 0 ? '-' : '+'}${Math.abs(disp)}]`
    } else {
      this.setReg(base, BigInt(addr - disp))
      text = `[${R64[base]}${disp < 0 ? '-' : '+'}${Math.abs(disp)}]`
    }
    this.lastAddr = addr
    if (this.rng.chance(0.7)) {
      for (let o = 0; o < size; o += 8) this.poke(addr + o, Math.min(8, size - o), this.value(Math.min(64, (size - o) * 8)))
    }
    return `${PTR[width] ?? ''} ${text}`.trim()
  }

  /** Write little-endian `v` into the window copy at guest address `addr`. */
  poke(addr: number, bytes: number, v: bigint): void {
    for (let i = 0; i < bytes; i++) this.input.mem[addr - WIN_BASE + i] = Number((v >> BigInt(8 * i)) & 0xffn)
  }

  /** Read back little-endian bytes of the window copy at guest address `addr`. */
  peek(addr: number, bytes: number): bigint {
    let v = 0n
    for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.input.mem[addr - WIN_BASE + i])
    return v
  }

  undefFlags(bits: number): void {
    this.undefinedFlags |= bits
  }

  ignoreReg(n: number): void {
    this.ignoreRegs.push(n)
  }

  /** Use DF set with probability p (string forms). */
  randomDirection(p = 0.5): boolean {
    const df = this.rng.chance(p)
    this.setFlag(FLAG.DF, df)
    return df
  }
}
