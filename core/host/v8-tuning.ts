/**
 * V8 settings for guest code, applied once per process before any VM runs (the CLI and the
 * Electron main process; VM worker threads share the process's flags).
 * The CPU turns hot guest code into thousands of small generated functions
 * (core/x64/compile-block.ts). V8 moves a function up to optimized code after an interrupt
 * budget of executed bytecode (67,584 in Node 20); with a quarter of it those functions
 * reach optimized code sooner. Debian boot to the prompt, same build, pairs run in turn:
 * main-thread CPU 62.3 -> 53.9 s and 65.7 -> 61.3 s (docs/linux.md, session 4).
 */
import { setFlagsFromString } from 'node:v8'

export const GUEST_CODE_V8_FLAGS = '--interrupt-budget=16384'

export function tuneV8ForGuestCode(): void {
  setFlagsFromString(GUEST_CODE_V8_FLAGS)
}
