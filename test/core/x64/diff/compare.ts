/**
 * Compares one case's native and emulated results: fault vs fault (the signal maps to the
 * expected vector), GPRs (minus those the form declares undefined), RIP, the defined
 * RFLAGS bits, XMM/MXCSR and the memory window. Undefined flags come from iced-x86's
 * per-instruction `rflagsUndefined`, or from the form when it knows the exact defined set
 * for the given input (shift counts). Mismatches are rendered as a readable diff.
 */
import iced from 'iced-x86'
import { R64, type DiffCase } from './case-builder'
import { CODE_START, type EmulatorResult } from './emulator-env'
import { COMPARED_FLAGS, FLAG, WIN_BASE } from './layout'
import type { NativeResult } from './machine-state'

const decoder = { bitness: 64 }

/** iced RflagsBits → RFLAGS bits. */
function icedToRflags(bits: number): number {
  let out = 0
  if (bits & iced.RflagsBits.OF) out |= FLAG.OF
  if (bits & iced.RflagsBits.SF) out |= FLAG.SF
  if (bits & iced.RflagsBits.ZF) out |= FLAG.ZF
  if (bits & iced.RflagsBits.AF) out |= FLAG.AF
  if (bits & iced.RflagsBits.CF) out |= FLAG.CF
  if (bits & iced.RflagsBits.PF) out |= FLAG.PF
  if (bits & iced.RflagsBits.DF) out |= FLAG.DF
  return out
}

export function decodeInfo(code: Uint8Array): { undefinedFlags: number; length: number; text: string } {
  const d = new iced.Decoder(decoder.bitness, code, iced.DecoderOptions.None)
  d.ip = BigInt(CODE_START)
  const instr = d.decode()
  const fmt = new iced.Formatter(iced.FormatterSyntax.Intel)
  const out = { undefinedFlags: icedToRflags(instr.rflagsUndefined), length: instr.length, text: fmt.format(instr) }
  instr.free()
  fmt.free()
  d.free()
  return out
}

/** Map a native signal to the exception vectors the emulator may report. */
function expectedVectors(signal: number): number[] {
  if (signal === 8) return [0] // SIGFPE: #DE
  if (signal === 11) return [13, 12, 14] // SIGSEGV: #GP, #SS or #PF
  if (signal === 7) return [17, 13] // SIGBUS: #AC or non-canonical #GP
  if (signal === 4) return [6] // SIGILL: #UD
  return []
}

export interface Mismatch {
  c: DiffCase
  lines: string[]
}

const FLAG_NAMES: [string, number][] = [['CF', FLAG.CF], ['PF', FLAG.PF], ['AF', FLAG.AF], ['ZF', FLAG.ZF], ['SF', FLAG.SF], ['DF', FLAG.DF], ['OF', FLAG.OF]]

function flagText(v: bigint, mask: number): string {
  return FLAG_NAMES.filter(([, b]) => mask & b).map(([n, b]) => `${n}=${Number(v) & b ? 1 : 0}`).join(' ')
}

