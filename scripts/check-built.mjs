#!/usr/bin/env node
// `prepack` of every package: a tarball without dist/ would install and then fail on its first
// import, so refuse to pack one that is not built. Run from the package's folder.
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const wanted = Object.values(pkg.exports?.['.'] ?? {}).filter((file) => typeof file === 'string');
const missing = wanted.filter((file) => !existsSync(file));
if (missing.length > 0) {
  process.stderr.write(
    `${pkg.name}: ${missing.join(', ')} missing: build before packing (pnpm build at the repository root, or pnpm pack:all there, which builds and packs every package).\n`,
  );
  process.exit(1);
}
