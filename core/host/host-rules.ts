/**
 * Small rules of the host's contract that several handlers share: which settings need the VM
 * Off (contract `settingsNeedingOff`), and the NOT_AVAILABLE error for features whose core is
 * not part of the build yet (the UI shows its message; no data is ever faked).
 */
import { ErrorCode, HvError, defaultProcessorSettings, settingsNeedingOff, type VmConfig } from '../../contract'

const labels: Record<(typeof settingsNeedingOff)[number], string> = {
  memoryMiB: 'Memory',
  cpus: 'Processors',
  boot: 'Boot source',
  clock: 'Clock',
  comPorts: 'COM ports',
  onTripleFault: 'Triple-fault action',
  debug: 'Debug session',
  processor: 'Processor (reserve, limit, weight, compatibility)',
}

/** Labels of the machine settings that differ between `a` and `b`. */
export function machineChangesWhileOn(a: VmConfig, b: VmConfig): string[] {
  // An absent `debug` means on.
  // An absent `processor` means the defaults.
  const value = (c: VmConfig, k: (typeof settingsNeedingOff)[number]): unknown =>
    k === 'debug' ? (c.debug ?? true) : k === 'processor' ? (c.processor ?? defaultProcessorSettings) : c[k]
  return settingsNeedingOff.filter((k) => JSON.stringify(value(a, k)) !== JSON.stringify(value(b, k))).map((k) => labels[k])
}

export function notAvailable(feature: string, why: string): HvError {
  return new HvError(ErrorCode.NOT_AVAILABLE, `${feature} is not available: ${why}.`)
}
