import { defineConfig } from 'vitest/config'

// Unit tests run in Node; guest and e2e tests need the build (`npm run build`) first,
// which the README's test command does.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
