/**
 * Counters the machine keeps about its own work (exits by kind, interrupts, resets); printed
 * by `hv-manager run --stats` next to the hypervisor's counters.
 */
export class MachineStats {
  ioExits = 0
  cpuidExits = 0
  msrExits = 0
  haltExits = 0
  interruptsDelivered = 0
  serialBytesOut = 0
  resets = 0
  /** Instructions retired by every VP (updated at the end of each turn and at stop). */
  instructions = 0

  format(): string {
    const rows: Array<[string, number]> = [
      ['instructions retired', this.instructions],
      ['I/O port exits', this.ioExits],
      ['CPUID exits', this.cpuidExits],
      ['MSR exits', this.msrExits],
      ['HLT exits', this.haltExits],
      ['interrupts delivered', this.interruptsDelivered],
      ['serial bytes out', this.serialBytesOut],
      ['resets', this.resets],
    ]
    return rows.map(([k, v]) => `${k.padEnd(24)} ${v}\n`).join('')
  }
}
