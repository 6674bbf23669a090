/**
 * The host's checkpoint commands (Hyper-V Manager's Checkpoint, Apply, Rename, Delete,
 * Delete Subtree) on top of checkpoint-store.ts: a checkpoint captures the running VM's
 * saved-state container without stopping it (core/vmm Machine.captureSavedState); Apply
 * makes a checkpoint's container the VM's saved state, so the VM is Saved and Start resumes
 * the guest where the checkpoint was taken, as Hyper-V does for checkpoints of running VMs.
 * Progress goes out as `vm:progress` events.
 */
import { mkdir, rm } from 'node:fs/promises'
import {
  ErrorCode, HvError, defaultCheckpointSettings, settingsNeedingOff, validateVmConfig, type CheckpointList, type VmConfig,
} from '../../contract'
import { CheckpointError, type CheckpointTree } from '../vmm/saved-state/checkpoint-tree'
import { writeFileAtomic } from './atomic-file'
import { CheckpointStore, checkpointList, defaultCheckpointName, isConfigRef } from './checkpoint-store'
import { notAvailable } from './host-rules'
import { clearRunning, type VmHost } from './live-vm'

export class CheckpointOps {
  constructor(private readonly host: VmHost) {}

  private store(id: string): CheckpointStore {
    return new CheckpointStore(this.host.vmFolder(id), this.host.checkpointFolder(id))
  }

  private async load(id: string): ReturnType<CheckpointStore['load']> {
    try {
      return await this.store(id).load()
    } catch (e) {
      throw new HvError(ErrorCode.STORAGE, `The checkpoint list could not be read: ${(e as Error).message}`)
    }
  }

  /** Runs a tree change: unknown ids are INVALID_ARGUMENT, disk failures STORAGE. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (e) {
      if (e instanceof HvError) throw e
      if (e instanceof CheckpointError) throw new HvError(ErrorCode.INVALID_ARGUMENT, `Checkpoint: ${e.message}`)
      throw new HvError(ErrorCode.STORAGE, `The checkpoint could not be written: ${(e as Error).message}`)
    }
  }

  async list(id: string): Promise<CheckpointList> {
    this.host.record(id)
    return checkpointList(id, await this.load(id))
  }

  async rename(id: string, checkpointId: string, name: string): Promise<CheckpointList> {
    this.host.record(id)
    const tree = await this.load(id)
    return this.guard(async () => {
      tree.rename(checkpointId, name)
      await this.store(id).save(tree)
      return checkpointList(id, tree)
    })
  }

  async delete(id: string, checkpointId: string, subtree: boolean): Promise<CheckpointList> {
    this.host.record(id)
    const tree = await this.load(id)
    return this.guard(async () => {
      if (!tree.get(checkpointId)) throw new CheckpointError(`there is no checkpoint "${checkpointId}"`)
      await this.store(id).delete(tree, checkpointId, subtree)
      return checkpointList(id, tree)
    })
  }

  /**
   * Takes a checkpoint as Settings › Checkpoints says (Hyper-V's rules): refused when
   * checkpoints are turned off; of an Off VM, the configuration; of a Running or Paused VM,
   * the running state (a standard checkpoint; the guest keeps running) — for the production
   * type only when falling back to standard is allowed, since a production checkpoint needs a
   * backup service inside the guest (VSS) that these guests do not have.
   */
  async take(id: string, requested: string): Promise<CheckpointList> {
    const h = this.host
    const config = h.record(id).config
    const name = config.name
    const settings = config.checkpoints ?? defaultCheckpointSettings
    const vm = h.live(id)
    if (!settings.enabled) {
      throw new HvError(ErrorCode.INVALID_STATE, `Checkpoints are turned off for "${name}"; turn on "Enable checkpoints" in Settings › Checkpoints to create one`)
    }
    const cpName = requested || defaultCheckpointName(name, new Date(h.now()))
    if (vm.state === 'Off') {
      const tree = await this.guard(() => this.store(id).takeConfig(cpName, config, h.now()))
      h.progress(id, 'checkpoint', 100, `Checkpoint "${cpName}" created (configuration)`)
      return checkpointList(id, tree)
    }
    if ((vm.state !== 'Running' && vm.state !== 'Paused') || !vm.runner) {
      throw new HvError(ErrorCode.INVALID_STATE, `"${name}" is ${vm.state}; only a VM that is Off, Running or Paused can be checkpointed`)
    }
    if (settings.type === 'production' && !settings.fallbackToStandard) {
      throw new HvError(
        ErrorCode.INVALID_STATE,
        `"${name}" uses production checkpoints, which need a backup service inside the guest (VSS) to capture a consistent state, and this guest has none; ` +
        'choose Standard or allow standard checkpoints as a fallback in Settings › Checkpoints, or turn the VM off to checkpoint its configuration',
      )
    }
    if (!vm.runner.capture) throw notAvailable('Checkpoint', 'this machine cannot capture its state')
    h.progress(id, 'checkpoint', 10, `Creating checkpoint "${cpName}"…`)
    try {
      const bytes = await vm.runner.capture()
      h.progress(id, 'checkpoint', 60, `Writing checkpoint "${cpName}"…`)
      const tree = await this.guard(() => this.store(id).take(cpName, bytes, h.now()))
      h.progress(id, 'checkpoint', 100, `Checkpoint "${cpName}" created`)
      return checkpointList(id, tree)
    } catch (e) {
      h.progress(id, 'checkpoint', 100, `Checkpoint failed: ${(e as Error).message}`)
      if (e instanceof HvError) throw e
      throw new HvError(ErrorCode.MACHINE, `"${name}" could not be checkpointed: ${(e as Error).message}`)
    }
  }

