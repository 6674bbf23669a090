/**
 * isa-debug-exit (QEMU-compatible, see spec.ts): any write of 1, 2 or 4 bytes to the port
 * calls `onExit((value << 1) | 1)`; reads return all-ones like QEMU's write-only region.
 * The VMM stops the machine with MachineStop kind 'debug-exit' and that code.
 */
import type { IoSize, PortHandler } from '../../io/port-bus'
import { allOnes } from '../../io/port-bus'
import { debugExitCode } from './spec'
import { checkDebugExitState, type DebugExitState } from './state'

export class DebugExit implements PortHandler {
  /** The last exit status requested, null if none yet. */
  exitCode: number | null = null

  constructor(public onExit: (code: number) => void = () => {}) {}

  read(_port: number, size: IoSize): number {
    return allOnes(size)
  }

  write(_port: number, _size: IoSize, value: number): void {
    this.exitCode = debugExitCode(value)
    this.onExit(this.exitCode)
  }

  saveState(): DebugExitState {
    return { version: 1, exitCode: this.exitCode }
  }

  restoreState(raw: unknown): void {
    this.exitCode = checkDebugExitState(raw).exitCode
  }
}
