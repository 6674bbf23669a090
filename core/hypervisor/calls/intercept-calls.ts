/**
 * HvInstallIntercept (TLFS 9.3): install or (with access NONE) remove an I/O port, MSR,
 * CPUID or exception intercept on a child. Only CPUID intercepts cost pool memory.
 */
import {
  HV_STATUS_INSUFFICIENT_MEMORY, HV_STATUS_INVALID_PARAMETER, HV_STATUS_SUCCESS, type HvStatus,
} from '../hv-status'
import type { HypercallFrame } from '../hypercall-frame'
import { HV_INTERCEPT_ACCESS_MASK_EXECUTE as X, HvInterceptType as T } from '../intercepts'
import { HvPartitionState as S } from '../partition'
import { resolveTarget, u64 } from './target'

export function HvInstallIntercept(f: HypercallFrame): HvStatus {
  const t = resolveTarget(f, u64(f.input, 0), 'parent', [S.Active])
  if (typeof t === 'number') return t
  const accessRaw = f.input.getUint32(8, true)
  const type = f.input.getUint32(12, true)
  const param = u64(f.input, 16)
  // DECISION 9.3: AccessType is a UINT8 carried in 4 bytes; the upper bytes are RsvdZ.
  if (accessRaw > 0xff || (accessRaw & ~7) !== 0) return HV_STATUS_INVALID_PARAMETER
  const access = accessRaw
  const table = t.intercepts
  switch (type) {
    case T.HvInterceptTypeX64IoPort:
      // DECISION U28: READ, WRITE or both; EXECUTE is meaningless for ports.
      if (access & X || param > 0xffffn) return HV_STATUS_INVALID_PARAMETER
      table.ioPorts[Number(param)] = access
      break
    case T.HvInterceptTypeX64Msr:
      if (access & X || param !== 0n) return HV_STATUS_INVALID_PARAMETER
      table.msr = access
      break
    case T.HvInterceptTypeX64Cpuid: {
      if ((access !== 0 && access !== X) || param > 0xffffffffn) return HV_STATUS_INVALID_PARAMETER
      const leaf = Number(param)
      const had = table.cpuid.has(leaf)
      if (access === 0) {
        if (had) t.release(f.hv.config.costs.cpuidIntercept)
        table.cpuid.delete(leaf)
      } else if (!had) {
        if (!t.allocate(f.hv.config.costs.cpuidIntercept)) return HV_STATUS_INSUFFICIENT_MEMORY
        table.cpuid.set(leaf, access)
      }
      break
    }
    case T.HvInterceptTypeX64Exception:
      if ((access !== 0 && access !== X) || param > 31n) return HV_STATUS_INVALID_PARAMETER
      table.exceptions[Number(param)] = access
      f.hv.syncExceptionBitmap(t)
      break
    default:
      return HV_STATUS_INVALID_PARAMETER
  }
  return HV_STATUS_SUCCESS
}
