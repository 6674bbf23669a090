/**
 * The manager window's keyboard shortcuts: one table, shown next to the actions and in their
 * tooltips, and matched against key events in one place.
 */
import type { VmAction } from './vm-actions'

export type ShortcutAction = VmAction | 'new' | 'refresh' | 'errors'

export const shortcuts: Record<ShortcutAction, string> = {
  new: 'Ctrl+N',
  refresh: 'F5',
  errors: 'Ctrl+E',
  connect: 'Enter',
  start: 'Ctrl+S',
  turnOff: 'Ctrl+O',
  shutDown: 'Ctrl+D',
  save: 'Ctrl+Shift+S',
  pause: 'Ctrl+P',
  resume: 'Ctrl+P',
  reset: 'Ctrl+R',
  settings: 'Ctrl+I',
  rename: 'F2',
  delete: 'Delete',
}

function describe(e: KeyboardEvent): string {
  const parts: string[] = []
  if (e.ctrlKey || e.metaKey) parts.push('Ctrl')
  if (e.altKey) parts.push('Alt')
  if (e.shiftKey) parts.push('Shift')
  parts.push(e.key.length === 1 ? e.key.toUpperCase() : e.key)
  return parts.join('+')
}

/** The actions a key event triggers (Ctrl+P is Pause or Resume, whichever the state allows). */
export function actionsForKey(e: KeyboardEvent): ShortcutAction[] {
  const k = describe(e)
  return (Object.keys(shortcuts) as ShortcutAction[]).filter((a) => shortcuts[a] === k)
}
