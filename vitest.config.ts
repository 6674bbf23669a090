import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Unit tests run in Node; guest and e2e tests need the build (`npm run build`) first,
// which the README's test command does. The Vue plugin lets component tests
// (test/renderer/components) import .vue files and render them with Vue's server renderer.
export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
