// Generates the plugin trees the discovery benchmarks read: real files in a temp directory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pluginModule = `export default { name: 'x' };\n`;

function writePackage(folder, packageJson, entry) {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify(packageJson));
  if (entry) writeFileSync(join(folder, entry), pluginModule);
}

/** `count` plugin folders in one plugins directory. */
export function createPluginFolders(count) {
  const root = mkdtempSync(join(tmpdir(), 'plugwork-bench-fs-'));
  for (let i = 0; i < count; i++) {
    writePackage(
      join(root, `plugin-${i}`),
      {
        name: `plugin-${i}`,
        version: '1.0.0',
        type: 'module',
        plugwork: { description: `Plugin ${i}`, entry: './index.js', category: 'bench' },
      },
      'index.js',
    );
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * A project whose node_modules holds `total` packages (npm's flat layout, a share of them
 * scoped), `plugins` of which carry a plugwork field. The root package.json depends on all of
 * them, as an installed project would.
 */
export function createNodeModules(total, plugins) {
  const root = mkdtempSync(join(tmpdir(), 'plugwork-bench-npm-'));
  const dependencies = {};
  const every = Math.floor(total / plugins);
  for (let i = 0; i < total; i++) {
    const isPlugin = i % every === 0 && i / every < plugins;
    const name = i % 5 === 0 ? `@scope-${i % 7}/pkg-${i}` : `pkg-${i}`;
    dependencies[name] = '1.0.0';
    const packageJson = { name, version: '1.0.0', main: 'index.js', description: `package ${i}` };
    if (isPlugin) {
      packageJson.type = 'module';
      packageJson.plugwork = { name: `plugin-${i}`, entry: './index.js' };
    }
    writePackage(join(root, 'node_modules', name), packageJson, 'index.js');
  }
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'bench-project', version: '1.0.0', dependencies }),
  );
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
