import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the package by name and get the built output: worker processes start from built
// JavaScript, so the tests exercise exactly what ships. `turbo run test` builds first.
export default defineConfig({
  resolve: {
    alias: { '@plugwork/worker': fileURLToPath(new URL('./dist/index.js', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // test/deno/ runs under `deno test` (pnpm test:deno), not vitest.
    exclude: ['test/deno/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
