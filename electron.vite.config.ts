/**
 * electron-vite build of the desktop app into out/: the main process (electron/main.ts →
 * out/main/index.js) with the VM worker thread as a second entry (core/host/vm-worker.ts →
 * out/main/vm-worker.js, which worker-runner.ts loads from beside the main bundle), the
 * preload (CommonJS, as sandboxed preloads require → out/preload/index.cjs) and the Vue
 * renderer (renderer/index.html → out/renderer/, also served by `hv-manager serve`).
 * Needs no Electron binary.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      sourcemap: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main.ts'),
          'vm-worker': resolve(root, 'core/host/vm-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
})
