import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HostService } from '../../../core/host/host-service'
import { CheckpointStore } from '../../../core/host/checkpoint-store'
import type { VmSummary } from '../../../contract'
import { helloConfig, makeFixture, openHost, value, type Fixture } from './helpers'

let f: Fixture
let host: HostService

beforeEach(async () => {
  f = makeFixture()
  host = await openHost(f)
})
afterEach(async () => {
  await host.close()
  f.cleanup()
})

describe('recovery on start (what a crash leaves behind)', () => {
  it('sweeps temp files, orphan VM folders, staging, packages and unreferenced checkpoint states', async () => {
    const keep = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('keep') }))
    const bad = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig('corrupt') }))
    const folder = join(f.dataDir, 'files', keep.id)
    const store = new CheckpointStore(folder)
    await store.take('cp', new TextEncoder().encode('fake-state:x'), 1)
    writeFileSync(join(folder, 'checkpoints', 'state-orphan.hvs'), 'never named by the tree')
    writeFileSync(join(f.dataDir, 'vms', `.${keep.id}.json.0123456789ab.tmp`), '{"torn')
    writeFileSync(join(f.dataDir, '.index.json.0123456789ab.tmp'), '')
    writeFileSync(join(folder, '.saved-state.hvs.0123456789ab.tmp'), 'half')
    mkdirSync(join(f.dataDir, 'files', 'no-such-vm'), { recursive: true })
    mkdirSync(join(f.dataDir, 'files', bad.id), { recursive: true })
    writeFileSync(join(f.dataDir, 'files', bad.id, 'kernel'), 'user data')
    writeFileSync(join(f.dataDir, 'vms', `${bad.id}.json`), '{"corrupt')
    mkdirSync(join(f.dataDir, 'staging', 'x'), { recursive: true })
    mkdirSync(join(f.dataDir, 'packages'), { recursive: true })

    const again = await openHost(f)
    expect(value<VmSummary[]>(await again.invoke('vm:list', {})).map((v) => v.id)).toEqual([keep.id])
    expect(readdirSync(join(f.dataDir, 'vms')).sort()).toEqual([`${bad.id}.json`, `${keep.id}.json`].sort())
    expect(readdirSync(f.dataDir).filter((n) => n.endsWith('.tmp'))).toEqual([])
    expect(readdirSync(folder)).toEqual(['checkpoints'])
    expect(readdirSync(join(folder, 'checkpoints')).filter((n) => n.endsWith('.hvs')).length).toBe(1)
    expect(existsSync(join(f.dataDir, 'files', 'no-such-vm'))).toBe(false)
    // A corrupt VM file's folder is the user's to repair: kept.
    expect(existsSync(join(f.dataDir, 'files', bad.id, 'kernel'))).toBe(true)
    expect(existsSync(join(f.dataDir, 'staging'))).toBe(false)
    expect(existsSync(join(f.dataDir, 'packages'))).toBe(false)
    await again.close()
  })
})
