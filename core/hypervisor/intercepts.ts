/**
 * Installed intercepts of one partition (TLFS ch. 9): HV_INTERCEPT_TYPE, the access mask
 * (HV_INTERCEPT_ACCESS_TYPE_MASK) and per-type tables sized so that a lookup on the VP run
 * path is one typed-array read.
 */

export const HvInterceptType = {
  HvInterceptTypeX64IoPort: 0,
  HvInterceptTypeX64Msr: 1,
  HvInterceptTypeX64Cpuid: 2,
  HvInterceptTypeX64Exception: 3,
} as const

/** HV_UNSUPPORTED_FEATURE_CODE (9.2.4), carried by HvMessageTypeUnsupportedFeature. */
export const HvUnsupportedFeatureCode = {
  HvUnsupportedFeatureIntercept: 1,
  HvUnsupportedFeatureTaskSwitchTss: 2,
} as const

export const HV_INTERCEPT_ACCESS_MASK_NONE = 0
export const HV_INTERCEPT_ACCESS_MASK_READ = 1
export const HV_INTERCEPT_ACCESS_MASK_WRITE = 2
export const HV_INTERCEPT_ACCESS_MASK_EXECUTE = 4

export class InterceptTable {
  /** Access mask per I/O port. */
  readonly ioPorts = new Uint8Array(0x10000)
  /** Access mask of the (single, parameterless) MSR intercept. */
  msr = 0
  /** Access mask per CPUID leaf (the EAX value; ECX is not part of the key, 11.11). */
  readonly cpuid = new Map<number, number>()
  /** Access mask per exception vector 0-31. */
  readonly exceptions = new Uint8Array(32)

  /** Bitmap of vectors with an exception intercept (for X64Cpu.exceptionBitmap). */
  exceptionBitmap(): number {
    let m = 0
    for (let v = 0; v < 32; v++) if (this.exceptions[v]) m |= 1 << v
    return m >>> 0
  }

  /** True when any port covered by an access of `size` bytes at `port` is intercepted for the direction (11.9). */
  ioIntercepted(port: number, size: number, isWrite: boolean): boolean {
    const want = isWrite ? HV_INTERCEPT_ACCESS_MASK_WRITE : HV_INTERCEPT_ACCESS_MASK_READ
    for (let i = 0; i < size; i++) if (this.ioPorts[(port + i) & 0xffff] & want) return true
    return false
  }

  clear(): void {
    this.ioPorts.fill(0)
    this.msr = 0
    this.cpuid.clear()
    this.exceptions.fill(0)
  }
}
