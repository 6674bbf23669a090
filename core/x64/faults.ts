/**
 * Exceptions raised while executing an instruction. A fault unwinds the interpreter with
 * one preallocated sentinel (no allocation on the fault path either); the run loop
 * catches it, rolls RIP back to the faulting instruction and delivers the vector through
 * the IDT (interrupts.ts). Exits that happen mid-instruction (an access to an unmapped
 * GPA) unwind the same way with EXIT_SIGNAL after filling CpuExit.
 * Intel SDM vol. 3, ch. 6.15 "Exception and interrupt reference".
 */
import { Vector } from './constants'

export class CpuFault {
  vector = 0
  errorCode = 0
  hasErrorCode = false
}

/** The one fault object thrown by the interpreter. */
export const FAULT = new CpuFault()

/** Thrown when an instruction leaves `run` mid-way with an exit (details in CpuExit). */
export const EXIT_SIGNAL = { exit: true }

export function fault(vector: number, errorCode: number, hasErrorCode: boolean): never {
  FAULT.vector = vector
  FAULT.errorCode = errorCode
  FAULT.hasErrorCode = hasErrorCode
  throw FAULT
}

export function gp(errorCode = 0): never {
  return fault(Vector.GP, errorCode, true)
}
export function ud(): never {
  return fault(Vector.UD, 0, false)
}
export function ss(errorCode = 0): never {
  return fault(Vector.SS, errorCode, true)
}
export function np(errorCode: number): never {
  return fault(Vector.NP, errorCode, true)
}
export function ts(errorCode: number): never {
  return fault(Vector.TS, errorCode, true)
}
export function de(): never {
  return fault(Vector.DE, 0, false)
}
export function nm(): never {
  return fault(Vector.NM, 0, false)
}

/** Vectors that push an error code (SDM table 6-1). */
export function vectorHasErrorCode(v: number): boolean {
  return v === 8 || (v >= 10 && v <= 14) || v === 17 || v === 21
}

/** SDM table 6-4: contributory exceptions. */
export function isContributory(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13)
}
