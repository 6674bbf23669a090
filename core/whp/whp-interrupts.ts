/**
 * The WHv-style interrupt and time API over the hypervisor's virtual APICs (TLFS ch. 13,
 * 15): the VMM asserts interrupts by APIC destination (like WHvRequestInterrupt with a
 * WHV_INTERRUPT_CONTROL), plugs its PIC in as the ExtINT source behind LINT0, gets
 * level-triggered EOIs for its I/O APIC, passes its guest-time clock, and sleeps to the
 * partition's next timer deadline. See core/hypervisor/apic/VMM-INTEGRATION.md.
 */
import type { ExtIntSource } from '../hypervisor/apic/partition-interrupts'
import type { GuestClock } from '../hypervisor/timers/reference-time'
import type { WHvPartition } from './whp-api'

/** WHV_INTERRUPT_TYPE (equal to the APIC delivery modes and HV_INTERRUPT_TYPE). */
export const WHvInterruptType = {
  WHvX64InterruptTypeFixed: 0,
  WHvX64InterruptTypeLowestPriority: 1,
  WHvX64InterruptTypeNmi: 4,
  WHvX64InterruptTypeInit: 5,
  WHvX64InterruptTypeSipi: 6,
  WHvX64InterruptTypeLocalInt1: 9,
} as const

export interface WHvInterruptControl {
  Type: number
  /** Physical destination mode unless set. */
  LogicalDestination?: boolean
  LevelTriggered?: boolean
  /** APIC id (physical), logical destination, or 0xFF for all. */
  Destination: number
  Vector: number
}

/** Assert an interrupt into the partition's APICs; returns the number of APICs it reached. */
export function WHvRequestApicInterrupt(p: WHvPartition, c: WHvInterruptControl): number {
  return p.hv.interrupts.requestInterrupt(p.id, {
    type: c.Type === WHvInterruptType.WHvX64InterruptTypeLocalInt1 ? 4 : c.Type,
    vector: c.Vector & 0xff,
    destination: c.Destination,
    logical: c.LogicalDestination ?? false,
    level: c.LevelTriggered ?? false,
  })
}

/** The legacy PIC behind the BSP's LINT0 (ExtINT, virtual wire mode). */
export function WHvSetExtIntSource(p: WHvPartition, source: ExtIntSource | null): void {
  p.hv.interrupts.setExtIntSource(p.id, source)
}

/** Called with (vector, vpIndex) on the EOI of a level-triggered interrupt (I/O APIC EOI broadcast). */
export function WHvSetApicEoiCallback(p: WHvPartition, handler: ((vector: number, vpIndex: number) => void) | null): void {
  p.hv.interrupts.setEoiHandler(p.id, handler)
}

/** Called with the VP index when a VP asserts FERR# (TLFS 16.5.6; a PC raises IRQ 13). HV Manager extension. */
export function WHvSetFerrCallback(p: WHvPartition, handler: ((vpIndex: number) => void) | null): void {
  p.hv.interrupts.setFerrHandler(p.id, handler)
}

/** The guest-time clock of the partition (ns); the guest TSC must read nowNs() × tscHz / 1e9. */
export function WHvSetPartitionClock(p: WHvPartition, clock: GuestClock): void {
  p.hv.interrupts.setClock(p.id, clock)
}

/** Earliest APIC-timer / synthetic-timer deadline in guest ns (Infinity when none). */
export function WHvGetNextTimerDeadline(p: WHvPartition): number {
  return p.hv.interrupts.nextDeadline(p.id)
}

/** Fire timers due at `nowNs` and inject interrupts into VPs that are not running (wakes halted VPs). */
export function WHvAdvancePartitionTime(p: WHvPartition, nowNs: number): void {
  p.hv.interrupts.advanceTo(p.id, nowNs)
}
