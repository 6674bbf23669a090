import { describe, expect, it } from 'vitest'
import { decodeContainer, encodeContainer, SavedStateError } from '../../../../core/vmm/saved-state/container'
import { CheckpointTree } from '../../../../core/vmm/saved-state/checkpoint-tree'
import { Machine } from '../../../../core/vmm/machine'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { savedStateConfig } from '../../../../core/vmm/saved-state'

const golden = new Uint8Array(readFileSync(join(__dirname, '../../../fixtures/saved-state/hello-v1.hvsave')))

describe('saved-state container', () => {
  it('round-trips sections and rejects corruption, truncation, bad magic and unknown versions', () => {
    const c = encodeContainer([{ name: 'a', data: Uint8Array.of(1, 2) }, { name: 'b', data: new Uint8Array(0) }])
    expect([...decodeContainer(c).sections.get('a')!]).toEqual([1, 2])
    const flipped = c.slice()
    flipped[c.length - 8] ^= 1
    expect(() => decodeContainer(flipped)).toThrow(/checksum/)
    expect(() => decodeContainer(c.subarray(0, c.length - 3))).toThrow(SavedStateError)
    const magic = c.slice()
    magic[0] = 0
    expect(() => decodeContainer(magic)).toThrow(/magic/)
    expect(() => decodeContainer(encodeContainer([], 7))).toThrow(/version 7/)
  })

  it('a machine refuses a corrupt file with a reason and stays Off', async () => {
    const bad = golden.slice()
    bad[bad.length >> 1] ^= 0x40
    const config = { ...savedStateConfig(golden), restoreFrom: bad }
    const m = new Machine(config, { serial: () => {}, stopped: () => {} })
    await expect(m.start()).rejects.toThrow(/saved state rejected/)
    expect(m.state).toBe('Off')
    const other = new Machine({ ...savedStateConfig(golden), memoryMiB: 4 }, { serial: () => {}, stopped: () => {} })
    await expect(other.start()).rejects.toThrow(/2 MiB/)
    expect(other.state).toBe('Off')
  })
})

describe('checkpoint tree', () => {
  it('takes, reverts, branches, deletes and survives JSON', () => {
    const t = new CheckpointTree()
    const a = t.take('base', 'a.hvsave', 1)
    const b = t.take('after update', 'b.hvsave', 2)
    expect(t.current!.id).toBe(b.id)
    expect(t.revert(a.id).stateRef).toBe('a.hvsave')
    const c = t.take('branch', 'c.hvsave', 3)
    expect(c.parentId).toBe(a.id)
    expect(t.children(a.id).map((x) => x.name).sort()).toEqual(['after update', 'branch'])
    expect(t.delete(a.id)).toBe('a.hvsave')
    expect(t.get(b.id)!.parentId).toBeNull()
    const back = CheckpointTree.fromJSON(JSON.parse(JSON.stringify(t.toJSON())))
    expect(back.current!.id).toBe(c.id)
    expect(back.lineage(c.id).map((x) => x.id)).toEqual([c.id])
    expect(() => CheckpointTree.fromJSON({ version: 1, checkpoints: [{ id: 'x', name: 'x', parentId: 'x', createdAt: 0, stateRef: 'r' }], current: null, nextId: 2 })).toThrow(/cycle/)
    expect(() => t.take('  ', 'r', 0)).toThrow()
  })
})
