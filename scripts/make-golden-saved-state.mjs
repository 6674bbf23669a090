#!/usr/bin/env node
// Regenerates test/fixtures/saved-state/hello-v<format>.hvsave by running the golden test in
// generate mode (the Machine is TypeScript; vitest runs it). Run once per new format version.
import { spawnSync } from 'node:child_process'

const r = spawnSync('npx', ['vitest', 'run', 'test/core/vmm/saved-state/golden.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, UPDATE_GOLDEN: '1' },
})
process.exit(r.status ?? 1)
