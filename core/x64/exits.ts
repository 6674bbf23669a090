/**
 * Construction of instruction exits (api.ts ExitReason): the exiting instruction is not
 * executed; RIP stays on it and `exitNextRip` remembers where completion resumes. Also
 * the I/O permission check that precedes an IoPort exit (SDM vol. 1, 18.5.2 "I/O
 * permission bit map").
 */
import type { CpuState } from './cpu-state'
import { ExitReason } from './api'
import { Mode, FLAGS } from './constants'
import { gp } from './faults'
import { sysRead } from './mmu'
import { SEG_TR } from './segmentation'

export const IoKind = { In: 0, Out: 1, Ins: 2, Outs: 3 } as const

export function instrExit(c: CpuState, reason: number): number {
  c.exitNextRip = c.ip
  c.exit.reason = reason as ExitReason
  return reason
}

/** #GP(0) unless CPL <= IOPL or the TSS I/O bitmap allows ports [port, port+size). */
export function checkIoPermission(c: CpuState, port: number, size: number): void {
  if (c.mode === Mode.Real) return
  const iopl = (c.eflags & FLAGS.IOPL) >> 12
  if ((c.eflags & FLAGS.VM) === 0 && c.cpl <= iopl) return
  const type = c.segAttr[SEG_TR] & 0xf
  if ((c.segAttr[SEG_TR] & 0x80) === 0 || (type !== 9 && type !== 0xb) || c.segLimit[SEG_TR] < 0x67) gp(0)
  const base = c.segBase[SEG_TR]
  const mapOff = sysRead(c, base + 0x66, 2)
  const byte = mapOff + (port >> 3)
  if (byte + 1 > c.segLimit[SEG_TR]) gp(0)
  const bits = sysRead(c, base + byte, 2)
  if (((bits >> (port & 7)) & ((1 << size) - 1)) !== 0) gp(0)
}

export function ioExit(c: CpuState, kind: number, port: number, size: number, value: number, isRep: boolean): number {
  const e = c.exit
  e.port = port & 0xffff
  e.accessSize = size
  e.isWrite = kind === IoKind.Out || kind === IoKind.Outs
  e.value = e.isWrite ? (size === 1 ? value & 0xff : size === 2 ? value & 0xffff : value >>> 0) : 0
  e.isString = kind >= IoKind.Ins
  e.isRep = isRep
  c.ioKind = kind
  return instrExit(c, ExitReason.IoPort)
}
