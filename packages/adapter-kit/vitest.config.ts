import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the package by name and get the built output: worker processes start from built
// JavaScript, so the tests exercise exactly what ships. `turbo run test` builds first.
export default defineConfig({
  resolve: {
    alias: { '@plugwork/adapter-kit': fileURLToPath(new URL('./dist/index.js', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
