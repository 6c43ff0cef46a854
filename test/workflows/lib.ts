// What the static checks of the workflow files (.github/workflows/*.yml, examples/*.yml) share: loading a
// workflow with its line numbers, walking its YAML nodes, its jobs and steps, and resolving references to our
// actions and reusable workflows. The checks themselves, one module each, are in ./checks: actionlint,
// shellcheck on run: scripts, inputs of our actions and reusable workflows, untrusted expressions in run:,
// least-privilege permissions, pull_request_target hygiene, workflow_run previews, third-party actions pinned by
// SHA, and no action on Node 20 or older. Each check returns findings (file:line + message); the tests expect none
// for the real files and some for each bad fixture.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';

export type CheckName =
  'actionlint' | 'shellcheck' | 'inputs' | 'untrusted' | 'permissions' | 'prt-checkout' | 'workflow-run' | 'pinned' | 'node-runtime';

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

export function lineOf(wf: Workflow, node: Node | Pair | null | undefined): number {
  const range = node && 'range' in node ? node.range : undefined;
  if (range) return wf.lines.linePos(range[0]).line;
  if (node && 'key' in node) return lineOf(wf, node.key as Node);
  return 1;
}

export function get(node: unknown, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && pair.key.value === key) return (pair.value ?? undefined) as Node | undefined;
  }
  return undefined;
}

export function has(node: unknown, key: string): boolean {
  return isMap(node) && node.items.some((p) => isScalar(p.key) && p.key.value === key);
}

export function keyPairs(node: unknown): Array<{ key: string; pair: Pair<Scalar, Node | null>; value: Node | undefined }> {
  if (!isMap(node)) return [];
  return (node as YAMLMap<Scalar, Node | null>).items
    .filter((p) => isScalar(p.key))
    .map((pair) => ({ key: String(pair.key.value), pair, value: pair.value ?? undefined }));
}

export function str(node: Node | undefined): string | undefined {
  if (!isScalar(node)) return undefined;
  const v: unknown = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** The value as plain JS. */
export function plain(node: Node | undefined): unknown {
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

export function jobs(wf: Workflow): JobRef[] {
  return keyPairs(wf.doc.contents)
    .filter((p) => p.key === 'jobs')
    .flatMap((p) => keyPairs(p.value))
    .filter((j) => isMap(j.value))
    .map((j) => ({ id: j.key, job: j.value as YAMLMap, line: lineOf(wf, j.pair) }));
}

export function steps(wf: Workflow): StepRef[] {
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

export function withMap(step: YAMLMap): YAMLMap | undefined {
  const w = get(step, 'with');
  return isMap(w) ? w : undefined;
}

export function withValue(step: YAMLMap, key: string): unknown {
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

export function createContext(
  repoRoot: string,
  workflows: Workflow[],
  workflowsDir = path.join(repoRoot, '.github/workflows'),
): CheckContext {
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
  for (let changed = true; changed;) {
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

export function triggersOf(ctx: CheckContext, wf: Workflow): Set<string> {
  return ctx.triggers.get(wf.path) ?? ownTriggers(wf);
}

export function calledWorkflow(ctx: CheckContext, uses: string | undefined): Workflow | undefined {
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

export function ourActionSpec(ctx: CheckContext, name: string): ActionSpec | undefined {
  const file = path.join(ctx.repoRoot, 'actions', name, 'action.yml');
  if (actionSpecs.has(file)) return actionSpecs.get(file);
  let spec: ActionSpec | undefined;
  if (existsSync(file)) {
    const data = parseDocument(readFileSync(file, 'utf8')).toJS() as {
      inputs?: Record<string, { required?: unknown; default?: unknown } | null>;
    };
    spec = { inputs: new Map() };
    for (const [key, def] of Object.entries(data.inputs ?? {})) {
      spec.inputs.set(key, { required: def?.required === true, hasDefault: def !== null && def.default !== undefined });
    }
  }
  actionSpecs.set(file, spec);
  return spec;
}
