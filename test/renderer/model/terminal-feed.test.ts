import { describe, expect, it } from 'vitest'
import { TerminalFeed, type FeedTarget } from '../../../renderer/src/model/terminal-feed'

/** A terminal that records what it was given and parses only when the test says so. */
function fakeTerminal() {
  const log: string[] = []
  const parsing: (() => void)[] = []
  const target: FeedTarget = {
    write: (bytes, done) => {
      log.push(bytes)
      parsing.push(done)
    },
    reset: () => log.push('<reset>'),
  }
  return { target, log, parsed: () => parsing.splice(0).forEach((d) => d()) }
}

/** Frames run only when the test calls frame(). */
function fakeFrames() {
  const queue: (() => void)[] = []
  return { schedule: (run: () => void) => void queue.push(run), frame: () => queue.splice(0).forEach((r) => r()), pending: () => queue.length }
}

describe('TerminalFeed', () => {
  it('joins the chunks of one frame into one write', () => {
    const t = fakeTerminal()
    const f = fakeFrames()
    const feed = new TerminalFeed(t.target, f.schedule)
    feed.push('ab', false)
    feed.push('cd', false)
    feed.push('e', false)
    expect(t.log).toEqual([])
    expect(f.pending()).toBe(1)
    f.frame()
    expect(t.log).toEqual(['abcde'])
  })

  it('waits for the terminal to parse a write before the next one', () => {
    const t = fakeTerminal()
    const f = fakeFrames()
    const feed = new TerminalFeed(t.target, f.schedule)
    feed.push('one', false)
    f.frame()
    feed.push('two', false)
    feed.push('three', false)
    f.frame()
    expect(t.log).toEqual(['one'])
    expect(feed.backlog).toBe('twothree'.length)
    t.parsed()
    f.frame()
    expect(t.log).toEqual(['one', 'twothree'])
  })

  it('drops the oldest bytes and resets the terminal when it falls too far behind', () => {
    const t = fakeTerminal()
    const f = fakeFrames()
    const feed = new TerminalFeed(t.target, f.schedule, 10)
    feed.push('first', false)
    f.frame() // the terminal is now busy with "first"
    feed.push('0123456789', false)
    feed.push('abcdef', false)
    expect(feed.backlog).toBe(10)
    expect(feed.dropped).toBe(6)
    t.parsed()
    f.frame()
    expect(t.log).toEqual(['first', '<reset>', '6789abcdef'])
  })

  it('a reset replaces what was pending and clears the screen first', () => {
    const t = fakeTerminal()
    const f = fakeFrames()
    const feed = new TerminalFeed(t.target, f.schedule)
    feed.push('old bytes', false)
    feed.push('whole stream', true)
    f.frame()
    expect(t.log).toEqual(['<reset>', 'whole stream'])
    // An empty reset (a fresh boot) still clears the screen.
    t.parsed()
    feed.push('', true)
    f.frame()
    expect(t.log).toEqual(['<reset>', 'whole stream', '<reset>'])
  })

  it('writes nothing after dispose', () => {
    const t = fakeTerminal()
    const f = fakeFrames()
    const feed = new TerminalFeed(t.target, f.schedule)
    feed.push('x', false)
    feed.dispose()
    f.frame()
    feed.push('y', false)
    f.frame()
    expect(t.log).toEqual([])
  })
})
