/**
 * Picks the transport: Electron's preload bridge when `window.hv` exists, else a WebSocket to
 * the host that served this page.
 */
import type { HvBridge } from '../../../contract'
import type { HvClient } from './hv-client'
import { ipcClient } from './ipc-client'
import { wsClient, wsUrlFromLocation } from './ws-client'

export function selectClient(win: Window & { hv?: HvBridge }): HvClient {
  if (win.hv) return ipcClient(win.hv)
  return wsClient(wsUrlFromLocation(win.location))
}
