import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { HostService } from '../../../core/host/host-service'
import { CheckpointStore } from '../../../core/host/checkpoint-store'
import { inProcessRunner } from '../../../core/host/vm-runner'
import { MANIFEST_NAME } from '../../../core/host/vm-package'
import type { HostEvent, Result, VmConfig, VmSummary } from '../../../contract'
import { fakeMachineFactory } from './fake-machine'
import { helloConfig, makeFixture, type Fixture, value, errorOf } from './helpers'

// The fake machine's saved states are "fake-state:…", not core/vmm containers.
const checkSavedState = (b: Uint8Array): void => {
  if (!new TextDecoder().decode(b).startsWith('fake-state:')) throw new Error('not a fake state')
}
const open = (f: Fixture, dataDir = f.dataDir): Promise<HostService> =>
  HostService.open({ dataDir, guestsDir: f.guestsDir, runner: inProcessRunner(fakeMachineFactory()), checkSavedState })

let f: Fixture
let a: HostService
let b: HostService
let exports: string

beforeEach(async () => {
  f = makeFixture()
  a = await open(f)
  b = await open(f, join(f.root, 'data-b'))
  exports = join(f.root, 'exports')
  mkdirSync(exports)
})

afterEach(async () => {
  await a.close()
  await b.close()
  f.cleanup()
})

async function savedVmWithCheckpoints(host: HostService, dataDir: string, name: string): Promise<VmSummary> {
  const vm = value<VmSummary>(await host.invoke('vm:create', { config: helloConfig(name) }))
  value(await host.invoke('vm:start', { id: vm.id }))
  value(await host.invoke('vm:save', { id: vm.id }))
  const store = new CheckpointStore(join(dataDir, 'files', vm.id))
  await store.take('first', new TextEncoder().encode('fake-state:one'), 1000)
  await store.take('second', new TextEncoder().encode('fake-state:two'), 2000)
  return vm
}

function kernelConfig(dir: string): VmConfig {
  writeFileSync(join(dir, 'my kernel.elf'), 'KERNEL-BYTES')
  writeFileSync(join(dir, 'initrd.img'), 'INITRD')
  return { ...helloConfig('Kernel VM'), boot: { kind: 'kernel', kernelPath: join(dir, 'my kernel.elf'), initrdPath: join(dir, 'initrd.img'), cmdline: 'console=ttyS0' } }
}

