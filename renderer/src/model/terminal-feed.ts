/**
 * Paces console bytes into a terminal: chunks that arrive between two frames are joined and
 * written once per frame, and a new write waits until the terminal has parsed the last one
 * (xterm's write callback), so a guest printing megabytes a second never queues more than
 * `maxPending` bytes in the page. When the backlog passes that bound the oldest bytes are
 * dropped and the terminal is reset to the newest ones: they scrolled past faster than
 * anyone can read, and the page stays responsive. No DOM types: the scheduler and the
 * terminal are injected (requestAnimationFrame and xterm in the app, fakes in tests).
 */

export interface FeedTarget {
  /** Writes bytes (a byte string, one char per byte); calls `done` once they are parsed. */
  write(bytes: string, done: () => void): void
  /** Clears the screen and scrollback before a whole-stream rewrite. */
  reset(): void
}

export type FrameScheduler = (run: () => void) => void

export const DEFAULT_MAX_PENDING = 512 * 1024

export class TerminalFeed {
  private pending: string[] = []
  private pendingBytes = 0
  private resetFirst = false
  private scheduled = false
  private writing = false
  private disposed = false
  /** Bytes dropped because the terminal fell behind (for diagnostics and tests). */
  dropped = 0

  constructor(
    private readonly target: FeedTarget,
    private readonly schedule: FrameScheduler,
    private readonly maxPending = DEFAULT_MAX_PENDING,
  ) {}

  /** New bytes for the terminal; with `reset`, `bytes` replaces everything shown so far. */
  push(bytes: string, reset: boolean): void {
    if (this.disposed) return
    if (reset) {
      this.dropped += this.pendingBytes
      this.pending = []
      this.pendingBytes = 0
      this.resetFirst = true
    }
    if (bytes.length) {
      this.pending.push(bytes)
      this.pendingBytes += bytes.length
    }
    if (this.pendingBytes > this.maxPending) this.trim()
    this.request()
  }

  /** Bytes waiting for the next write. */
  get backlog(): number {
    return this.pendingBytes
  }

  dispose(): void {
    this.disposed = true
    this.pending = []
    this.pendingBytes = 0
  }

  /** Keeps the newest `maxPending` bytes and resets the terminal before showing them. */
  private trim(): void {
    const all = this.pending.join('')
    const keep = all.slice(all.length - this.maxPending)
    this.dropped += all.length - keep.length
    this.pending = [keep]
    this.pendingBytes = keep.length
    this.resetFirst = true
  }

  private request(): void {
    if (this.scheduled || this.writing || (!this.resetFirst && this.pendingBytes === 0)) return
    this.scheduled = true
    this.schedule(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    if (this.disposed || this.writing) return
    if (this.resetFirst) {
      this.resetFirst = false
      this.target.reset()
    }
    if (this.pendingBytes === 0) return
    const bytes = this.pending.length === 1 ? this.pending[0]! : this.pending.join('')
    this.pending = []
    this.pendingBytes = 0
    this.writing = true
    this.target.write(bytes, () => {
      this.writing = false
      this.request()
    })
  }
}
