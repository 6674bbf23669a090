/**
 * The host's scrollback for one VM serial port: the last `capacity` bytes the guest sent,
 * with the absolute offset of each byte in the port's stream. A Connect window opened after
 * the guest printed its banner asks for this history (`console:history`) and then uses the
 * offsets of `console:output` events to drop bytes it already has.
 */
export class ConsoleLog {
  private data = ''
  private start = 0

  constructor(private readonly capacity = 256 * 1024) {}

  /** Appends a byte string; returns the offset of its first byte. */
  append(bytes: string): number {
    const offset = this.start + this.data.length
    this.data += bytes
    if (this.data.length > this.capacity) {
      const drop = this.data.length - this.capacity
      this.data = this.data.slice(drop)
      this.start += drop
    }
    return offset
  }

  snapshot(): { offset: number; data: string } {
    return { offset: this.start, data: this.data }
  }

  get end(): number {
    return this.start + this.data.length
  }
}
