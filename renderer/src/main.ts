/**
 * Renderer entry: creates the Vue app with Pinia, picks the transport (Electron bridge or
 * WebSocket), registers it as "This computer" in the hosts store (which attaches the VM and
 * console stores) and mounts either the manager or, for `#connect=<id>` (a Connect window of
 * its own: an Electron BrowserWindow or a browser tab), that VM's console alone.
 */
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import '@xterm/xterm/css/xterm.css'
import './styles/theme.css'
import App from './App.vue'
import ConnectApp from './components/ConnectApp.vue'
import { selectClient } from './transport/select-client'
import { wsClient } from './transport/ws-client'
import { useHostStore } from './stores/hosts'

const connectId = /^#connect=([A-Za-z0-9-]{1,64})$/.exec(window.location.hash)?.[1] ?? null
const app = connectId ? createApp(ConnectApp, { vmId: connectId }) : createApp(App)
app.use(createPinia())
useHostStore().init(selectClient(window), (url) => {
  const client = wsClient(url)
  return { client, close: () => client.close() }
})
app.mount('#app')
