/**
 * The few services the run loop needs from its JavaScript host: a monotonic clock and timers.
 * core/ compiles without DOM or Node types, so this reads them off `globalThis` behind a named
 * interface; every JS runtime HV Manager runs in (Node, Electron, a worker) provides them.
 */
export interface MachineRuntime {
  /** Monotonic milliseconds (performance.now). */
  nowMs(): number
  /** Run `fn` after `ms`; ms = 0 means "as soon as pending events are handled" (setImmediate). */
  setTimer(fn: () => void, ms: number): unknown
  clearTimer(handle: unknown): void
}

interface TimerGlobals {
  performance: { now(): number }
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  setImmediate?(fn: () => void): unknown
  clearImmediate?(handle: unknown): void
}

const IMMEDIATE = Symbol('immediate')

export function defaultRuntime(): MachineRuntime {
  const g = globalThis as unknown as TimerGlobals
  return {
    nowMs: () => g.performance.now(),
    // Node clamps setTimeout(0) to 1 ms; setImmediate yields without that cost.
    setTimer: (fn, ms) => (ms <= 0 && g.setImmediate ? { [IMMEDIATE]: g.setImmediate(fn) } : g.setTimeout(fn, ms)),
    clearTimer: (h) => {
      if (h !== null && typeof h === 'object' && IMMEDIATE in h) g.clearImmediate?.((h as Record<symbol, unknown>)[IMMEDIATE])
      else g.clearTimeout(h)
    },
  }
}
