// npm run build: regenerate what is derived from action.yml, type-check the production code once
// (tsconfig.json; the tests are checked by `npm run typecheck`, tsconfig.all.json), then bundle every
// action (and the CLI) with ncc into its committed dist/ folder, transpiling only: one check instead
// of one per bundle. CI rebuilds and fails if anything derived changed.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readActionSpecs, renderSpecModule, replaceUsage } from './lib/action-specs.mjs';
import { readWorkflowSpecs, replaceWorkflowTables } from './lib/workflow-specs.mjs';
import { publishedRouterCode, renderRouterCodeModule } from './lib/router-code.mjs';

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
writeIfChanged(join(root, 'src/generated/router-function.ts'), renderRouterCodeModule(publishedRouterCode()));
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
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const staging = mkdtempSync(join(tmpdir(), 'slipway-build-'));

/** Runs a node script from node_modules; rejects with `failure` on a non-zero exit. */
function run(/** @type {string[]} */ args, /** @type {string} */ failure) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(undefined) : reject(new Error(`${failure} (exit ${code}); nothing was replaced`))));
  });
}

// The type check and the bundles run side by side; bundles go to a staging folder and replace the
// committed dist/ folders only once every bundle and the type check succeeded, so a failed or
// interrupted build never leaves an action without its bundle, or with one from code that does not check.
try {
  const checked =
    bundles.length > 0
      ? run(
          [
            tsc,
            '-p',
            'tsconfig.json',
            '--incremental',
            '--tsBuildInfoFile',
            join(root, 'node_modules/.cache/slipway/production.tsbuildinfo'),
          ],
          'type errors in the production code (tsc -p tsconfig.json)',
        )
      : Promise.resolve();
  const queue = [...bundles];
  const bundled = Promise.all(
    Array.from({ length: 2 }, async () => {
      for (let b = queue.shift(); b; b = queue.shift()) {
        await run(
          [
            ncc,
            'build',
            b.entry,
            '-o',
            join(staging, b.name),
            '--minify',
            '--license',
            'licenses.txt',
            '--quiet',
            '--no-cache',
            '--transpile-only',
          ],
          `ncc failed for ${b.entry}`,
        );
      }
    }),
  );
  await Promise.all([checked, bundled]);
  for (const b of bundles) {
    rmSync(join(root, b.out), { recursive: true, force: true });
    cpSync(join(staging, b.name), join(root, b.out), { recursive: true });
    console.log(`bundled ${b.out}`);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
