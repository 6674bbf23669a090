/**
 * The desktop app's application menu (issue 8 item 8), as a pure function of a few facts
 * (platform, packaged, name, version) and callbacks, so it is tested under plain Node without
 * Electron (test/electron/menu-template.test.ts); electron/main.ts only passes it to
 * Menu.buildFromTemplate. Commands are contract/menu.ts's; accelerators come from the same
 * shortcut table the renderer matches key events against (contract `shortcutKeys`).
 *
 * DECISION: the renderer's key handler stays the one place a shortcut runs (it ignores keys
 * typed in fields, consoles and dialogs), so on Linux and Windows the accelerators are only
 * displayed (`registerAccelerator: false`): a registered Ctrl+D or Enter would be taken from a
 * console or a text field. macOS registers every menu key equivalent regardless, so there only
 * accelerators with a modifier that no other item shares are shown, and the Edit menu (which
 * macOS needs for copy and paste in text fields) is added.
 */
import type { MenuItemConstructorOptions } from 'electron'
import { commandLabels, shortcutKeys, type MenuCommand } from '../contract'

export interface MenuFacts {
  appName: string
  version: string
  /** Developer tools are offered only in an unpacked (development) app. */
  packaged: boolean
  platform: string
}

export interface MenuCallbacks {
  /** A command for the manager window (sent there as `menu:command`). */
  command(command: MenuCommand): void
  about(): void
  openDocs(): void
}


const fileItems: readonly (MenuCommand | '-')[] = ['new', 'quick', 'import', '-', 'connectServer', 'hostSettings']
const actionItems: readonly (MenuCommand | '-')[] = [
  'connect', '-', 'start', 'turnOff', 'shutDown', 'save', 'pause', 'resume', 'reset', '-', 'checkpoint', '-', 'settings', 'rename', 'delete', '-', 'export', 'move',
]
const viewItems: readonly (MenuCommand | '-')[] = ['refresh', '-', 'statistics', 'eventLog', 'errors']

/** The renderer's key name → Electron's accelerator syntax ('Ctrl' means Cmd on macOS there too). */
export function toAccelerator(shortcut: string): string {
  return shortcut.split('+').map((part) => (part === 'Ctrl' ? 'CmdOrCtrl' : part)).join('+')
}

function shortcutOf(command: MenuCommand): string | undefined {
  return (shortcutKeys as Partial<Record<MenuCommand, string>>)[command]
}

function acceleratorFields(command: MenuCommand, mac: boolean): Partial<MenuItemConstructorOptions> {
  const key = shortcutOf(command)
  if (!key) return {}
  if (!mac) return { accelerator: toAccelerator(key), registerAccelerator: false }
  const shared = Object.values(shortcutKeys).filter((k) => k === key).length > 1
  return key.includes('+') && !shared ? { accelerator: toAccelerator(key) } : {}
}

export function buildMenuTemplate(facts: MenuFacts, cb: MenuCallbacks): MenuItemConstructorOptions[] {
  const mac = facts.platform === 'darwin'
  const items = (list: readonly (MenuCommand | '-')[]): MenuItemConstructorOptions[] =>
    list.map((c) =>
      c === '-' ? { type: 'separator' } : { id: c, label: commandLabels[c], click: () => cb.command(c), ...acceleratorFields(c, mac) },
    )
  const about: MenuItemConstructorOptions = { id: 'about', label: `About ${facts.appName}`, click: () => cb.about() }
  const template: MenuItemConstructorOptions[] = []
  if (mac) {
    template.push({
      label: facts.appName,
      submenu: [about, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    })
  }
  template.push({ id: 'file', label: '&File', submenu: [...items(fileItems), ...(mac ? [] : [{ type: 'separator' as const }, { role: 'quit' as const }])] })
  if (mac) template.push({ role: 'editMenu' })
  template.push({ id: 'action', label: '&Action', submenu: items(actionItems) })
  const dev: MenuItemConstructorOptions[] = facts.packaged ? [] : [{ type: 'separator' }, { id: 'devtools', role: 'toggleDevTools' }]
  template.push({ id: 'view', label: '&View', submenu: [...items(viewItems), ...dev] })
  template.push({
    id: 'help',
    label: '&Help',
    role: 'help',
    submenu: [{ id: 'docs', label: `${facts.appName} Documentation`, click: () => cb.openDocs() }, ...(mac ? [] : [{ type: 'separator' as const }, about])],
  })
  return template
}

/** The About box's text (shown by main with a native message box). */
export function aboutText(facts: MenuFacts, versions: Readonly<Record<string, string | undefined>>): string {
  const parts = [`${facts.appName} ${facts.version}`]
  for (const [name, v] of Object.entries(versions)) if (v) parts.push(`${name} ${v}`)
  return parts.join('\n')
}
