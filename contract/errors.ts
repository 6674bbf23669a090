/**
 * Typed errors of the HV Manager contract. Every command either resolves with its result or
 * fails with a `ContractError` `{ code, message }`; both transports (Electron IPC and the
 * WebSocket server) carry the error as data inside a `Result` envelope, never as a thrown
 * exception, so a bad request can never crash the host or lose its error code on the way.
 */

export const ErrorCode = {
  /** An argument failed validation (wrong type, out of range, unknown field). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The channel is not part of the contract. */
  UNKNOWN_CHANNEL: 'UNKNOWN_CHANNEL',
  /** No VM has the given id. */
  VM_NOT_FOUND: 'VM_NOT_FOUND',
  /** The command is not allowed in the VM's current state (e.g. start a Running VM). */
  INVALID_STATE: 'INVALID_STATE',
  /** The boot source (bundled guest or kernel/initrd file) could not be found or read. */
  BOOT_SOURCE: 'BOOT_SOURCE',
  /** The VM inventory on disk could not be read or written. */
  STORAGE: 'STORAGE',
  /** The machine failed to start or stopped with an error. */
  MACHINE: 'MACHINE',
  /** The transport failed (connection lost, unauthorized, timeout). */
  TRANSPORT: 'TRANSPORT',
  /** The feature exists in the contract but its core (or this shell) does not provide it yet. */
  NOT_AVAILABLE: 'NOT_AVAILABLE',
  /** A bug in the host: reported instead of crashing. */
  INTERNAL: 'INTERNAL',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface ContractError {
  code: ErrorCode
  message: string
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError }

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function fail(code: ErrorCode, message: string): { ok: false; error: ContractError } {
  return { ok: false, error: { code, message } }
}

/** An exception carrying a contract error; thrown inside the host and by clients that unwrap results. */
export class HvError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'HvError'
    this.code = code
  }
  toContractError(): ContractError {
    return { code: this.code, message: this.message }
  }
}

const codes: ReadonlySet<string> = new Set(Object.values(ErrorCode))

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && codes.has(value)
}

/** Checks a `Result` envelope received from the other side of a transport. */
export function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  if (v.ok === true) return 'value' in v
  if (v.ok !== false) return false
  const e = v.error as Record<string, unknown> | null | undefined
  return typeof e === 'object' && e !== null && isErrorCode(e.code) && typeof e.message === 'string'
}
