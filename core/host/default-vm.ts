/**
 * The VM a new user finds on first start (no inventory yet): the bundled `hello` guest with
 * small, fast settings, ready to start. Created once; deleting it does not bring it back.
 */
import type { VmConfig } from '../../contract'

export function defaultVmConfig(): VmConfig {
  return {
    name: 'Hello VM',
    memoryMiB: 64,
    cpus: 1,
    boot: { kind: 'bundled', guest: 'hello' },
    clock: 'host',
    comPorts: 2,
    onTripleFault: 'stop',
    notes: 'Created on first start: the bundled hello guest prints a banner on COM1 and echoes what you type.',
  }
}
