import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Unit tests run in Node; guest and e2e tests need the build (`npm run build`) first,
// which the README's test command does. The Vue plugin lets component tests
// (test/renderer/components) import .vue files; each of them opts into a DOM with a
// `// @vitest-environment happy-dom` first line and mounts with @vue/test-utils, so only
// those files pay for the DOM environment.
export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
