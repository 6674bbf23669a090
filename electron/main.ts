/**
 * The Electron main process: a thin shell over core/host's HostService. One manager window
 * (single instance), hardened: contextIsolation, sandbox, no nodeIntegration, a strict CSP,
 * no navigation, no new windows, no permissions. The contract's commands arrive on one IPC
 * channel; the sender must be one of our windows showing our page, and HostService.invoke
 * validates every argument. Events fan out to every window. VMs run in worker threads
 * (out/main/vm-worker.js, built beside this file). The application menu
 * (menu-template.ts) sends `menu:command` to the manager window; window positions and sizes
 * are remembered per window (core/host/window-state.ts). Every decision lives in those
 * plain modules, tested under Node; this file only wires them to Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, screen, session, shell, type IpcMainInvokeEvent } from 'electron'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ErrorCode, IPC_EVENT, IPC_INVOKE, fail, ok, validateArgs, type Result } from '../contract'
import { findAppRoot, guestsDir, rendererDir } from '../core/host/app-paths'
import { defaultDataDir } from '../core/host/data-dir'
import { HostService } from '../core/host/host-service'
import { defaultVmConfig } from '../core/host/default-vm'
import { workerRunner } from '../core/host/worker-runner'
import { contentSecurityPolicy } from '../core/host/static-files'
import { WindowStateKeeper, placeWindow, type WindowDefaults } from '../core/host/window-state'
import { tuneV8ForGuestCode } from '../core/host/v8-tuning'
import { aboutText, buildMenuTemplate, type MenuFacts } from './menu-template'

tuneV8ForGuestCode()
const here = fileURLToPath(new URL('.', import.meta.url))
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const pageUrl = devUrl ?? pathToFileURL(join(rendererDir(findAppRoot(here)), 'index.html')).href

let host: HostService | null = null
let windowStates: WindowStateKeeper | null = null
const windows = new Set<BrowserWindow>()
/** One Virtual Machine Connection window per VM id. */
const connectWindows = new Map<string, BrowserWindow>()

/** worker_threads cannot load scripts from inside app.asar; electron-builder unpacks out/main. */
function workerPath(): string {
  return join(here, 'vm-worker.js').replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')
}

/** Same document: protocol, host and path equal (query and fragment may differ). */
function sameDocument(a: string, b: string): boolean {
  try {
    const x = new URL(a)
    const y = new URL(b)
    return x.protocol === y.protocol && x.host === y.host && x.pathname === y.pathname
  } catch {
    return false
  }
}

function isTrustedSender(e: IpcMainInvokeEvent): boolean {
  const win = BrowserWindow.fromWebContents(e.sender)
  const frame = e.senderFrame
  return win !== null && windows.has(win) && frame !== null && frame === e.sender.mainFrame && sameDocument(frame.url, pageUrl)
}

const mainDefaults: WindowDefaults = { width: 1240, height: 780, minWidth: 800, minHeight: 500 }
const connectDefaults: WindowDefaults = { width: 820, height: 600, minWidth: 420, minHeight: 300 }

/** Saves a window's normal bounds on move/resize (debounced by the keeper) and at once on close. */
function rememberBounds(win: BrowserWindow, key: string): void {
  const record = (): void => {
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return
    windowStates?.update(key, { ...win.getNormalBounds(), maximized: win.isMaximized() })
  }
  win.on('move', record)
  win.on('resize', record)
  win.on('maximize', record)
  win.on('unmaximize', record)
  win.on('close', () => {
    record()
    void windowStates?.flush()
  })
}

