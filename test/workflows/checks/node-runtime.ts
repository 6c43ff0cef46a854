// (i) No action on a Node 20 (or older) runtime.
import type { Finding, Workflow } from '../lib.js';
import { FULL_SHA, thirdParty, usesRefs } from './pinned.js';

/**
 * `runs.using` of each action's releases: [first version, runtime], in version order, read from action.yml at
 * every release tag of the action's repository (git show <tag>:action.yml, 2026-12). GitHub runs JavaScript
 * actions on Node 24 since June 2026 and removed Node 20 in September 2026; an action declaring node20 or older
 * is forced onto Node 24, with a deprecation annotation on every run.
 */
export const ACTION_RUNTIMES: Record<string, Array<[since: string, runtime: string]>> = {
  'actions/checkout': [
    ['v1.0.0', 'node12'],
    ['v3.0.0', 'node16'],
    ['v4.0.0', 'node20'],
    ['v5.0.0', 'node24'],
  ],
  'actions/setup-node': [
    ['v1.0.0', 'node12'],
    ['v3.0.0', 'node16'],
    ['v4.0.0', 'node20'],
    ['v5.0.0', 'node24'],
  ],
  'actions/setup-python': [
    ['v1.0.0', 'node12'],
    ['v3.0.0', 'node16'],
    ['v5.0.0', 'node20'],
    ['v6.0.0', 'node24'],
  ],
  'actions/upload-artifact': [
    ['v1.0.0', 'node12'],
    ['v3.0.0', 'node16'],
    ['v4.0.0', 'node20'],
    ['v6.0.0', 'node24'],
  ],
  // v3.1.0 (node24) is a late backport; the v3 tag still points at v3.0.2 (node16), and v4 to v6 are node20.
  'actions/download-artifact': [
    ['v1.0.0', 'node12'],
    ['v3.0.0', 'node16'],
    ['v4.0.0', 'node20'],
    ['v7.0.0', 'node24'],
  ],
  'actions/cache': [
    ['v1.0.0', 'node12'],
    ['v3.0.0', 'node16'],
    ['v4.0.0', 'node20'],
    ['v5.0.0', 'node24'],
  ],
  'aws-actions/configure-aws-credentials': [
    ['v1.0.0', 'node12'],
    ['v2.0.0', 'node16'],
    ['v4.0.0', 'node20'],
    ['v6.0.0', 'node24'],
  ],
  // v2 moved to node24 within the major, at v2.0.2; the v2 tag points at the latest v2.
  'aws-actions/amazon-ecr-login': [
    ['v1.0.0', 'node12'],
    ['v1.5.2', 'node16'],
    ['v2.0.1', 'node20'],
    ['v2.0.2', 'node24'],
  ],
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
      findings.push({
        check: 'node-runtime',
        file: wf.name,
        line: ref.line,
        message: `${third.action} ${version} (${ref.where}) runs on ${runtime}, which GitHub's runners no longer provide; move to ${current} or later (node24)`,
      });
    }
  }
  return findings;
}
