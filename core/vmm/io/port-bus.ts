/**
 * The x86 I/O port space (64 Ki byte-addressed ports) of one machine: named device ranges
 * registered once, dispatched by the VMM when the CPU exits on IN/OUT.
 *
 * API:
 *  - `register(name, base, count, handler)` claims ports [base, base+count); an overlap with
 *    an existing range throws (a wiring bug, never guest-controlled).
 *  - `read(port, size)` / `write(port, size, value)` dispatch to the handler owning `port`
 *    (the handler gets the absolute port). Unclaimed ports read all-ones of the access size
 *    and drop writes, as on a PC where nobody drives the bus; both are counted in
 *    `unclaimedReads` / `unclaimedWrites` and per port in `unclaimedPortCounts()`.
 * A multi-byte access is given whole to the handler owning its first port, like a PC where
 * the device that decodes the address answers the whole cycle.
 */

export type IoSize = 1 | 2 | 4

export interface PortHandler {
  read(port: number, size: IoSize): number
  write(port: number, size: IoSize, value: number): void
}

export interface PortRange {
  readonly name: string
  readonly base: number
  readonly count: number
  readonly handler: PortHandler
}

const NO_OWNER = 0xffff

/** All-ones of an access size (the value of an undriven bus). */
export function allOnes(size: IoSize): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff
}

export function maskToSize(value: number, size: IoSize): number {
  return size === 1 ? value & 0xff : size === 2 ? value & 0xffff : value >>> 0
}

export class PortBus {
  private readonly ranges: PortRange[] = []
  /** Index into `ranges` per port, NO_OWNER when unclaimed. */
  private readonly owner = new Uint16Array(0x10000).fill(NO_OWNER)
  private readonly unclaimedCounts = new Map<number, number>()
  unclaimedReads = 0
  unclaimedWrites = 0

  register(name: string, base: number, count: number, handler: PortHandler): void {
    if (!Number.isInteger(base) || !Number.isInteger(count) || base < 0 || count <= 0 || base + count > 0x10000) {
      throw new RangeError(`port range ${name} [0x${base.toString(16)}+${count}] is outside the I/O space`)
    }
    for (let p = base; p < base + count; p++) {
      const o = this.owner[p]
      if (o !== NO_OWNER) {
        throw new Error(`port range ${name} [0x${base.toString(16)}+${count}] overlaps ${this.ranges[o].name} at port 0x${p.toString(16)}`)
      }
    }
    const index = this.ranges.length
    this.ranges.push({ name, base, count, handler })
    this.owner.fill(index, base, base + count)
  }

  /** The range owning `port`, if any. */
  find(port: number): PortRange | undefined {
    const o = this.owner[port & 0xffff]
    return o === NO_OWNER ? undefined : this.ranges[o]
  }

  list(): readonly PortRange[] {
    return this.ranges
  }

  read(port: number, size: IoSize): number {
    port &= 0xffff
    const o = this.owner[port]
    if (o === NO_OWNER) {
      this.unclaimedReads++
      this.countUnclaimed(port)
      return allOnes(size)
    }
    return maskToSize(this.ranges[o].handler.read(port, size), size)
  }

  write(port: number, size: IoSize, value: number): void {
    port &= 0xffff
    const o = this.owner[port]
    if (o === NO_OWNER) {
      this.unclaimedWrites++
      this.countUnclaimed(port)
      return
    }
    this.ranges[o].handler.write(port, size, maskToSize(value, size))
  }

  /** Accesses (reads + writes) per unclaimed port, for statistics and the debug console. */
  unclaimedPortCounts(): ReadonlyMap<number, number> {
    return this.unclaimedCounts
  }

  private countUnclaimed(port: number): void {
    this.unclaimedCounts.set(port, (this.unclaimedCounts.get(port) ?? 0) + 1)
  }
}
