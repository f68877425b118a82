#!/usr/bin/env node
// The `plugwork-demo` command: starts the built demo server directly (see plugwork.js).
import { existsSync } from 'node:fs';

const server = new URL('../dist/server/main.js', import.meta.url);
if (!existsSync(server)) {
  process.stderr.write(
    'plugwork-demo: the demo is not built yet. Run `npx -y pnpm@12.4.2 build` at the repository root once (or use `pnpm demo`, which builds first).\n',
  );
  process.exit(1);
}
await import(server.href);
