import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the package by name and get the built output (the node's worker processes and
// the CLI run built JavaScript). `turbo run test` builds first.
export default defineConfig({
  resolve: {
    alias: { '@plugwork/bullmq': fileURLToPath(new URL('./dist/index.js', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/deno/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Each file starts its own redis-server and node processes: on 2 cores, one file at a time.
    fileParallelism: false,
  },
});
