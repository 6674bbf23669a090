/**
 * The desktop app's menu commands and the manager's keyboard shortcuts, shared by the
 * renderer (its key handler and the labels next to its actions) and the Electron shell (its
 * application menu shows the same accelerators). A menu click reaches the manager window as
 * the `menu:command` event `{ command }`; the renderer runs the same handler as the Actions
 * pane button or the shortcut.
 */

/** Key combinations as the renderer describes a KeyboardEvent ('Ctrl+Shift+S', 'F5', 'Enter'). */
export const shortcutKeys = {
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
} as const

export const menuCommands = [
  // File
  'new', 'quick', 'import', 'connectServer', 'hostSettings',
  // Action (the selected VMs)
  'connect', 'start', 'turnOff', 'shutDown', 'save', 'pause', 'resume', 'reset', 'checkpoint', 'settings', 'rename', 'delete', 'export', 'move',
  // View
  'refresh', 'statistics', 'eventLog', 'errors',
] as const

export type MenuCommand = (typeof menuCommands)[number]

/** Every command's label, as the menu and the Actions pane show it (Hyper-V Manager's wording). */
export const commandLabels: Record<MenuCommand, string> = {
  new: 'New Virtual Machine…',
  quick: 'Quick Create…',
  import: 'Import Virtual Machine…',
  connectServer: 'Connect to Server…',
  hostSettings: 'Hypervisor Settings…',
  connect: 'Connect…',
  start: 'Start',
  turnOff: 'Turn Off…',
  shutDown: 'Shut Down…',
  save: 'Save',
  pause: 'Pause',
  resume: 'Resume',
  reset: 'Reset',
  checkpoint: 'Checkpoint',
  settings: 'Settings…',
  rename: 'Rename…',
  delete: 'Delete…',
  export: 'Export…',
  move: 'Move to Another Host…',
  refresh: 'Refresh',
  statistics: 'Statistics…',
  eventLog: 'Event Log…',
  errors: 'Errors',
}

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (menuCommands as readonly string[]).includes(value)
}

/** The `menu:command` payload, or null when it is anything else (never trusted blindly). */
export function validateMenuEvent(payload: unknown): { command: MenuCommand } | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null
  const keys = Object.keys(payload)
  const command = (payload as { command?: unknown }).command
  return keys.length === 1 && isMenuCommand(command) ? { command } : null
}
