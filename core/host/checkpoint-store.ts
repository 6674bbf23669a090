/**
 * A VM's checkpoints on disk (Hyper-V Manager's Checkpoints pane), beside its saved state in
 * `<data dir>/files/<id>/checkpoints/`: `tree.json` (core/vmm/saved-state's CheckpointTree)
 * and one saved-state container per checkpoint (`<checkpoint id>.hvs`). Every write is
 * atomic; a container is written before the tree that refers to it and removed after the
 * tree that forgets it, so a crash leaves at worst an unreferenced file, never a dangling
 * checkpoint. Default names follow Hyper-V: `<vm name> (MM/DD/YYYY - hh:mm:ss AM/PM)`.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CheckpointTree } from '../vmm/saved-state/checkpoint-tree'
import type { CheckpointList, CheckpointSettings, VmConfig } from '../../contract'
import { writeFileAtomic } from './atomic-file'

const two = (n: number): string => String(n).padStart(2, '0')

/** Hyper-V's default checkpoint name for a VM at local time `date`. */
export function defaultCheckpointName(vmName: string, date: Date): string {
  const h = date.getHours()
  const h12 = h % 12 === 0 ? 12 : h % 12
  const stamp = `${two(date.getMonth() + 1)}/${two(date.getDate())}/${date.getFullYear()} - ${two(h12)}:${two(date.getMinutes())}:${two(date.getSeconds())} ${h < 12 ? 'AM' : 'PM'}`
  return `${vmName} (${stamp})`
}

/**
 * Where a VM's checkpoint files live: `<VM folder>/checkpoints`, or `<location>/<VM id>` when
 * Settings › Checkpoints names a folder (one subfolder per VM, so VMs may share a location).
 */
export function checkpointFolder(vmFolder: string, id: string, settings: CheckpointSettings | undefined): string {
  return settings?.location ? join(settings.location, id) : join(vmFolder, 'checkpoints')
}

/** A production checkpoint of an Off VM records only its configuration, in a `config-*.json` file. */
export const isConfigRef = (ref: string): boolean => ref.startsWith('config-') && ref.endsWith('.json')

export class CheckpointStore {
  private readonly folder: string

  constructor(vmFolder: string, folder = join(vmFolder, 'checkpoints')) {
    this.folder = folder
  }

  private get treePath(): string {
    return join(this.folder, 'tree.json')
  }

  async load(): Promise<CheckpointTree> {
    let text: string
    try {
      text = await readFile(this.treePath, 'utf8')
    } catch {
      return CheckpointTree.fromJSON({ version: 1, checkpoints: [], current: null, nextId: 1 })
    }
    return CheckpointTree.fromJSON(JSON.parse(text))
  }

  async save(tree: CheckpointTree): Promise<void> {
    await mkdir(this.folder, { recursive: true })
    await writeFileAtomic(this.treePath, JSON.stringify(tree.toJSON(), null, 1))
  }

  /** Adds a checkpoint holding `state` as a child of the current one (which it becomes). */
  async take(name: string, state: Uint8Array, now: number): Promise<CheckpointTree> {
    const tree = await this.load()
    await mkdir(this.folder, { recursive: true })
    const ref = `state-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}.hvs`
    await writeFileAtomic(join(this.folder, ref), state)
    tree.take(name, ref, now)
    await this.save(tree)
    return tree
  }

  /** Adds a checkpoint of the configuration only (an Off VM). */
  async takeConfig(name: string, config: VmConfig, now: number): Promise<CheckpointTree> {
    const tree = await this.load()
    await mkdir(this.folder, { recursive: true })
    const ref = `config-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}.json`
    await writeFileAtomic(join(this.folder, ref), JSON.stringify(config, null, 1))
    tree.take(name, ref, now)
    await this.save(tree)
    return tree
  }

  /** True when the tree names at least one checkpoint. */
  async any(): Promise<boolean> {
    return (await this.load()).all().length > 0
  }

  async readState(ref: string): Promise<Uint8Array> {
    if (!/^[A-Za-z0-9.-]+$/.test(ref)) throw new Error('bad checkpoint file name')
    return new Uint8Array(await readFile(join(this.folder, ref)))
  }

  /** Deletes one checkpoint (children move up) or its whole subtree. */
  async delete(tree: CheckpointTree, id: string, subtree: boolean): Promise<void> {
    const doomed: string[] = []
    const collect = (cid: string): void => {
      for (const c of tree.children(cid)) collect(c.id)
      doomed.push(cid)
    }
    if (subtree) collect(id)
    else doomed.push(id)
    const refs = doomed.map((cid) => tree.delete(cid))
    await this.save(tree)
    for (const ref of refs) await rm(join(this.folder, ref), { force: true }).catch(() => undefined)
  }

  /** Removes containers the tree does not name (a crash between writing one and the tree). */
  async sweep(): Promise<number> {
    let names: string[]
    try {
      names = await readdir(this.folder)
    } catch {
      return 0
    }
    let tree: CheckpointTree
    try {
      tree = await this.load()
    } catch {
      // A corrupt tree is reported when used; never delete states it might still name.
      return 0
    }
    const named = new Set(tree.all().map((c) => c.stateRef))
    const orphans = names.filter((n) => (n.endsWith('.hvs') || isConfigRef(n)) && !named.has(n))
    for (const n of orphans) await rm(join(this.folder, n), { force: true })
    return orphans.length
  }

  async removeAll(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true })
  }
}

/** The contract's view of a tree. */
export function checkpointList(id: string, tree: CheckpointTree): CheckpointList {
  return {
    id,
    checkpoints: tree.all().map((c) => ({
      id: c.id, name: c.name, parentId: c.parentId, createdAt: c.createdAt, kind: isConfigRef(c.stateRef) ? 'configuration' : 'standard',
    })),
    current: tree.current?.id ?? null,
  }
}
