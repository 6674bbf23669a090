/// <reference types="vite/client" />
import type { HvBridge } from '../../contract'

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

declare global {
  interface Window {
    /** The contract, when running inside Electron (electron/preload.ts). */
    hv?: HvBridge
  }
}
