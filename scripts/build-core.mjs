#!/usr/bin/env node
// Bundles the Node side of HV Manager with esbuild: the `hv-manager` CLI
// (core/host/cli.ts → out/cli/hv-manager.js) and the VM worker thread
// (core/host/vm-worker.ts → out/cli/vm-worker.js, loaded by the CLI from its own folder).
// ESM, platform node, target node20, with source maps. `--quiet` prints nothing on success.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const quiet = process.argv.includes('--quiet')
const started = Date.now()

try {
  await build({
    absWorkingDir: root,
    entryPoints: { 'hv-manager': 'core/host/cli.ts', 'vm-worker': 'core/host/vm-worker.ts' },
    outdir: 'out/cli',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    // `ws` has optional native add-ons it requires lazily; keep them out of the bundle.
    external: ['bufferutil', 'utf-8-validate'],
    // ESM bundles have no `require`; some CommonJS dependencies (ws) need one.
    banner: { js: "import { createRequire as __hvCreateRequire } from 'node:module'; const require = __hvCreateRequire(import.meta.url);" },
    logLevel: quiet ? 'error' : 'warning',
  })
} catch {
  process.exit(1)
}
if (!quiet) console.log(`build-core: out/cli/hv-manager.js and out/cli/vm-worker.js in ${Date.now() - started} ms`)
