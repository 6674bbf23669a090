/**
 * Errors shown to the user as toasts: what failed (the action), why (the contract error's
 * message) and its code. Each toast stays until dismissed or for `ttlMs`.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { HvError } from '../../../contract'

export interface Toast {
  id: number
  title: string
  message: string
  code: string
}

export const useErrorStore = defineStore('errors', () => {
  const toasts = ref<Toast[]>([])
  let nextId = 1
  const ttlMs = 15_000

  function report(action: string, error: unknown): void {
    const code = error instanceof HvError ? error.code : 'INTERNAL'
    const message = error instanceof Error ? error.message : String(error)
    const toast: Toast = { id: nextId++, title: `${action} failed`, message, code }
    toasts.value.push(toast)
    if (toasts.value.length > 5) toasts.value.shift()
    setTimeout(() => dismiss(toast.id), ttlMs)
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }

  return { toasts, report, dismiss }
})
