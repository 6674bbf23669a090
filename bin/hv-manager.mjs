#!/usr/bin/env node
// The `hv-manager` command: runs the bundled CLI (out/cli/hv-manager.js, built by
// `npm run build:core`), telling the user how to build it when it is missing.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'hv-manager.js')
if (!existsSync(cli)) {
  process.stderr.write(`hv-manager: ${cli} is missing; run "npm run build:core" first\n`)
  process.exit(1)
}
await import(pathToFileURL(cli).href)
