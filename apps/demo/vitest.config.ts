import { defineConfig } from 'vitest/config';

// The API tests run the server in-process from src/; the CLI tests run dist/ (`turbo run test`
// builds first), as `pnpm plugwork` does. Worker processes always run the worker package's
// built JavaScript. Files run one at a time: each starts worker processes (and one a browser).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
