/**
 * HvClient over `window.hv`, the contract exposed by electron/preload.ts.
 */
import { HvError, type HvBridge, type Result } from '../../../contract'
import type { HvClient } from './hv-client'

function unwrap<T>(r: Result<unknown>): T {
  if (r.ok) return r.value as T
  throw new HvError(r.error.code, r.error.message)
}

export function ipcClient(bridge: HvBridge): HvClient {
  return {
    invoke: async (channel, args) => unwrap(await bridge.invoke(channel, args)),
    on: (channel, listener) => bridge.on(channel, (payload) => listener(payload as never)),
    onConnection: (listener) => {
      listener('connected')
      return () => undefined
    },
  }
}
