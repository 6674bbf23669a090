/**
 * The desktop app's application menu, seen from the manager window: Electron sends
 * `menu:command` `{ command }` (contract/menu.ts) on this window's own transport ("This
 * computer"), whichever host is shown. The payload is validated, then handed to `run`, which
 * is the same handler the Actions pane and the keyboard shortcuts use. While a modal dialog is
 * open the menu does nothing, as a native menu is inert behind a modal window.
 */
import { onBeforeUnmount, onMounted } from 'vue'
import { validateMenuEvent, type MenuCommand } from '../../../contract'
import { useHostStore } from '../stores/hosts'

export function useMenuCommands(run: (command: MenuCommand) => void): void {
  const hosts = useHostStore()
  let off: (() => void) | null = null
  onMounted(() => {
    const local = hosts.hosts.find((h) => h.id === 'local')
    off = local
      ? local.client.on('menu:command', (payload) => {
          const valid = validateMenuEvent(payload)
          if (!valid || document.querySelector('[aria-modal="true"]')) return
          run(valid.command)
        })
      : null
  })
  onBeforeUnmount(() => off?.())
}
