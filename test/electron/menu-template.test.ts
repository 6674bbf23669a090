/**
 * The application menu (electron/menu-template.ts) built under plain Node, no Electron and no
 * mocks: every contract menu command appears once with a label and a unique id, shows the
 * same accelerator as the renderer's shortcut table, and a click calls back with its command;
 * developer tools only when unpacked; the macOS variant registers only unambiguous
 * modifier shortcuts and adds the app and Edit menus.
 */
import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { menuCommands, validateMenuEvent, type MenuCommand } from '../../contract'
import { aboutText, buildMenuTemplate, toAccelerator, type MenuFacts } from '../../electron/menu-template'
import { shortcuts, type ShortcutAction } from '../../renderer/src/model/shortcuts'

const linux: MenuFacts = { appName: 'HV Manager', version: '1.2.3', packaged: true, platform: 'linux' }

function build(facts: MenuFacts) {
  const clicked: string[] = []
  const template = buildMenuTemplate(facts, {
    command: (c) => clicked.push(`command:${c}`),
    about: () => clicked.push('about'),
    openDocs: () => clicked.push('docs'),
  })
  return { template, clicked }
}

/** Every item, depth first. */
function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])])
}

function click(item: MenuItemConstructorOptions): void {
  ;(item.click as () => void)()
}

describe('application menu template', () => {
  it('has File, Action, View and Help with every command once, labelled, with a unique id', () => {
    const { template, clicked } = build(linux)
    expect(template.map((m) => m.label)).toEqual(['&File', '&Action', '&View', '&Help'])
    const all = flatten(template)
    const ids = all.map((i) => i.id).filter((id): id is string => id !== undefined)
    expect(new Set(ids).size).toBe(ids.length)
    for (const command of menuCommands) {
      const found = all.filter((i) => i.id === command)
      expect(found, command).toHaveLength(1)
      expect(found[0]!.label, command).toMatch(/\w/)
      click(found[0]!)
      expect(clicked.at(-1)).toBe(`command:${command}`)
    }
    // Commands are the only items that call `command`; Quit is Electron's own role.
    expect(clicked).toHaveLength(menuCommands.length)
    expect(all.filter((i) => i.role === 'quit')).toHaveLength(1)
  })

  it('shows the same accelerator as the renderer shortcut table, without registering it', () => {
    const all = flatten(build(linux).template)
    const withKeys = Object.keys(shortcuts) as ShortcutAction[]
    expect(withKeys.length).toBeGreaterThan(10)
    for (const action of withKeys) {
      const item = all.find((i) => i.id === action)!
      expect(item, action).toBeDefined()
      expect(item.accelerator, action).toBe(shortcuts[action].replace(/\bCtrl\b/, 'CmdOrCtrl'))
      expect(item.registerAccelerator, action).toBe(false)
    }
    // Commands without a shortcut show none.
    for (const command of menuCommands.filter((c) => !(c in shortcuts))) {
      expect(all.find((i) => i.id === command)!.accelerator, command).toBeUndefined()
    }
    expect(toAccelerator('Ctrl+Shift+S')).toBe('CmdOrCtrl+Shift+S')
    expect(toAccelerator('F5')).toBe('F5')
  })

  it('offers developer tools only in an unpacked app', () => {
    expect(flatten(build(linux).template).some((i) => i.role === 'toggleDevTools')).toBe(false)
    expect(flatten(build({ ...linux, packaged: false }).template).some((i) => i.role === 'toggleDevTools')).toBe(true)
  })

  it('Help has the documentation link and About with the version', () => {
    const { template, clicked } = build(linux)
    const help = template.find((m) => m.label === '&Help')!.submenu as MenuItemConstructorOptions[]
    click(help.find((i) => i.id === 'docs')!)
    click(help.find((i) => i.id === 'about')!)
    expect(clicked).toEqual(['docs', 'about'])
    expect(aboutText(linux, { Electron: '41.0.0', Chromium: undefined })).toBe('HV Manager 1.2.3\nElectron 41.0.0')
  })

  it('on macOS: app menu with About and Quit, Edit menu, only unambiguous modifier shortcuts', () => {
    const mac = build({ ...linux, platform: 'darwin' }).template
    expect(mac[0]!.label).toBe('HV Manager')
    expect(mac.some((m) => m.role === 'editMenu')).toBe(true)
    const all = flatten(mac)
    const byId = (id: MenuCommand) => all.find((i) => i.id === id)!
    expect(byId('new').accelerator).toBe('CmdOrCtrl+N')
    expect(byId('save').accelerator).toBe('CmdOrCtrl+Shift+S')
    // Enter, Delete, F2 would be taken from text fields; Ctrl+P is both Pause and Resume.
    for (const id of ['connect', 'delete', 'rename', 'refresh', 'pause', 'resume'] as const) expect(byId(id).accelerator, id).toBeUndefined()
    expect(all.filter((i) => i.role === 'quit')).toHaveLength(1)
    expect(all.filter((i) => i.id === 'about')).toHaveLength(1)
  })

  it('the menu:command event payload is validated', () => {
    expect(validateMenuEvent({ command: 'start' })).toEqual({ command: 'start' })
    for (const bad of [null, 'start', [], {}, { command: 'format-disk' }, { command: 'start', extra: 1 }, { command: 7 }]) {
      expect(validateMenuEvent(bad)).toBeNull()
    }
  })
})
