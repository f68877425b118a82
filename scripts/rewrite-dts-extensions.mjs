#!/usr/bin/env node
// tsc rewrites `./x.ts` to `./x.js` in emitted JavaScript (rewriteRelativeImportExtensions) but
// leaves declaration files alone, and Deno's type checker (like any tool that does not map
// `.ts` to `.d.ts`) cannot follow `./x.ts` from `dist/index.d.ts`. Point them at `.js`, which
// every resolver maps to the `.d.ts` beside it. Usage: rewrite-dts-extensions.mjs <dist dir>
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const relativeTsSpecifier = /(from\s+|import\s*\(\s*)(['"])(\.{1,2}\/[^'"]+?)\.ts\2/g;

function rewrite(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) rewrite(path);
    else if (entry.name.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8');
      const fixed = text.replace(relativeTsSpecifier, '$1$2$3.js$2');
      if (fixed !== text) writeFileSync(path, fixed);
    }
  }
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: rewrite-dts-extensions.mjs <dist dir>');
  process.exit(2);
}
rewrite(dir);
