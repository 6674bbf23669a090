/**
 * Export, Import and Move to another host, and the progress of every long operation
 * (save, restore, checkpoint, apply, export, import, move). Export and Import run on the
 * current host and report progress through its `vm:progress` events; Move is driven from
 * here between two hosts' clients: pack on the source, read the package in chunks and
 * upload them to the target, import there, and only after the target acknowledged, ask the
 * source to delete its copy (`vm:completeMove`). A failure before that point discards the
 * package and leaves the VM where it was.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ErrorCode, HvError, type VmProgress, type VmSummary } from '../../../contract'
import type { HvClient } from '../transport/hv-client'
import { useErrorStore } from './errors'

export interface ProgressEntry {
  key: string
  operation: VmProgress['operation']
  vmId: string
  message: string
  percent: number
  done: boolean
  failed: boolean
}

export type TransferDialog = { kind: 'import' } | { kind: 'export' | 'move'; vmId: string; vmName: string }

/** How long a finished operation's bar stays visible. */
export const DONE_LINGER_MS = 4000

export const useTransferStore = defineStore('transfers', () => {
  const entries = ref<ProgressEntry[]>([])
  const dialog = ref<TransferDialog | null>(null)
  /** VM ids with an export or move in flight. */
  const moving = ref<Record<string, boolean>>({})
  const visible = computed(() => entries.value)

  function report(key: string, p: Omit<ProgressEntry, 'key' | 'failed'>): void {
    const failed = p.done && /fail/i.test(p.message)
    const entry: ProgressEntry = { key, ...p, percent: Math.max(0, Math.min(100, p.percent)), failed }
    const i = entries.value.findIndex((e) => e.key === key)
    if (i >= 0) entries.value.splice(i, 1, entry)
    else entries.value.push(entry)
    if (entry.done) {
      setTimeout(() => {
        const now = entries.value.find((e) => e.key === key)
        if (now && now.done) entries.value = entries.value.filter((e) => e.key !== key)
      }, DONE_LINGER_MS)
    }
  }

  /** Follows a host's progress events; returns a function that stops. */
  function attach(client: HvClient): () => void {
    entries.value = []
    return client.on('vm:progress', (p) => report(`${p.operation}:${p.id}`, { operation: p.operation, vmId: p.id, message: p.message, percent: p.percent, done: p.done }))
  }

  async function exportVm(client: HvClient, id: string, name: string, folder: string): Promise<string | null> {
    moving.value = { ...moving.value, [id]: true }
    try {
      const r = await client.invoke('vm:export', { id, path: folder })
      useErrorStore().notify(`"${name}" was exported`, `The export is in ${r.path}. Import it on any HV Manager host.`)
      return r.path
    } catch (e) {
      useErrorStore().report(`Exporting "${name}"`, e)
      return null
    } finally {
      const { [id]: _, ...rest } = moving.value
      moving.value = rest
    }
  }

  async function importVm(client: HvClient, path: string): Promise<VmSummary | null> {
    try {
      const vm = await client.invoke('vm:import', { path })
      useErrorStore().notify(`"${vm.config.name}" was imported`, vm.state === 'Saved' ? 'Start it to resume where it was saved.' : 'Select it and choose Start.')
      return vm
    } catch (e) {
      useErrorStore().report(`Importing ${path}`, e)
      return null
    }
  }

  /** Moves an Off or Saved VM from `source` to `target`; true once it lives only on the target. */
  async function moveVm(source: HvClient, target: HvClient, id: string, name: string, targetLabel: string): Promise<boolean> {
    const key = `move:${id}`
    const step = (percent: number, message: string, done = false): void => report(key, { operation: 'move', vmId: id, message, percent, done })
    moving.value = { ...moving.value, [id]: true }
    let packageId: string | null = null
    let imported = false
    try {
      step(2, `Moving "${name}" to ${targetLabel}: packing…`)
      const pkg = await source.invoke('vm:package', { id })
      packageId = pkg.packageId
      let offset = 0
      let uploaded: string | null = null
      for (;;) {
        const chunk = await source.invoke('package:read', { packageId, offset })
        const up = await target.invoke('file:upload', { uploadId: packageId, name: 'vm.hvmpkg', offset, data: chunk.data, final: chunk.final })
        offset = up.received
        step(5 + Math.round((offset / Math.max(1, pkg.size)) * 80), `Moving "${name}" to ${targetLabel}: ${Math.round(offset / 1024)} of ${Math.round(pkg.size / 1024)} KiB`)
        if (chunk.final) {
          uploaded = up.file?.path ?? null
          break
        }
      }
      if (!uploaded) throw new Error(`${targetLabel} did not store the package`)
      step(90, `Moving "${name}": importing on ${targetLabel}…`)
      await target.invoke('vm:import', { path: uploaded })
      imported = true
      step(96, `Moving "${name}": removing it here…`)
      await source.invoke('vm:completeMove', { id, packageId })
      step(100, `Moved "${name}" to ${targetLabel}`, true)
      useErrorStore().notify(`"${name}" was moved to ${targetLabel}`, `Select ${targetLabel} in the navigation tree to manage it there.`)
      return true
    } catch (e) {
      step(100, `Moving "${name}" failed`, true)
      if (packageId) await source.invoke('package:discard', { packageId }).catch(() => undefined)
      const where = imported ? ` The VM was copied to ${targetLabel} but also kept here; delete one of the copies.` : ' The VM was left where it was.'
      const code = e instanceof HvError ? e.code : ErrorCode.TRANSPORT
      useErrorStore().report(`Moving "${name}" to ${targetLabel}`, new HvError(code, `${e instanceof Error ? e.message : String(e)}.${where}`))
      return false
    } finally {
      const { [id]: _, ...rest } = moving.value
      moving.value = rest
    }
  }

  return { entries, visible, dialog, moving, report, attach, exportVm, importVm, moveVm }
})
