/**
 * The Electron main process: a thin shell over core/host's HostService. One manager window
 * (single instance), hardened: contextIsolation, sandbox, no nodeIntegration, a strict CSP,
 * no navigation, no new windows, no permissions. The contract's commands arrive on one IPC
 * channel; the sender must be one of our windows showing our page, and HostService.invoke
 * validates every argument. Events fan out to every window. VMs run in worker threads
 * (out/main/vm-worker.js, built beside this file).
 */
import { app, BrowserWindow, ipcMain, session, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ErrorCode, IPC_EVENT, IPC_INVOKE, fail, type Result } from '../contract'
import { findAppRoot, guestsDir, rendererDir } from '../core/host/app-paths'
import { defaultDataDir } from '../core/host/data-dir'
import { HostService } from '../core/host/host-service'
import { workerRunner } from '../core/host/worker-runner'
import { contentSecurityPolicy } from '../core/host/static-files'

const here = fileURLToPath(new URL('.', import.meta.url))
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const pageUrl = devUrl ?? pathToFileURL(join(rendererDir(findAppRoot(here)), 'index.html')).href

let host: HostService | null = null
const windows = new Set<BrowserWindow>()

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

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1240,
    height: 780,
    minWidth: 800,
    minHeight: 500,
    title: 'HV Manager',
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
  void win.loadURL(pageUrl)
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
  })
  h.subscribe((event) => {
    for (const w of windows) if (!w.isDestroyed()) w.webContents.send(IPC_EVENT, event.channel, event.payload)
  })
  ipcMain.handle(IPC_INVOKE, async (e, channel: unknown, args: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(e)) return fail(ErrorCode.TRANSPORT, 'Refused: the request did not come from the HV Manager window')
    return h.invoke(channel, args)
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
