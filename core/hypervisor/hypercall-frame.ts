/**
 * What one hypercall handler sees (TLFS ch. 4): the caller, the input block and the output
 * block as DataViews laid out exactly as in guest memory (header, then 8-aligned list),
 * and the rep window. The same frame serves the native ABI (VMCALL from a child) and the
 * wrapper interface (TypeScript calls from the root), so every privilege and state rule
 * lives in the handler.
 */
import type { HvStatus } from './hv-status'
import type { Hypervisor } from './hypervisor'
import type { Partition } from './partition'
import type { VirtualProcessor } from './virtual-processor'

export interface HypercallFrame {
  readonly hv: Hypervisor
  caller: Partition
  /** The calling VP (null for wrapper calls from the root). */
  callerVp: VirtualProcessor | null
  input: DataView
  output: DataView
  fast: boolean
  repStart: number
  repCount: number
  /** Exclusive bound for this invocation (continuation knob, 4.6); ≤ repCount. */
  repLimit: number
  /** Absolute number of reps done when the handler returns (4.4). */
  repsCompleted: number
  /** A simple call asks to be re-executed (RIP not advanced), e.g. HvFinalizePartition. */
  continueCall: boolean
}

export type HypercallHandler = (f: HypercallFrame) => HvStatus

export interface HypercallDef {
  readonly code: number
  /** Spec name without the HvCall prefix, e.g. "HvCreatePartition". */
  readonly name: string
  readonly rep: boolean
  /** May be called with Fast = 1 ([fast] tag). */
  readonly fast: boolean
  /** Input header bytes (the whole input for simple calls). */
  readonly inputHeader: number
  /** Bytes per input list element (rep calls; 0 for none). */
  readonly inputElement: number
  /** Output bytes for simple calls, or output header for rep calls. */
  readonly outputHeader: number
  /** Bytes per output list element (rep calls). */
  readonly outputElement: number
  /** Undefined while the chapter implementing it is not written (→ INVALID_HYPERCALL_CODE). */
  readonly handler?: HypercallHandler
}

/** Byte offset of input element `i` (4.5: elements start after the 8-aligned header). */
export function inputElementOffset(def: HypercallDef, i: number): number {
  return ((def.inputHeader + 7) & ~7) + i * def.inputElement
}
export function outputElementOffset(def: HypercallDef, i: number): number {
  return def.outputHeader + i * def.outputElement
}