function createWindow(connectId?: string): BrowserWindow {
  const key = connectId ? `connect:${connectId}` : 'main'
  const defaults = connectId ? connectDefaults : mainDefaults
  // Primary first: a window whose monitor is gone opens centred on the primary display.
  const primary = screen.getPrimaryDisplay()
  const displays = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea)
  const place = placeWindow(windowStates?.get(key), displays, defaults)
  const win = new BrowserWindow({
    ...(place.x !== undefined && place.y !== undefined ? { x: place.x, y: place.y } : {}),
    width: place.width,
    height: place.height,
    minWidth: defaults.minWidth,
    minHeight: defaults.minHeight,
    title: connectId ? 'Virtual Machine Connection' : 'HV Manager',
    show: false,
    webPreferences: {
      preload: join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  windows.add(win)
  win.on('closed', () => windows.delete(win))
  // The application menu drives the manager; a Connect window has its own toolbar.
  if (connectId) win.removeMenu()
  rememberBounds(win, key)
  win.once('ready-to-show', () => {
    if (place.maximized) win.maximize()
    win.show()
  })
  // The renderer shows only the VM's console when the fragment names it (renderer/src/main.ts).
  void win.loadURL(connectId ? `${pageUrl}#connect=${encodeURIComponent(connectId)}` : pageUrl)
  return win
}

/** Opens (or focuses) the VM's Connect window. */
function openConnect(id: string): void {
  const existing = connectWindows.get(id)
  if (existing && !existing.isDestroyed()) {
    existing.focus()
    return
  }
  const win = createWindow(id)
  connectWindows.set(id, win)
  win.on('closed', () => connectWindows.delete(id))
}

/** The manager window (not a Connect window), shown and focused; null before it exists. */
function managerWindow(): BrowserWindow | null {
  const connects = new Set(connectWindows.values())
  const focused = BrowserWindow.getFocusedWindow()
  const win = focused && windows.has(focused) && !connects.has(focused) ? focused : ([...windows].find((w) => !connects.has(w) && !w.isDestroyed()) ?? null)
  if (win?.isMinimized()) win.restore()
  win?.focus()
  return win
}

function installMenu(): void {
  const facts: MenuFacts = { appName: 'HV Manager', version: app.getVersion(), packaged: app.isPackaged, platform: process.platform }
  const template = buildMenuTemplate(facts, {
    command: (command) => {
      const win = managerWindow()
      // No manager window (macOS keeps running without one): open it; the command is not replayed.
      if (!win) createWindow()
      else win.webContents.send(IPC_EVENT, 'menu:command', { command })
    },
    about: () => {
      const versions = { Electron: process.versions.electron, Chromium: process.versions.chrome, Node: process.versions.node }
      const options = { type: 'info' as const, title: `About ${facts.appName}`, message: facts.appName, detail: aboutText(facts, versions) }
      const parent = managerWindow()
      void (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options))
    },
    openDocs: () => void shell.openExternal(docsUrl()),
  })
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

/** package.json's homepage (only https links are opened). */
function docsUrl(): string {
  try {
    const url = (JSON.parse(readFileSync(join(findAppRoot(here), 'package.json'), 'utf8')) as { homepage?: unknown }).homepage
    if (typeof url === 'string' && url.startsWith('https://')) return url
  } catch {
    // Fall through to the default.
  }
  return 'https://hv-manager.invalid'
}

const shellChannels: readonly unknown[] = ['shell:openFile', 'shell:openFolder', 'shell:openConnect']

/** Shell-only commands: answered here, not by HostService (which refuses them as NOT_AVAILABLE). */
async function shellCommand(e: IpcMainInvokeEvent, channel: unknown, args: unknown): Promise<Result<unknown> | null> {
  if (!shellChannels.includes(channel)) return null
  const valid = validateArgs(channel, args)
  if (!valid.ok) return valid
  if (channel === 'shell:openConnect') {
    const { id } = valid.value as { id: string }
    const found = await host?.invoke('vm:get', { id })
    if (!found?.ok) return found ?? fail(ErrorCode.INTERNAL, 'The host is not ready')
    openConnect(id)
    return ok({ opened: true })
  }
  const { title, defaultPath } = valid.value as { title: string; defaultPath?: string }
  const parent = BrowserWindow.fromWebContents(e.sender)
  const options: Electron.OpenDialogOptions =
    channel === 'shell:openFolder'
      ? { title, properties: ['openDirectory', 'createDirectory'], ...(defaultPath ? { defaultPath } : {}) }
      : { title, properties: ['openFile'] }
  const r = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
  return ok({ path: r.canceled ? null : (r.filePaths[0] ?? null) })
}

function harden(): void {
  // The CSP header covers the dev server; the page's meta tag covers file:// loads.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy('ws://127.0.0.1:*')] } })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev) => ev.preventDefault())
    contents.on('will-attach-webview', (ev) => ev.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
}

async function startHost(): Promise<HostService> {
  const root = findAppRoot(here)
  const dataDir = defaultDataDir()
  const h = await HostService.open({
    dataDir,
    guestsDir: guestsDir(root, app.isPackaged ? process.resourcesPath : undefined),
    runner: workerRunner(workerPath()),
    version: app.getVersion(),
    features: { nativeShell: true },
    defaultVm: defaultVmConfig(),
    // Automatic Start Action now; Automatic Stop Action in host.close() on before-quit.
    automaticActions: true,
  })
  windowStates = await WindowStateKeeper.open(dataDir, 500, (e) => console.warn('Saving window positions failed:', e))
  h.subscribe((event) => {
    for (const w of windows) if (!w.isDestroyed()) w.webContents.send(IPC_EVENT, event.channel, event.payload)
  })
  ipcMain.handle(IPC_INVOKE, async (e, channel: unknown, args: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(e)) return fail(ErrorCode.TRANSPORT, 'Refused: the request did not come from the HV Manager window')
    return (await shellCommand(e, channel, args)) ?? h.invoke(channel, args)
  })
  return h
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  // A second launch brings the manager window (not a Connect window) to the front.
  app.on('second-instance', () => void managerWindow())
  app.whenReady().then(async () => {
    harden()
    host = await startHost()
    installMenu()
    createWindow()
    app.on('activate', () => {
      if (windows.size === 0) createWindow()
    })
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  let quitting = false
  app.on('before-quit', (e) => {
    if (quitting || !host) return
    e.preventDefault()
    quitting = true
    void Promise.all([host.close(), windowStates?.flush()]).finally(() => app.quit())
  })
}