  /**
   * Applying a configuration checkpoint: the VM is Off (a running guest is turned off, a saved
   * state discarded) with the checkpoint's machine settings; Name, Notes and the management
   * settings stay as they are now.
   */
  private async applyConfiguration(id: string, tree: CheckpointTree, ref: string, cpName: string): Promise<CheckpointList> {
    const h = this.host
    let saved: VmConfig
    try {
      saved = validateVmConfig(JSON.parse(new TextDecoder().decode(await this.store(id).readState(ref))))
    } catch (e) {
      h.progress(id, 'apply', 100, 'Applying the checkpoint failed')
      throw new HvError(ErrorCode.STORAGE, `The checkpoint's configuration could not be read: ${(e as Error).message}`)
    }
    const vm = h.live(id)
    const runner = vm.runner
    if (runner && (vm.state === 'Running' || vm.state === 'Paused')) {
      vm.runner = null
      h.flush(id)
      await runner.turnOff().catch(() => undefined)
    }
    const now = h.record(id).config
    const next: VmConfig = { ...now }
    for (const k of settingsNeedingOff) {
      if (saved[k] === undefined) delete next[k]
      else (next as unknown as Record<string, unknown>)[k] = saved[k]
    }
    await this.guard(async () => {
      await rm(h.savedStatePath(id), { force: true })
      await h.setConfig(id, next)
      await this.store(id).save(tree)
    })
    return this.applied(id, tree, 'Off', cpName)
  }

  /** The VM now stands at the applied checkpoint (Off for a configuration one, else Saved). */
  private applied(id: string, tree: Awaited<ReturnType<CheckpointStore['load']>>, state: 'Off' | 'Saved', name: string): CheckpointList {
    const h = this.host
    const vm = h.live(id)
    vm.state = state
    clearRunning(vm)
    vm.lastStop = null
    h.changed(id)
    h.progress(id, 'apply', 100, `Applied "${name}"`)
    return checkpointList(id, tree)
  }

  /** Apply (Revert): `createFirst` checkpoints the current state first (Hyper-V's "Create Checkpoint and Apply"). */
  async apply(id: string, checkpointId: string, createFirst: boolean): Promise<CheckpointList> {
    const h = this.host
    const name = h.record(id).config.name
    const vm = h.live(id)
    if (!(await this.load(id)).get(checkpointId)) throw new HvError(ErrorCode.INVALID_ARGUMENT, `Checkpoint: there is no checkpoint "${checkpointId}"`)
    if (!['Running', 'Paused', 'Off', 'Saved'].includes(vm.state)) {
      throw new HvError(ErrorCode.INVALID_STATE, `"${name}" is ${vm.state}; wait until it is Running, Paused, Saved or Off to apply a checkpoint`)
    }
    if (createFirst && (vm.state === 'Running' || vm.state === 'Paused' || vm.state === 'Off')) await this.take(id, '')
    h.progress(id, 'apply', 10, 'Applying checkpoint…')
    const tree = await this.load(id)
    const target = tree.revert(checkpointId)
    if (isConfigRef(target.stateRef)) return this.applyConfiguration(id, tree, target.stateRef, target.name)
    let bytes: Uint8Array
    try {
      bytes = await this.store(id).readState(target.stateRef)
    } catch (e) {
      h.progress(id, 'apply', 100, 'Applying the checkpoint failed')
      throw new HvError(ErrorCode.STORAGE, `The checkpoint's saved state could not be read: ${(e as Error).message}`)
    }
    const runner = vm.runner
    if (runner && (vm.state === 'Running' || vm.state === 'Paused')) {
      // Detach first so the machine's stop does not read as the VM turning Off.
      vm.runner = null
      h.flush(id)
      await runner.turnOff().catch(() => undefined)
    }
    h.progress(id, 'apply', 50, 'Writing the saved state…')
    await this.guard(async () => {
      await mkdir(h.vmFolder(id), { recursive: true })
      await writeFileAtomic(h.savedStatePath(id), bytes)
      await this.store(id).save(tree)
    })
    return this.applied(id, tree, 'Saved', target.name)
  }
}
