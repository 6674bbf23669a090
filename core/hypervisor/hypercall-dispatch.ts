/**
 * Common hypercall dispatch (TLFS 4.2, 4.8): look the code up in the table, apply the input
 * value checks in the DECISION order (code → reserved bits → Fast with rep fields / Fast on
 * a call without [fast] → rep count and start index against the class), then run the handler
 * on a frame. Used by both the native ABI and the wrapper interface; GPA checks belong to
 * the native transport (native-abi.ts).
 */
import {
  HV_STATUS_INVALID_HYPERCALL_CODE, HV_STATUS_INVALID_HYPERCALL_INPUT, HV_STATUS_SUCCESS, type HvStatus,
} from './hv-status'
import type { HypercallDef, HypercallFrame } from './hypercall-frame'
import type { HypercallControl } from './hypercall-input'
import { HYPERCALLS_BY_CODE } from './hypercall-table'
import { accountHypercall } from './stats/hypercall-accounting'

/** Steps 1-2 of the check order. Returns the definition or a status. */
export function checkControl(ctl: HypercallControl): HypercallDef | HvStatus {
  const def = ctl.code < HYPERCALLS_BY_CODE.length ? HYPERCALLS_BY_CODE[ctl.code] : undefined
  if (!def || !def.handler) return HV_STATUS_INVALID_HYPERCALL_CODE
  if (ctl.reservedBitsSet) return HV_STATUS_INVALID_HYPERCALL_INPUT
  if (ctl.fast && (ctl.repCount !== 0 || ctl.repStart !== 0 || !def.fast)) return HV_STATUS_INVALID_HYPERCALL_INPUT
  if (def.rep) {
    if (ctl.repCount === 0 || ctl.repStart >= ctl.repCount) return HV_STATUS_INVALID_HYPERCALL_INPUT
  } else if (ctl.repCount !== 0 || ctl.repStart !== 0) {
    return HV_STATUS_INVALID_HYPERCALL_INPUT
  }
  return def
}

/** Run the handler; fills f.repsCompleted / f.continueCall. */
export function invokeHandler(def: HypercallDef, f: HypercallFrame, maxReps: number): HvStatus {
  f.repsCompleted = def.rep ? f.repStart : 0
  f.continueCall = false
  f.repLimit = def.rep ? Math.min(f.repCount, f.repStart + Math.max(1, maxReps)) : 0
  const status = def.handler!(f)
  if (!def.rep) f.repsCompleted = 0
  accountHypercall(def, f, status) // appendix J counters, appendix I events
  return status
}

/** True when a rep call stopped early with success and must be continued (4.6). */
export function needsContinuation(def: HypercallDef, f: HypercallFrame, status: HvStatus): boolean {
  if (status !== HV_STATUS_SUCCESS) return false
  return def.rep ? f.repsCompleted < f.repCount : f.continueCall
}
