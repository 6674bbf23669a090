/**
 * Renderer entry: creates the Vue app with Pinia, picks the transport (Electron bridge or
 * WebSocket) and attaches the stores to it.
 */
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import '@xterm/xterm/css/xterm.css'
import './styles/theme.css'
import App from './App.vue'
import { selectClient } from './transport/select-client'
import { useVmStore } from './stores/vms'
import { useConsoleStore } from './stores/consoles'

const app = createApp(App)
app.use(createPinia())
const client = selectClient(window)
useConsoleStore().attach(client)
useVmStore().attach(client)
app.mount('#app')
