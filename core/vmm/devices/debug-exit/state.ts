/** Saved state of isa-debug-exit: only whether (and how) the guest already asked to exit. */

export interface DebugExitState {
  version: 1
  exitCode: number | null
}

export function checkDebugExitState(s: unknown): DebugExitState {
  const o = s as Partial<DebugExitState> | null
  if (!o || typeof o !== 'object' || o.version !== 1) throw new Error('debug-exit state: unsupported or missing version')
  if (o.exitCode !== null && !Number.isInteger(o.exitCode)) throw new Error('debug-exit state: bad exitCode')
  return o as DebugExitState
}
