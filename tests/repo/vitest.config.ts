import { defineConfig } from 'vitest/config';

// One test that packs, installs from the npm registry (third-party dependencies) and type-checks:
// tens of seconds on a loaded 2-core machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
