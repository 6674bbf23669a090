/**
 * The VP scheduler of one logical processor (TLFS ch. 18), as a pure component: given the
 * runnable VPs and their partitions' CPU reserve, cap and weight, it says which VP runs next
 * and for how many guest instructions, and is told afterwards how many ran. Time is virtual
 * (instructions, idle included). Policy:
 * - cap (fraction of one LP, 0x10000 = 100 %): a token bucket filled at cap × elapsed time;
 *   a VP with no credit does not run (the LP idles if nobody else can);
 * - reserve: a second bucket filled at reserve × elapsed time; VPs holding reserve credit run
 *   before the others;
 * - weight (1-10000): among the rest, the smallest weighted virtual run time runs next, so
 *   busy VPs get shares proportional to their weights (18.3: 100/200/700 → 10/20/70 %).
 * The buckets hold at most `window` instructions' worth, so policies hold over a period of a
 * few quanta ("hundredths of a second", ch. 18) and an idle VP cannot bank unbounded credit.
 */

export const HV_CPU_FRACTION_ONE = 0x10000

export interface SchedulingPolicy {
  /** CpuReserve, 0-0x10000. */
  reserve: number
  /** CpuCap, 0-0x10000. */
  cap: number
  /** CpuWeight, 1-10000. */
  weight: number
}

interface Entity<K> {
  readonly key: K
  policy: SchedulingPolicy
  runnable: boolean
  used: number
  vtime: number
  capCredit: number
  reserveCredit: number
}

export interface SchedulerDecision<K> {
  /** The VP to run, or null: the LP idles for `budget` instructions' worth of time. */
  key: K | null
  budget: number
}

export interface SchedulerOptions {
  /** Longest slice, in guest instructions. */
  quantum: number
  /** Credit horizon of the cap/reserve buckets (default 8 quanta). */
  window?: number
}

export class HvScheduler<K> {
  private readonly entities: Entity<K>[] = []
  private readonly quantum: number
  private readonly window: number
  /** Virtual time of this LP (instructions run + idle). */
  now = 0
  idleTime = 0

  constructor(opts: SchedulerOptions) {
    this.quantum = Math.max(1, Math.floor(opts.quantum))
    this.window = opts.window ?? this.quantum * 8
  }

  add(key: K, policy: SchedulingPolicy): void {
    this.remove(key)
    this.entities.push({
      key, policy: { ...policy }, runnable: true, used: 0, vtime: this.minVtime(),
      capCredit: this.limit(policy.cap), reserveCredit: this.limit(policy.reserve),
    })
  }

  remove(key: K): void {
    const i = this.entities.findIndex((e) => e.key === key)
    if (i >= 0) this.entities.splice(i, 1)
  }

  setPolicy(key: K, policy: SchedulingPolicy): void {
    const e = this.find(key)
    if (e) e.policy = { ...policy }
  }

  /** A VP blocks (halt, intercept) or becomes runnable again; a waking VP does not get to catch up. */
  setRunnable(key: K, runnable: boolean): void {
    const e = this.find(key)
    if (!e || e.runnable === runnable) return
    if (runnable) e.vtime = Math.max(e.vtime, this.minVtime())
    e.runnable = runnable
  }

  /** HvNotifyLongSpinWait (18.5.1): the spinning VP goes behind every other runnable VP. */
  yield(key: K): void {
    const e = this.find(key)
    if (!e) return
    let max = e.vtime
    for (const o of this.entities) if (o.runnable && o.vtime > max) max = o.vtime
    e.vtime = max + this.quantum / e.policy.weight
  }

  /** Instructions run so far by `key`. */
  runTime(key: K): number {
    return this.find(key)?.used ?? 0
  }

  next(): SchedulerDecision<K> {
    let best: Entity<K> | null = null
    let bestReserved = false
    let wake = Infinity
    for (const e of this.entities) {
      if (!e.runnable) continue
      const capped = e.policy.cap < HV_CPU_FRACTION_ONE
      if (capped && e.capCredit <= 0) {
        if (e.policy.cap > 0) wake = Math.min(wake, Math.ceil((-e.capCredit + 1) * HV_CPU_FRACTION_ONE / e.policy.cap))
        continue
      }
      const reserved = e.policy.reserve > 0 && e.reserveCredit > 0
      if (!best || (reserved && !bestReserved) || (reserved === bestReserved && e.vtime < best.vtime)) {
        best = e
        bestReserved = reserved
      }
    }
    if (!best) return { key: null, budget: Math.max(1, Math.min(this.quantum, wake === Infinity ? this.quantum : wake)) }
    let budget = this.quantum
    if (best.policy.cap < HV_CPU_FRACTION_ONE) budget = Math.min(budget, Math.ceil(best.capCredit))
    return { key: best.key, budget: Math.max(1, budget) }
  }

  /** `key` ran `ran` instructions (ran may be less than the budget: halt, exit). */
  account(key: K, ran: number): void {
    const e = this.find(key)
    if (e && ran > 0) {
      e.used += ran
      e.vtime += ran / e.policy.weight
      e.capCredit -= ran
      e.reserveCredit -= ran
    }
    this.advance(ran)
  }

  /** The LP idled for `t` instructions' worth of time. */
  idle(t: number): void {
    this.idleTime += t
    this.advance(t)
  }

  private advance(dt: number): void {
    if (dt <= 0) return
    this.now += dt
    for (const e of this.entities) {
      e.capCredit = Math.min(this.limit(e.policy.cap), e.capCredit + (dt * e.policy.cap) / HV_CPU_FRACTION_ONE)
      e.reserveCredit = Math.min(this.limit(e.policy.reserve), e.reserveCredit + (dt * e.policy.reserve) / HV_CPU_FRACTION_ONE)
    }
  }

  private limit(fraction: number): number {
    return (this.window * fraction) / HV_CPU_FRACTION_ONE
  }

  private minVtime(): number {
    let m = Infinity
    for (const e of this.entities) if (e.runnable && e.vtime < m) m = e.vtime
    return m === Infinity ? 0 : m
  }

  private find(key: K): Entity<K> | undefined {
    return this.entities.find((e) => e.key === key)
  }
}
