/** Calls `poll` once when the component mounts and then every `intervalMs` until it unmounts. */
import { onBeforeUnmount, onMounted } from 'vue'

export function usePolling(poll: () => Promise<void>, intervalMs = 1000): void {
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    void poll()
    timer = setInterval(() => void poll(), intervalMs)
  })
  onBeforeUnmount(() => clearInterval(timer))
}
