/**
 * The preload of the manager window (sandboxed, context-isolated): exposes exactly the
 * contract as `window.hv` through contextBridge, nothing else from Node or Electron.
 * Channel names are checked here too, so a compromised page cannot reach other IPC.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { ErrorCode, IPC_EVENT, IPC_INVOKE, fail, isChannel, isEventChannel, type HvBridge } from '../contract'

const bridge: HvBridge = {
  invoke(channel, args) {
    if (!isChannel(channel)) return Promise.resolve(fail(ErrorCode.UNKNOWN_CHANNEL, `Unknown command "${String(channel)}"`))
    return ipcRenderer.invoke(IPC_INVOKE, channel, args)
  },
  on(channel, listener) {
    if (!isEventChannel(channel)) throw new Error(`Unknown event "${String(channel)}"`)
    if (typeof listener !== 'function') throw new Error('listener must be a function')
    const handler = (_e: IpcRendererEvent, ch: unknown, payload: unknown): void => {
      if (ch === channel) listener(payload)
    }
    ipcRenderer.on(IPC_EVENT, handler)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler)
    }
  },
}

contextBridge.exposeInMainWorld('hv', bridge)
