/**
 * The partition's CPU cap, reserve and weight (TLFS ch. 18, HvPartitionPropertyCpuCap/
 * CpuReserve/CpuWeight) applied in the machine's run loop through the hypervisor's scheduler
 * (core/hypervisor/scheduler, see its VMM-INTEGRATION.md): one HvScheduler per logical
 * processor, VP v on LP v as everywhere in this machine. Time is the VM clock in ns, so on the
 * virtual clock a unit is one instruction and a capped VP leaves idle time the clock skips;
 * on the host clock a capped VP leaves wall time in which the worker sleeps.
 *
 * The machine makes one only when the cap is below one LP: with one VP per LP, reserve and
 * weight choose between VPs sharing an LP, which never happens inside one machine.
 */
import { HV_CPU_FRACTION_ONE, HvScheduler, type SchedulingPolicy } from '../hypervisor/scheduler/scheduler'

export class VpThrottle {
  private readonly lps: HvScheduler<number>[] = []
  /** Earliest VM-clock time at which a VP skipped by `admit` may run again (Infinity: none skipped). */
  wakeAt = Infinity

  /** Credit a VP must hold before it runs again: a whole quantum, or all a low cap's bucket holds. */
  private readonly minRun: number
  private readonly cap: number

  constructor(policy: SchedulingPolicy, vps: number, quantum: number) {
    this.cap = Math.max(1, policy.cap)
    // HvScheduler's buckets hold 8 quanta of time; a cap of c fills at most 8 × quantum × c.
    this.minRun = Math.max(1, Math.min(quantum, Math.floor((8 * quantum * this.cap) / HV_CPU_FRACTION_ONE)))
    for (let i = 0; i < vps; i++) {
      const s = new HvScheduler<number>({ quantum })
      s.add(i, policy)
      this.lps.push(s)
    }
  }

  static needed(policy: SchedulingPolicy): boolean {
    return policy.cap < HV_CPU_FRACTION_ONE
  }

  /** Starts a slice of the run loop (forget last slice's wake time). */
  beginSlice(): void {
    this.wakeAt = Infinity
  }

  /**
   * May VP `vp` run at VM-clock time `nowNs`? Returns the most it may run (ns of VM clock),
   * or 0: it is over its cap, and `wakeAt` says when it may run again.
   */
  admit(vp: number, nowNs: number): number {
    const s = this.lps[vp]!
    // Time that passed on this LP while other VPs ran or every VP idled.
    if (nowNs > s.now) s.idle(nowNs - s.now)
    const d = s.next()
    if (d.key !== null && d.budget >= this.minRun) return d.budget
    // Wait until a useful slice's worth of credit has built up, not for the next crumb of it:
    // thousands of one-instruction slices would cost more than they run.
    const short = d.key === null ? this.minRun : this.minRun - d.budget
    const wait = (d.key === null ? d.budget : 0) + Math.ceil((short * HV_CPU_FRACTION_ONE) / this.cap)
    this.wakeAt = Math.min(this.wakeAt, nowNs + wait)
    return 0
  }

  /** VP `vp` ran for `ns` of VM clock. */
  charge(vp: number, ns: number): void {
    this.lps[vp]!.account(vp, Math.max(0, ns))
  }
}
