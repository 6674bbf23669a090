/**
 * What the user is told: toasts (errors, refusals and confirmations of success) and the
 * error panel, which keeps every error of the session with what happened, the host's
 * message, its code and what to do about it. Error toasts stay until dismissed or `ttlMs`.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { HvError } from '../../../contract'

export type ToastKind = 'error' | 'refused' | 'info'

export interface Toast {
  id: number
  kind: ToastKind
  title: string
  message: string
  code: string
  /** What the user can do about it. */
  hint: string
  at: number
}

const hints: Record<string, string> = {
  INVALID_ARGUMENT: 'Check the values you entered and try again.',
  UNKNOWN_CHANNEL: 'The host is a different version of HV Manager; update both sides.',
  VM_NOT_FOUND: 'The VM was deleted elsewhere; choose Refresh to update the list.',
  INVALID_STATE: 'Wait for the VM to reach the state the action needs, or use the action the message suggests.',
  BOOT_SOURCE: 'Open Settings and choose a boot file that exists, or build the bundled guests.',
  STORAGE: 'Check that the data folder is writable and the disk is not full.',
  MACHINE: 'See the Status column for why the VM stopped; try starting it again.',
  NOT_AVAILABLE: 'This build does not provide the feature yet.',
  TRANSPORT: 'Check the connection to the host; HV Manager reconnects by itself.',
  INTERNAL: 'This is a bug in HV Manager; please report it with the message.',
}

export function hintFor(code: string): string {
  return hints[code] ?? hints.INTERNAL!
}

export const useErrorStore = defineStore('errors', () => {
  const toasts = ref<Toast[]>([])
  /** Every error and refusal of this session, newest first (the error panel). */
  const history = ref<Toast[]>([])
  const panelOpen = ref(false)
  let nextId = 1
  const ttlMs = 15_000
  const infoTtlMs = 5_000

  function push(t: Omit<Toast, 'id' | 'at'>): Toast {
    const toast: Toast = { ...t, id: nextId++, at: Date.now() }
    toasts.value.push(toast)
    if (toasts.value.length > 5) toasts.value.shift()
    if (toast.kind !== 'info') history.value = [toast, ...history.value].slice(0, 200)
    setTimeout(() => dismiss(toast.id), toast.kind === 'info' ? infoTtlMs : ttlMs)
    return toast
  }

  function report(action: string, error: unknown): void {
    const code = error instanceof HvError ? error.code : 'INTERNAL'
    const message = error instanceof Error ? error.message : String(error)
    push({ kind: 'error', title: `${action} failed`, message, code, hint: hintFor(code) })
  }

  /** An action the UI refused before asking the host (same rule, same words). */
  function refused(action: string, reason: string): void {
    push({ kind: 'refused', title: `${action} is not possible now`, message: reason, code: 'INVALID_STATE', hint: hintFor('INVALID_STATE') })
  }

  function notify(title: string, message = ''): void {
    push({ kind: 'info', title, message, code: '', hint: '' })
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }

  function clearHistory(): void {
    history.value = []
  }

  return { toasts, history, panelOpen, report, refused, notify, dismiss, clearHistory }
})
