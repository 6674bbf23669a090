/**
 * The Electron main process: a thin shell over core/host's HostService. One manager window
 * (single instance), hardened: contextIsolation, sandbox, no nodeIntegration, a strict CSP,
 * no navigation, no new windows, no permissions. The contract's commands arrive on one IPC
 * channel; the sender must be one of our windows showing our page, and HostService.invoke
 * validates every argument. Events fan out to every window. VMs run in worker threads
 * (out/main/vm-worker.js, built beside this file).
 */
import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ErrorCode, IPC_EVENT, IPC_INVOKE, fail, ok, validateArgs, type Result } from '../contract'
import { findAppRoot, guestsDir, rendererDir } from '../core/host/app-paths'
import { defaultDataDir } from '../core/host/data-dir'
import { HostService } from '../core/host/host-service'
import { defaultVmConfig } from '../core/host/default-vm'
import { workerRunner } from '../core/host/worker-runner'
import { contentSecurityPolicy } from '../core/host/static-files'

const here = fileURLToPath(new URL('.', import.meta.url))
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const pageUrl = devUrl ?? pathToFileURL(join(rendererDir(findAppRoot(here)), 'index.html')).href

let host: HostService | null = null
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

function createWindow(connectId?: string): BrowserWindow {
  const win = new BrowserWindow({
    width: connectId ? 820 : 1240,
    height: connectId ? 600 : 780,
    minWidth: connectId ? 420 : 800,
    minHeight: connectId ? 300 : 500,
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
  win.once('ready-to-show', () => win.show())
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

/** Shell-only commands: answered here, not by HostService (which refuses them as NOT_AVAILABLE). */
async function shellCommand(e: IpcMainInvokeEvent, channel: unknown, args: unknown): Promise<Result<unknown> | null> {
  if (channel !== 'shell:openFile' && channel !== 'shell:openConnect') return null
  const valid = validateArgs(channel, args)
  if (!valid.ok) return valid
  if (channel === 'shell:openConnect') {
    const { id } = valid.value as { id: string }
    const found = await host?.invoke('vm:get', { id })
    if (!found?.ok) return found ?? fail(ErrorCode.INTERNAL, 'The host is not ready')
    openConnect(id)
    return ok({ opened: true })
  }
  const { title } = valid.value as { title: string }
  const parent = BrowserWindow.fromWebContents(e.sender)
  const options = { title, properties: ['openFile' as const] }
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
  const h = await HostService.open({
    dataDir: defaultDataDir(),
    guestsDir: guestsDir(root, app.isPackaged ? process.resourcesPath : undefined),
    runner: workerRunner(workerPath()),
    version: app.getVersion(),
    features: { nativeShell: true },
    defaultVm: defaultVmConfig(),
    // Automatic Start Action now; Automatic Stop Action in host.close() on before-quit.
    automaticActions: true,
  })
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
  app.on('second-instance', () => {
    const [w] = windows
    if (w) {
      if (w.isMinimized()) w.restore()
      w.focus()
    }
  })
  app.whenReady().then(async () => {
    harden()
    host = await startHost()
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
    void host.close().finally(() => app.quit())
  })
}
