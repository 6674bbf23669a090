import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ErrorCode, HvError } from '../../../contract'
import { useTransferStore } from '../../../renderer/src/stores/transfers'
import { useErrorStore } from '../../../renderer/src/stores/errors'
import { fakeClient } from './fake-client'

beforeEach(() => setActivePinia(createPinia()))

/** A source host whose package is `size` bytes, read in chunks of 4. */
function source(size: number, completeMove: () => unknown = () => ({ id: 'vm1' })) {
  const bytes = Buffer.from('x'.repeat(size))
  return fakeClient({
    'vm:package': () => ({ packageId: 'pkg', size }),
    'package:read': (a) => {
      const { offset } = a as { offset: number }
      const end = Math.min(size, offset + 4)
      return { packageId: 'pkg', offset, size, data: bytes.subarray(offset, end).toString('base64'), final: end >= size }
    },
    'vm:completeMove': completeMove,
    'package:discard': () => ({ packageId: 'pkg' }),
  })
}

function target(importFails = false) {
  let received = 0
  return fakeClient({
    'file:upload': (a) => {
      const { data, final } = a as { data: string; final: boolean }
      received += Buffer.from(data, 'base64').length
      return { uploadId: 'pkg', received, file: final ? { path: '/up/vm.hvmpkg', size: received } : null }
    },
    'vm:import': () => {
      if (importFails) throw new HvError(ErrorCode.INVALID_ARGUMENT, 'The export is not valid: corrupt')
      return { id: 'vm1' }
    },
  })
}

describe('transfers store', () => {
  it('moves in chunks, imports on the target and only then completes on the source', async () => {
    const s = source(10)
    const t = target()
    const store = useTransferStore()
    expect(await store.moveVm(s.client, t.client, 'vm1', 'VM', 'other')).toBe(true)
    expect(t.calls.filter((c) => c.channel === 'file:upload').map((c) => (c.args as { offset: number }).offset)).toEqual([0, 4, 8])
    const order = [...s.calls, ...t.calls].map((c) => c.channel)
    expect(order.indexOf('vm:completeMove')).toBeGreaterThan(-1)
    // completeMove is the source's last call; the import happened on the target before it.
    expect(s.calls.at(-1)!.channel).toBe('vm:completeMove')
    expect(t.calls.at(-1)!.channel).toBe('vm:import')
    expect(store.entries.at(-1)).toMatchObject({ operation: 'move', percent: 100, done: true, failed: false })
    expect(store.moving).toEqual({})
  })

  it('keeps the VM on the source and discards the package when the target refuses the import', async () => {
    const s = source(6)
    const store = useTransferStore()
    expect(await store.moveVm(s.client, target(true).client, 'vm1', 'VM', 'other')).toBe(false)
    expect(s.calls.map((c) => c.channel)).not.toContain('vm:completeMove')
    expect(s.calls.at(-1)!.channel).toBe('package:discard')
    expect(useErrorStore().toasts[0]!.message).toMatch(/corrupt\. The VM was left where it was/)
    expect(store.entries.at(-1)).toMatchObject({ failed: true })
  })

  it('says both copies exist when the source cannot delete after the import', async () => {
    const s = source(3, () => {
      throw new HvError(ErrorCode.INVALID_STATE, '"VM" changed after it was packed')
    })
    expect(await useTransferStore().moveVm(s.client, target().client, 'vm1', 'VM', 'other')).toBe(false)
    expect(useErrorStore().toasts[0]!.message).toMatch(/copied to other but also kept here/)
  })

  it('shows host progress events per operation and VM', () => {
    const c = fakeClient({})
    const store = useTransferStore()
    store.attach(c.client)
    c.emit('vm:progress', { id: 'a', operation: 'export', percent: 40, done: false, message: 'Exporting' })
    c.emit('vm:progress', { id: 'a', operation: 'export', percent: 100, done: true, message: 'Exported' })
    c.emit('vm:progress', { id: 'b', operation: 'save', percent: 10, done: false, message: 'Saving' })
    expect(store.entries.map((e) => [e.key, e.percent])).toEqual([['export:a', 100], ['save:b', 10]])
  })
})
