/**
 * Which hypervisor view is open (Statistics, Event Log, Debug Console — TLFS ch. 21, 19, 20)
 * and for which VM, and the Checkpoint action shared by the Actions pane and the details
 * pane's Checkpoints tree (which reloads when `revision` changes). Opened from the host's
 * actions, the window lists this host's running VMs to choose from.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { CheckpointList } from '../../../contract'
import type { HvClient } from '../transport/hv-client'
import { useErrorStore } from './errors'

export type HvTool = 'stats' | 'events' | 'debug'

export const useHvToolsStore = defineStore('hv-tools', () => {
  /** `host`: opened from the host's actions, so the window offers a selector of the running VMs. */
  const open = ref<{ vmId: string; tool: HvTool; host: boolean } | null>(null)
  const revision = ref(0)

  /** Opens (or switches) the view; `host` left out keeps the open window's kind. */
  function show(vmId: string, tool: HvTool, host?: boolean): void {
    open.value = { vmId, tool, host: host ?? open.value?.host ?? false }
  }
  function close(): void {
    open.value = null
  }

  /** Takes a checkpoint with the host's default name; null when it failed (reported). */
  async function checkpoint(client: HvClient, vmId: string): Promise<CheckpointList | null> {
    try {
      const list = await client.invoke('vm:checkpoint', { id: vmId, name: '' })
      revision.value++
      return list
    } catch (e) {
      useErrorStore().report('Creating a checkpoint', e)
      return null
    }
  }

  return { open, revision, show, close, checkpoint }
})