describe('export and import', () => {
  it('exports a kernel VM with its boot files and imports it on another host with the same id', async () => {
    const vm = value<VmSummary>(await a.invoke('vm:create', { config: kernelConfig(f.root) }))
    const events: HostEvent[] = []
    a.subscribe((e) => events.push(e))
    const r = value<{ path: string; bytes: number }>(await a.invoke('vm:export', { id: vm.id, path: exports }))
    expect(r.path).toBe(join(exports, 'Kernel VM'))
    expect(r.bytes).toBe('KERNEL-BYTES'.length + 'INITRD'.length)
    expect(readdirSync(exports)).toEqual(['Kernel VM'])
    // A folder that does not exist yet is created.
    value(await a.invoke('vm:export', { id: vm.id, path: join(exports, 'new', 'deeper') }))
    expect(existsSync(join(exports, 'new', 'deeper', 'Kernel VM', MANIFEST_NAME))).toBe(true)
    const manifest = JSON.parse(readFileSync(join(r.path, MANIFEST_NAME), 'utf8'))
    expect(manifest.config.boot.kernelPath).toBe('boot/my_kernel.elf')
    const progress = events.filter((e) => e.channel === 'vm:progress').map((e) => e.payload as { operation: string; percent: number; done: boolean })
    expect(progress.every((p) => p.operation === 'export')).toBe(true)
    expect(progress.at(-1)).toMatchObject({ percent: 100, done: true })

    // Picking the manifest (a file dialog cannot pick folders) imports its folder.
    const imported = value<VmSummary>(await b.invoke('vm:import', { path: join(r.path, MANIFEST_NAME) }))
    expect(imported.id).toBe(vm.id)
    expect(imported.state).toBe('Off')
    const boot = imported.config.boot as Extract<VmConfig['boot'], { kind: 'kernel' }>
    expect(boot.kernelPath.startsWith(join(f.root, 'data-b', 'files', vm.id))).toBe(true)
    expect(readFileSync(boot.kernelPath, 'utf8')).toBe('KERNEL-BYTES')
    expect(readFileSync(boot.initrdPath!, 'utf8')).toBe('INITRD')
    expect({ ...imported.config, boot: null }).toEqual({ ...vm.config, boot: null })
    // The import survives a restart of host B.
    const again = await open(f, join(f.root, 'data-b'))
    expect(value<VmSummary[]>(await again.invoke('vm:list', {})).map((v) => v.id)).toEqual([vm.id])
  })

  it('round-trips a Saved VM with checkpoints; importing next to the original gets a new id', async () => {
    const vm = await savedVmWithCheckpoints(a, f.dataDir, 'Saved VM')
    const r = value<{ path: string }>(await a.invoke('vm:export', { id: vm.id, path: exports }))
    const copy = value<VmSummary>(await a.invoke('vm:import', { path: r.path }))
    expect(copy.id).not.toBe(vm.id)
    expect(copy.state).toBe('Saved')
    const list = value<{ checkpoints: { name: string; parentId: string | null }[] }>(await a.invoke('checkpoint:list', { id: copy.id }))
    expect(list.checkpoints.map((c) => c.name)).toEqual(['first', 'second'])
    const started = value<VmSummary>(await a.invoke('vm:start', { id: copy.id }))
    expect(started.state).toBe('Running')
    expect(value<VmSummary[]>(await a.invoke('vm:list', {})).length).toBe(2)
  })

  it('refuses a Running VM, a missing or relative folder, and an existing target', async () => {
    const vm = value<VmSummary>(await a.invoke('vm:create', { config: helloConfig('X') }))
    expect(errorOf(await a.invoke('vm:export', { id: vm.id, path: 'relative/dir' })).code).toBe('INVALID_ARGUMENT')
    writeFileSync(join(exports, 'a-file'), '')
    expect(errorOf(await a.invoke('vm:export', { id: vm.id, path: join(exports, 'a-file') })).message).toMatch(/is not a folder/)
    value(await a.invoke('vm:export', { id: vm.id, path: exports }))
    expect(errorOf(await a.invoke('vm:export', { id: vm.id, path: exports })).message).toMatch(/already exists/)
    value(await a.invoke('vm:start', { id: vm.id }))
    expect(errorOf(await a.invoke('vm:export', { id: vm.id, path: f.root })).code).toBe('INVALID_STATE')
  })

  describe('corrupt input', () => {
    let path: string
    beforeEach(async () => {
      const vm = await savedVmWithCheckpoints(a, f.dataDir, 'Victim')
      path = value<{ path: string }>(await a.invoke('vm:export', { id: vm.id, path: exports })).path
    })
    const manifest = (): Record<string, unknown> => JSON.parse(readFileSync(join(path, MANIFEST_NAME), 'utf8'))
    const setManifest = (m: Record<string, unknown>): void => writeFileSync(join(path, MANIFEST_NAME), JSON.stringify(m))
    const refused = async (pattern: RegExp, code = 'INVALID_ARGUMENT'): Promise<void> => {
      const e = errorOf(await b.invoke('vm:import', { path }))
      expect(e.code).toBe(code)
      expect(e.message).toMatch(pattern)
      expect(value<VmSummary[]>(await b.invoke('vm:list', {}))).toEqual([])
      expect(existsSync(join(f.root, 'data-b', 'files'))).toBe(false)
    }

    it('a changed byte', async () => {
      writeFileSync(join(path, 'saved-state.hvs'), 'fake-state:tampered')
      await refused(/saved-state.hvs (has|is corrupt)/)
    })
    it('a missing manifest or file', async () => {
      const text = readFileSync(join(path, MANIFEST_NAME))
      writeFileSync(join(path, MANIFEST_NAME), '{"format": trunc')
      await refused(/not JSON/)
      writeFileSync(join(path, MANIFEST_NAME), text)
      const cp = (manifest().files as { path: string }[]).find((x) => x.path.startsWith('checkpoints/state'))!.path
      writeFileSync(join(path, cp), '')
      await refused(/has 0 bytes/)
    })
    it('paths outside the export', async () => {
      const m = manifest()
      ;(m.files as { path: string }[])[0]!.path = '../../etc/passwd'
      setManifest(m)
      await refused(/path that is not allowed/)
    })
    it('a saved state this host cannot restore', async () => {
      const bytes = new TextEncoder().encode('garbage')
      const m = manifest()
      const entry = (m.files as { path: string; size: number; sha256: string }[]).find((x) => x.path === 'saved-state.hvs')!
      writeFileSync(join(path, 'saved-state.hvs'), bytes)
      entry.size = bytes.length
      entry.sha256 = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex')
      setManifest(m)
      await refused(/not a saved state this host can restore/)
    })
    it('invalid settings or a guest this host lacks', async () => {
      const m = manifest()
      setManifest({ ...m, config: { ...(m.config as object), memoryMiB: 0 } })
      await refused(/settings are invalid.*memoryMiB/)
      setManifest({ ...m, config: { ...(m.config as object), boot: { kind: 'bundled', guest: 'absent' } } })
      await refused(/does not have/, 'BOOT_SOURCE')
    })
  })
})

