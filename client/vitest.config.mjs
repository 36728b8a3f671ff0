// Unit tests of the modules without DOM (`src/**/*.test.ts`, beside their module), in Node.
// esbuild bundles only what the entry points import, so no test reaches the bundle; build.mjs
// checks that.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    restoreMocks: true
  }
})
