#!/usr/bin/env node
// `npm start`: launches the desktop app when the Electron binary is usable (require('electron')
// returns the path of an existing executable), otherwise runs `hv-manager serve` so the
// same UI opens in a browser at the printed URL. Missing build outputs are built first.
// Extra arguments are passed to `serve` (e.g. `npm start -- --port 8080`).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const args = process.argv.slice(2)

function electronBinary() {
  try {
    const path = require('electron')
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}

function ensureBuilt(outputs, command, commandArgs) {
  if (outputs.every((f) => existsSync(join(root, f)))) return
  process.stderr.write(`start: building (${[command, ...commandArgs].join(' ')})\n`)
  const r = spawnSync(command, commandArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
}

const electronVite = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
ensureBuilt(['out/cli/hv-manager.js', 'out/cli/vm-worker.js'], process.execPath, [join(root, 'scripts', 'build-core.mjs'), '--quiet'])
ensureBuilt(['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'], process.execPath, [electronVite, 'build'])

const electron = electronBinary()
if (electron) {
  run(electron, [root])
} else {
  process.stderr.write('start: the Electron binary is not installed here; serving the UI for a browser instead (Ctrl+C stops it)\n')
  run(process.execPath, [join(root, 'out', 'cli', 'hv-manager.js'), 'serve', ...args])
}