describe('move between hosts', () => {
  async function move(id: string): Promise<{ packageId: string; imported: VmSummary }> {
    const { packageId, size } = value<{ packageId: string; size: number }>(await a.invoke('vm:package', { id }))
    let offset = 0
    let file: { path: string } | null = null
    for (;;) {
      const chunk = value<{ data: string; final: boolean }>(await a.invoke('package:read', { packageId, offset }))
      const up = value<{ received: number; file: { path: string } | null }>(
        await b.invoke('file:upload', { uploadId: packageId, name: 'vm.hvmpkg', offset, data: chunk.data, final: chunk.final }),
      )
      offset = up.received
      file = up.file
      if (chunk.final) break
    }
    expect(offset).toBe(size)
    const imported = value<VmSummary>(await b.invoke('vm:import', { path: file!.path }))
    // The uploaded package is consumed by the import.
    expect(existsSync(file!.path)).toBe(false)
    return { packageId, imported }
  }

  it('packs, copies in chunks, imports on the target and deletes on the source', async () => {
    const vm = await savedVmWithCheckpoints(a, f.dataDir, 'Traveller')
    const { packageId, imported } = await move(vm.id)
    expect(imported).toMatchObject({ id: vm.id, state: 'Saved' })
    value(await a.invoke('vm:completeMove', { id: vm.id, packageId }))
    expect(value<VmSummary[]>(await a.invoke('vm:list', {}))).toEqual([])
    expect(existsSync(join(f.dataDir, 'files', vm.id))).toBe(false)
    expect(existsSync(join(f.dataDir, 'packages', `${packageId}.hvmpkg`))).toBe(false)
    const cps = value<{ checkpoints: unknown[] }>(await b.invoke('checkpoint:list', { id: vm.id }))
    expect(cps.checkpoints.length).toBe(2)
  })

  it('keeps the source VM when it changed after packing', async () => {
    const vm = value<VmSummary>(await a.invoke('vm:create', { config: helloConfig('Busy') }))
    const { packageId } = await move(vm.id)
    value(await a.invoke('vm:update', { id: vm.id, config: { ...vm.config, notes: 'edited meanwhile' } }))
    expect(errorOf(await a.invoke('vm:completeMove', { id: vm.id, packageId })).message).toMatch(/changed after it was packed/)
    expect(value<VmSummary[]>(await a.invoke('vm:list', {})).length).toBe(1)
    value(await a.invoke('package:discard', { packageId }))
    expect(errorOf(await a.invoke('package:read', { packageId, offset: 0 })).message).toMatch(/no package/)
  })

  it('refuses a truncated package', async () => {
    const vm = value<VmSummary>(await a.invoke('vm:create', { config: helloConfig('Cut') }))
    const { packageId } = value<{ packageId: string }>(await a.invoke('vm:package', { id: vm.id }))
    const chunk = value<{ data: string }>(await a.invoke('package:read', { packageId, offset: 0 }))
    const bytes = Buffer.from(chunk.data, 'base64').subarray(0, 40)
    const pkg = join(f.root, 'cut.hvmpkg')
    writeFileSync(pkg, bytes)
    const e = errorOf(await b.invoke('vm:import', { path: pkg }))
    expect(e.message).toMatch(/truncated/)
  })
})
