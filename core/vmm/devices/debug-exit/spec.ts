/**
 * QEMU's isa-debug-exit device (hw/misc/debugexit.c behaviour): a write of value v to the
 * port ends the emulator with exit status (v << 1) | 1, so a guest can report pass/fail.
 */

export const DEBUG_EXIT_PORT = 0xf4
/** QEMU's `-device isa-debug-exit,iobase=0xf4,iosize=0x04`. */
export const DEBUG_EXIT_PORT_COUNT = 4

/** The process exit status QEMU would return for a written value. */
export function debugExitCode(value: number): number {
  // An 8-bit write of v gives (v << 1) | 1; wider writes keep their full width (as QEMU does).
  return ((value << 1) | 1) >>> 0
}
