/**
 * The manager window's keyboard shortcuts: one table (contract/menu.ts, which the desktop
 * app's menu shows as its accelerators), shown next to the actions and in their tooltips, and
 * matched against key events in one place.
 */
import { shortcutKeys } from '../../../contract'
import type { VmAction } from './vm-actions'

export type ShortcutAction = VmAction | 'new' | 'refresh' | 'errors'

export const shortcuts: Readonly<Record<ShortcutAction, string>> = shortcutKeys

/** The parts of a KeyboardEvent a shortcut looks at (keeps this table DOM-free for the Electron menu test). */
export interface KeyPress {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
  shiftKey: boolean
}

function describe(e: KeyPress): string {
  const parts: string[] = []
  if (e.ctrlKey || e.metaKey) parts.push('Ctrl')
  if (e.altKey) parts.push('Alt')
  if (e.shiftKey) parts.push('Shift')
  parts.push(e.key.length === 1 ? e.key.toUpperCase() : e.key)
  return parts.join('+')
}

/** The actions a key event triggers (Ctrl+P is Pause or Resume, whichever the state allows). */
export function actionsForKey(e: KeyPress): ShortcutAction[] {
  const k = describe(e)
  return (Object.keys(shortcuts) as ShortcutAction[]).filter((a) => shortcuts[a] === k)
}
