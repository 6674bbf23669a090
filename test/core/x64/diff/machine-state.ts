/**
 * The result of running one case on either side: status, instruction bytes and the
 * architectural state the comparison looks at.
 */
export interface CaseResult {
  /** 0 when the instruction retired; otherwise the native signal number or emulator exception vector + 1000. */
  status: number
  regs: bigint[]
  rflags: bigint
  mxcsr: number
  xmm: bigint[]
  mem: Uint8Array
  /** FXSAVE bytes 0..159: x87 control/status/tag words and ST0-7. */
  x87: Uint8Array
}

export interface NativeResult extends CaseResult {
  code: Uint8Array
  /** Address the case's instruction ran at natively (RIP-relative operands depend on it). */
  addr?: number
}

export function readU64s(view: DataView, offset: number, count: number): bigint[] {
  const out: bigint[] = []
  for (let i = 0; i < count; i++) out.push(view.getBigUint64(offset + i * 8, true))
  return out
}

export function writeU64s(view: DataView, offset: number, values: readonly bigint[]): void {
  values.forEach((v, i) => view.setBigUint64(offset + i * 8, BigInt.asUintN(64, v), true))
}
