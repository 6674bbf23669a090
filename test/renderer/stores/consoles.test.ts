import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ErrorCode, HvError } from '../../../contract'
import { THUMBNAIL_INTERVAL_MS, useConsoleStore } from '../../../renderer/src/stores/consoles'
import { useErrorStore } from '../../../renderer/src/stores/errors'
import { fakeClient } from './fake-client'

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => vi.useRealTimers())

describe('console store', () => {
  it('merges history and live chunks by offset without duplicates', async () => {
    const f = fakeClient({ 'console:history': () => ({ id: 'a', port: 0, offset: 0, data: 'Hello\r\nrea' }) })
    const store = useConsoleStore()
    store.attach(f.client)
    let shown = ''
    store.addSink('a', (b, reset) => (shown = reset ? b : shown + b))
    // A live chunk arrives before the history answer and overlaps it.
    f.emit('console:output', { id: 'a', port: 0, offset: 7, data: 'rea' })
    await store.connect('a')
    f.emit('console:output', { id: 'a', port: 0, offset: 7, data: 'ready\r\n' })
    f.emit('console:output', { id: 'a', port: 0, offset: 14, data: 'x' })
    f.emit('console:output', { id: 'a', port: 1, offset: 0, data: 'COM2 ignored' })
    expect(store.stream('a').data).toBe('Hello\r\nready\r\nx')
    expect(shown).toBe('Hello\r\nready\r\nx')
    expect(store.open).toEqual(['a'])
  })

  it('gives a late terminal what was already received', () => {
    const f = fakeClient({})
    const store = useConsoleStore()
    store.attach(f.client)
    f.emit('console:output', { id: 'a', port: 0, offset: 0, data: 'boot' })
    const seen: [string, boolean][] = []
    store.addSink('a', (b, reset) => seen.push([b, reset]))
    f.emit('console:output', { id: 'a', port: 0, offset: 4, data: '!' })
    expect(seen).toEqual([['boot', true], ['!', false]])
  })

  it('continues after a gap (bytes dropped by the host) by showing what follows', () => {
    const f = fakeClient({})
    const store = useConsoleStore()
    store.attach(f.client)
    f.emit('console:output', { id: 'a', port: 0, offset: 0, data: 'ab' })
    f.emit('console:output', { id: 'a', port: 0, offset: 10, data: 'xy' })
    expect(store.stream('a')).toMatchObject({ start: 10, end: 12, data: 'xy' })
  })

  it('sends typed text as a UTF-8 byte string and reports refusals', async () => {
    const f = fakeClient({
      'console:input': (args) => {
        if ((args as { id: string }).id === 'off') throw new HvError(ErrorCode.INVALID_STATE, 'is Off')
        return { accepted: 1 }
      },
    })
    const store = useConsoleStore()
    store.attach(f.client)
    await store.type('a', 'é\r')
    expect(f.calls[0]!.args).toEqual({ id: 'a', port: 0, data: '\u00c3\u00a9\r' })
    await store.type('off', 'x')
    expect(useErrorStore().toasts[0]).toMatchObject({ code: 'INVALID_STATE' })
  })

  it('redraws the thumbnail at once, then at most every THUMBNAIL_INTERVAL_MS while a guest floods COM1', () => {
    vi.useFakeTimers()
    const f = fakeClient({})
    const store = useConsoleStore()
    store.attach(f.client)
    let offset = 0
    const chunk = (data: string): void => {
      f.emit('console:output', { id: 'a', port: 0, offset, data })
      offset += data.length
    }
    chunk('first line\r\n')
    expect(store.revision.a).toBe(1)
    expect(store.tail('a', 1)).toBe('')
    expect(store.tail('a', 2)).toBe('first line\n')
    for (let i = 0; i < 100; i++) chunk(`line ${i}\r\n`)
    expect(store.revision.a).toBe(1)
    vi.advanceTimersByTime(THUMBNAIL_INTERVAL_MS)
    expect(store.revision.a).toBe(2)
    expect(store.tail('a', 2)).toBe('line 99\n')
    // Quiet for a whole interval: the next byte shows at once again.
    vi.advanceTimersByTime(THUMBNAIL_INTERVAL_MS * 2)
    expect(store.revision.a).toBe(2)
    chunk('late\r\n')
    expect(store.revision.a).toBe(3)
    // COM2 output never redraws the (COM1) thumbnail.
    f.emit('console:output', { id: 'a', port: 1, offset: 0, data: 'com2' })
    vi.advanceTimersByTime(THUMBNAIL_INTERVAL_MS * 2)
    expect(store.revision.a).toBe(3)
  })
})
