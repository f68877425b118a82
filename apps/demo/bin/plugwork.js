#!/usr/bin/env node
// The `plugwork` command: runs the built CLI directly, without a build tool starting first.
// It is a file of its own (not dist/cli/main.js itself) so that a package manager can link it
// before anything is built, and so that a missing build gets one clear line.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'plugwork: the demo is not built yet. Run `npx -y pnpm@12.4.2 build` at the repository root once (or use `pnpm plugwork`, which builds first).\n',
  );
  process.exit(1);
}
await import(cli.href);
