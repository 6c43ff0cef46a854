// npm run build: regenerate what is derived from action.yml, then bundle every action (and the CLI)
// with ncc into its committed dist/ folder (ncc type-checks the production code, tsconfig.json; the
// tests are checked by `npm run typecheck`, tsconfig.all.json). CI rebuilds and fails if anything
// derived changed.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readActionSpecs, renderSpecModule, replaceUsage } from './lib/action-specs.mjs';
import { readWorkflowSpecs, replaceWorkflowTables } from './lib/workflow-specs.mjs';

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
const mainReadme = join(root, 'README.md');
writeIfChanged(mainReadme, replaceWorkflowTables(readFileSync(mainReadme, 'utf8'), readWorkflowSpecs(root)));

const only = process.argv.slice(2);
const bundles = [
  ...specs.map((s) => ({ name: s.name, entry: `actions/${s.name}/src/main.ts`, out: `actions/${s.name}/dist` })),
  { name: 'cli', entry: 'cli/main.ts', out: 'cli/dist' },
].filter((b) => only.length === 0 || only.includes(b.name));

const ncc = join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
const staging = mkdtempSync(join(tmpdir(), 'slipway-build-'));

/** Bundles into a staging folder and only then replaces dist/, so a failed or interrupted build never leaves an action without its bundle. */
function bundle(/** @type {{ name: string, entry: string, out: string }} */ b) {
  const tmp = join(staging, b.name);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ncc, 'build', b.entry, '-o', tmp, '--minify', '--license', 'licenses.txt', '--quiet', '--no-cache'], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ncc failed for ${b.entry} (exit ${code}); ${b.out} was left as it was`));
      rmSync(join(root, b.out), { recursive: true, force: true });
      cpSync(tmp, join(root, b.out), { recursive: true });
      console.log(`bundled ${b.out}`);
      resolve(undefined);
    });
  });
}

// Two at a time: each ncc run type-checks and bundles on one core.
try {
  const queue = [...bundles];
  await Promise.all(Array.from({ length: 2 }, async () => {
    for (let b = queue.shift(); b; b = queue.shift()) await bundle(b);
  }));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
