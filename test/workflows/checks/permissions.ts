// (e) Least privilege: each job declares the permissions its steps need, no more.
import { isMap, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import {
  calledWorkflow,
  get,
  jobs,
  lineOf,
  ourActionName,
  plain,
  str,
  withMap,
  type CheckContext,
  type Finding,
  type Workflow,
} from '../lib.js';

export type Level = 'read' | 'write';
export type Permissions = Record<string, Level>;

/** Scopes of the GITHUB_TOKEN (what read-all / write-all expand to). */
const ALL_SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
];

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
  if (v === 'read-all' || v === 'write-all')
    return Object.fromEntries(ALL_SCOPES.map((s): [string, Level] => [s, v === 'read-all' ? 'read' : 'write']));
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
  {
    pattern: /\bscripts\/release\/release\.mjs\s+tag\b.*\s--push\b/,
    what: 'release.mjs tag --push (git push of the tags)',
    needs: { contents: 'write' },
  },
];
const GITHUB_API = /\b(?:curl|wget)\b.*(?:api\.github\.com|GITHUB_API_URL)|(?:api\.github\.com|GITHUB_API_URL).*\b(?:curl|wget)\b/;

/** The permissions one job needs, with findings for steps the table does not know. */
export function neededPermissions(
  wf: Workflow,
  ctx: CheckContext,
  job: YAMLMap,
  jobId: string,
): { needed: Permissions; unknown: Finding[] } {
  const unknown: Finding[] = [];
  let needed: Permissions = {};
  const uses = str(get(job, 'uses'));
  if (uses !== undefined) {
    const called = calledWorkflow(ctx, uses);
    if (!called) {
      unknown.push({
        check: 'permissions',
        file: wf.name,
        line: lineOf(wf, get(job, 'uses')),
        message: `job ${jobId} calls ${uses}, whose permissions cannot be read: add it to the permission table`,
      });
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
        unknown.push({
          check: 'permissions',
          file: wf.name,
          line: lineOf(wf, get(step, 'uses')),
          message: `job ${jobId} uses ${stepUses}, which is not in the permission table: add it to the permission table (test/workflows/checks/permissions.ts)`,
        });
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
          unknown.push({
            check: 'permissions',
            file: wf.name,
            line: lineNo,
            message: `job ${jobId} runs the gh CLI, whose token permissions the table cannot tell: add it to the permission table`,
          });
        }
      }
      if (code.some((l) => GITHUB_API.test(l))) {
        unknown.push({
          check: 'permissions',
          file: wf.name,
          line: lineNo,
          message: `job ${jobId} calls the GitHub API with curl/wget: add it to the permission table`,
        });
      }
    }
  }
  return { needed, unknown };
}

export function checkPermissions(wf: Workflow, ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const top = get(wf.doc.contents, 'permissions');
  if (top === undefined) {
    findings.push({
      check: 'permissions',
      file: wf.name,
      line: 1,
      message: 'no top-level permissions: set permissions: {} and grant scopes per job',
    });
  } else if (Object.keys(declared(top) ?? {}).length > 0) {
    findings.push({
      check: 'permissions',
      file: wf.name,
      line: lineOf(wf, top),
      message: `top-level permissions are ${show(declared(top) ?? {})}: set permissions: {} and grant scopes per job`,
    });
  }
  for (const { id, job, line } of jobs(wf)) {
    const { needed, unknown } = neededPermissions(wf, ctx, job, id);
    findings.push(...unknown);
    const { perms, node } = effectivePermissions(wf, job);
    if (perms === undefined) {
      findings.push({
        check: 'permissions',
        file: wf.name,
        line,
        message: `job ${id} declares no permissions (and there are none at the top level); it needs ${show(needed)}`,
      });
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