function h(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`
}

export function compareCase(c: DiffCase, native: NativeResult, emu: EmulatorResult): Mismatch | undefined {
  const lines: string[] = []
  const info = decodeInfo(native.code)
  if (emu.hostError) lines.push(`host exception: ${emu.hostError}`)
  else if (native.status !== 0) {
    const want = expectedVectors(native.status)
    if (emu.exitReason !== 10 || !want.includes(emu.vector)) {
      lines.push(`native faulted (signal ${native.status}, expect vector ${want.join('/')}); emulator status ${describeStatus(emu)}`)
    } else if (emu.rip !== BigInt(CODE_START)) {
      lines.push(`fault must leave RIP at the instruction: emulator ${h(emu.rip)}`)
    }
  } else if (emu.status !== 0) {
    lines.push(`native retired; emulator status ${describeStatus(emu)}`)
  } else if (emu.rip !== BigInt(CODE_START + (c.sequence ? native.code.length : info.length))) {
    lines.push(`rip: expected ${h(BigInt(CODE_START + (c.sequence ? native.code.length : info.length)))} emulator ${h(emu.rip)}`)
  }
  if (lines.length === 0) {
    const faulted = native.status !== 0
    for (let i = 0; i < 16; i++) {
      if (c.ignoreRegs.includes(i)) continue
      if (native.regs[i] !== emu.regs[i]) lines.push(`${R64[i]}: native ${h(native.regs[i])} emulator ${h(emu.regs[i])}`)
    }
    const defined = faulted ? COMPARED_FLAGS : (c.definedFlags ?? COMPARED_FLAGS & ~info.undefinedFlags) & ~c.undefinedFlags
    if ((Number(native.rflags) & defined) !== (Number(emu.rflags) & defined)) {
      lines.push(`flags (${flagText(0n, defined).replace(/=0/g, '')}): native ${flagText(native.rflags, defined)} | emulator ${flagText(emu.rflags, defined)}`)
    }
    if (!faulted) {
      for (let i = 0; i < 32; i += 2) {
        if (native.xmm[i] !== emu.xmm[i] || native.xmm[i + 1] !== emu.xmm[i + 1]) {
          lines.push(`xmm${i / 2}: native ${h(native.xmm[i + 1])}_${h(native.xmm[i]).slice(2)} emulator ${h(emu.xmm[i + 1])}_${h(emu.xmm[i]).slice(2)}`)
        }
      }
      if (native.mxcsr !== emu.mxcsr) lines.push(`mxcsr: native 0x${native.mxcsr.toString(16)} emulator 0x${emu.mxcsr.toString(16)}`)
    }
    if (!faulted) lines.push(...diffX87(c, native.x87, emu.x87))
    const memDiff = diffBytes(maskMem(c, native.mem), maskMem(c, emu.mem))
    if (memDiff) lines.push(memDiff)
  }
  if (lines.length === 0) return undefined
  const inputs = R64.map((name, i) => `${name}=${c.input.regs[i].toString(16)}`)
  return {
    c,
    lines: [
      `[${c.form}] ${c.asm}   (${Buffer.from(native.code.slice(0, info.length)).toString('hex')}; iced: ${info.text})`,
      `  in: ${inputs.join(' ')}`,
      `  in flags: ${flagText(c.input.rflags, COMPARED_FLAGS)}`,
      ...(c.x87 ? [`  in x87: ${x87Text(c.input.x87)}`] : []),
      ...lines.map((l) => `  ${l}`),
    ],
  }
}

/** Window copy with the case's ignored byte ranges zeroed. */
function maskMem(c: DiffCase, mem: Uint8Array): Uint8Array {
  if (!c.ignoreMem) return mem
  const m = mem.slice()
  for (const [addr, len] of c.ignoreMem) m.fill(0, addr - WIN_BASE, addr - WIN_BASE + len)
  return m
}

function hexBytes(b: Uint8Array, from: number, to: number): string {
  let s = ''
  for (let i = to - 1; i >= from; i--) s += b[i].toString(16).padStart(2, '0')
  return s
}

/**
 * x87 state from the FXSAVE images: FCW, FSW (minus the instruction's undefined C0-C3),
 * the abridged tag byte and ST0-7 as raw 80-bit values (register order, i.e. relative to
 * TOP). FOP/FIP/FDP are not compared: the emulator does not track the last instruction's
 * address, and the host only updates FDP on unmasked exceptions.
 */
function diffX87(c: DiffCase, a: Uint8Array, b: Uint8Array): string[] {
  const out: string[] = []
  const u16 = (x: Uint8Array, o: number): number => x[o] | (x[o + 1] << 8)
  if (u16(a, 0) !== u16(b, 0)) out.push(`fcw: native 0x${u16(a, 0).toString(16)} emulator 0x${u16(b, 0).toString(16)}`)
  const swMask = 0xffff & ~(c.x87?.undefinedFsw ?? 0)
  if ((u16(a, 2) & swMask) !== (u16(b, 2) & swMask)) out.push(`fsw (mask ${swMask.toString(16)}): native 0x${u16(a, 2).toString(16)} emulator 0x${u16(b, 2).toString(16)}`)
  if (a[4] !== b[4]) out.push(`ftw: native 0x${a[4].toString(16)} emulator 0x${b[4].toString(16)}`)
  for (let i = 0; i < 8; i++) {
    const o = 32 + 16 * i
    const x = hexBytes(a, o, o + 10), y = hexBytes(b, o, o + 10)
    if (x !== y) out.push(`st${i}: native ${x.slice(0, 4)}_${x.slice(4)} emulator ${y.slice(0, 4)}_${y.slice(4)}`)
  }
  return out
}

function x87Text(x: Uint8Array): string {
  const u16 = (o: number): string => (x[o] | (x[o + 1] << 8)).toString(16)
  const regs = Array.from({ length: 8 }, (_, i) => { const v = hexBytes(x, 32 + 16 * i, 42 + 16 * i); return `st${i}=${v.slice(0, 4)}_${v.slice(4)}` })
  return `fcw=${u16(0)} fsw=${u16(2)} ftw=${x[4].toString(16)} ${regs.join(' ')}`
}

function describeStatus(emu: EmulatorResult): string {
  if (emu.status === 0) return `retired (rip ${h(emu.rip)})`
  if (emu.exitReason === 10) return `exception vector ${emu.vector}`
  return `exit reason ${emu.exitReason}`
}

function diffBytes(a: Uint8Array, b: Uint8Array): string | undefined {
  let first = -1
  let last = -1
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      if (first < 0) first = i
      last = i
    }
  }
  if (first < 0) return undefined
  const lo = first & ~7
  const hi = Math.min(a.length, Math.max(lo + 8, (last | 7) + 1, lo + 8))
  const end = Math.min(hi, lo + 32)
  const hex = (x: Uint8Array): string => Buffer.from(x.slice(lo, end)).toString('hex')
  return `mem @0x${(WIN_BASE + lo).toString(16)} (${last - first + 1} bytes differ): native ${hex(a)} emulator ${hex(b)}`
}
