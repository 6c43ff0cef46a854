// npm run build: regenerate what is derived from action.yml, then bundle every action (and the CLI)
// with ncc into its committed dist/ folder (ncc type-checks the production code, tsconfig.json; the
// tests are checked by `npm run typecheck`, tsconfig.all.json). CI rebuilds and fails if anything
// derived changed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readActionSpecs, renderSpecModule, replaceUsage } from './lib/action-specs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const specs = readActionSpecs(root);

/** @param {string} path @param {string} text */
function writeIfChanged(path, text) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path.slice(root.length + 1)}`);
}

writeIfChanged(join(root, 'src/generated/action-specs.ts'), renderSpecModule(specs));
for (const spec of specs) {
  const readme = join(root, 'actions', spec.name, 'README.md');
  writeIfChanged(readme, replaceUsage(readFileSync(readme, 'utf8'), spec));
}

const only = process.argv.slice(2);
const bundles = [
  ...specs.map((s) => ({ name: s.name, entry: `actions/${s.name}/src/main.ts`, out: `actions/${s.name}/dist` })),
  { name: 'cli', entry: 'cli/main.ts', out: 'cli/dist' },
].filter((b) => only.length === 0 || only.includes(b.name));

const ncc = join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
for (const b of bundles) {
  rmSync(join(root, b.out), { recursive: true, force: true });
  execFileSync(process.execPath, [ncc, 'build', b.entry, '-o', b.out, '--minify', '--license', 'licenses.txt', '--quiet', '--no-cache'], { cwd: root, stdio: 'inherit' });
  console.log(`bundled ${b.out}`);
}
